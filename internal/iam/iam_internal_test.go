package iam

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestParseRoleARN(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		arn     string
		want    roleRef
		wantErr string
	}{
		"plain":          {arn: "arn:aws:iam::111122223333:role/orders", want: roleRef{partition: "aws", account: "111122223333", path: "/", name: "orders"}},
		"path":           {arn: "arn:aws:iam::111122223333:role/team/app/my-role", want: roleRef{partition: "aws", account: "111122223333", path: "/team/app/", name: "my-role"}},
		"china":          {arn: "arn:aws-cn:iam::111122223333:role/x", want: roleRef{partition: "aws-cn", account: "111122223333", path: "/", name: "x"}},
		"colons in path": {arn: "arn:aws:iam::111122223333:role/arn:aws:iam::111122223333:role/r", want: roleRef{partition: "aws", account: "111122223333", path: "/arn:aws:iam::111122223333:role/", name: "r"}},
		"user":           {arn: "arn:aws:iam::111122223333:user/orders", wantErr: "not an iam role arn"},
		"sts":            {arn: "arn:aws:sts::111122223333:assumed-role/orders/x", wantErr: "not an iam role arn"},
		"region set":     {arn: "arn:aws:iam:us-east-1:111122223333:role/orders", wantErr: "not an iam role arn"},
		"short account":  {arn: "arn:aws:iam::11112222333:role/orders", wantErr: "account id is not 12 digits"},
		"space in name":  {arn: "arn:aws:iam::111122223333:role/my role", wantErr: "invalid role name"},
		"empty name":     {arn: "arn:aws:iam::111122223333:role/team/", wantErr: "invalid role name"},
		"name too long":  {arn: "arn:aws:iam::111122223333:role/" + strings.Repeat("a", 65), wantErr: "invalid role name"},
		"not an arn":     {arn: "orders", wantErr: "not an iam role arn"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parseRoleARN(tc.arn)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("parseRoleARN(%q) = %+v, %v; want error %q", tc.arn, got, err, tc.wantErr)
				}
				return
			}
			tc.want.arn = tc.arn
			if err != nil || got != tc.want {
				t.Errorf("parseRoleARN(%q) = %+v, %v; want %+v", tc.arn, got, err, tc.want)
			}
		})
	}
}

func TestDecodePolicy(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want, wantErr string }{
		"literal plus stays plus": {in: "%7B%22a%22%3A%22x+y%22%7D", want: `{"a":"x+y"}`},
		"encoded plus and space":  {in: "%7B%22a%22%3A%22x%2By%20z%22%7D", want: `{"a":"x+y z"}`},
		"encoded percent":         {in: "%7B%22a%22%3A%22100%2541%22%7D", want: `{"a":"100%41"}`},
		"already json":            {in: ` {"a":"%41+"}`, want: ` {"a":"%41+"}`},
		"broken escape":           {in: "%7B%2", wantErr: `trust policy is not url-encoded json: invalid URL escape "%2"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := decodePolicy(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("decodePolicy(%q) = %q, %v; want error %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("decodePolicy(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestIAMSigningRegion(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"us-east-1": "us-east-1", "eu-west-1": "us-east-1", "cn-north-1": "cn-north-1", "cn-northwest-1": "cn-north-1",
		"us-gov-east-1": "us-gov-west-1", "us-iso-west-1": "us-iso-east-1", "us-isob-east-1": "us-isob-east-1",
		"eu-isoe-west-1": "eu-isoe-west-1", "us-isof-east-1": "us-isof-south-1", "eusc-de-east-1": "eusc-de-east-1",
	} {
		if got := iamSigningRegion(region); got != want {
			t.Errorf("iamSigningRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

func responseError(status int) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      errors.New("boom"),
	}}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		err  error
		want error
	}{
		"no such entity":   {&smithy.GenericAPIError{Code: "NoSuchEntity"}, ErrNotFound},
		"access denied":    {&smithy.GenericAPIError{Code: "AccessDenied"}, ErrAccessDenied},
		"expired token":    {&smithy.GenericAPIError{Code: "ExpiredToken"}, ErrAccessDenied},
		"throttling":       {&smithy.GenericAPIError{Code: "Throttling"}, ErrThrottled},
		"limit exceeded":   {&smithy.GenericAPIError{Code: "RequestLimitExceeded"}, ErrThrottled},
		"service failure":  {&smithy.GenericAPIError{Code: "ServiceFailure"}, ErrUnavailable},
		"wrapped":          {fmt.Errorf("op: %w", &smithy.OperationError{Err: &smithy.GenericAPIError{Code: "NoSuchEntity"}}), ErrNotFound},
		"deadline":         {fmt.Errorf("x: %w", context.DeadlineExceeded), ErrUnavailable},
		"http 429":         {responseError(429), ErrThrottled},
		"http 502":         {responseError(502), ErrUnavailable},
		"http 400":         {responseError(400), nil},
		"send error":       {&smithyhttp.RequestSendError{Err: errors.New("connection refused")}, ErrUnavailable},
		"net error":        {&net.OpError{Op: "dial", Err: errors.New("no route")}, ErrUnavailable},
		"validation error": {&smithy.GenericAPIError{Code: "ValidationError"}, nil},
		"other":            {errors.New("something"), nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := classify(tc.err); got != tc.want {
				t.Errorf("classify(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestErrorWrapsSentinelAndCause(t *testing.T) {
	t.Parallel()
	cause := &smithy.GenericAPIError{Code: "Throttling"}
	err := fmt.Errorf("lookup: %w", &Error{Op: opGetRole, Name: "orders", Kind: ErrThrottled, Err: cause})
	if !errors.Is(err, ErrThrottled) || errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is mismatch for %v", err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" {
		t.Errorf("errors.As did not reach the SDK error")
	}
	tests := map[string]struct {
		e    *Error
		want string
	}{
		"kind text":   {&Error{Op: opGetRole, Name: "orders", Kind: ErrThrottled}, "get role orders: throttled"},
		"reason":      {&Error{Op: opGetRole, Name: "orders", Kind: ErrThrottled, Reason: "throttled by iam"}, "get role orders: throttled by iam"},
		"cause only":  {&Error{Op: opGetProvider, Name: "x", Err: errors.New("eof")}, "get oidc provider x: eof"},
		"nothing set": {&Error{Op: opGetRole, Name: "orders"}, "get role orders: failed"},
	}
	for name, tc := range tests {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%s: Error() = %q, want %q", name, got, tc.want)
		}
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{
		nil: "ok", ErrNotFound: "not_found", ErrNotInDir: "not_found", ErrAccessDenied: "access_denied",
		ErrThrottled: "throttled", ErrUnavailable: "unavailable", ErrNotAllowed: "not_allowed",
		errors.New("x"): "error",
	} {
		if got := outcome(&Error{Kind: err}); err != nil && got != want {
			t.Errorf("outcome(%v) = %q, want %q", err, got, want)
		}
	}
	if got := outcome(nil); got != "ok" {
		t.Errorf("outcome(nil) = %q", got)
	}
}
