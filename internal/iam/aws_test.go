package iam_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
)

const (
	home     = "111122223333"
	other    = "444455556666"
	readerIn = "arn:aws:iam::444455556666:role/irsa-guard-reader"
	issuer   = "oidc.eks.us-east-1.amazonaws.com/id/23CE1851341EC1FA9E0C259DE10BF87C"
	provARN  = "arn:aws:iam::111122223333:oidc-provider/" + issuer
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN +
	`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + issuer +
	`:sub":"system:serviceaccount:team-a:orders"}}}]}`

// newServer returns an iamtest server holding a small world: roles in the home account (one under a path), a
// role and the reader role in another account, and the cluster's OIDC provider.
func newServer(t *testing.T) *iamtest.Server {
	t.Helper()
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetHomeAccount(home)
	srv.PutRole("arn:aws:iam::111122223333:role/orders", trust)
	srv.PutRole("arn:aws:iam::111122223333:role/team/app/my-role", trust)
	srv.PutRole("arn:aws:iam::444455556666:role/payments", trust)
	srv.PutRole(readerIn, `{"Version":"2012-10-17","Statement":[]}`)
	srv.PutOIDCProvider(provARN, "https://"+issuer, []string{"sts.amazonaws.com"})
	return srv
}

type awsOpt func(*iam.AWSOptions)

func newAWS(t *testing.T, srv *iamtest.Server, opts ...awsOpt) *iam.AWS {
	t.Helper()
	o := iam.AWSOptions{
		Region:       "us-east-1",
		IAMEndpoint:  srv.URL(),
		STSEndpoint:  srv.URL(),
		HomeAccount:  home,
		AccountRoles: map[string]string{other: readerIn},
		Credentials:  staticCreds(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	a, err := iam.NewAWS(t.Context(), o)
	if err != nil {
		t.Fatalf("NewAWS: %v", err)
	}
	return a
}

func TestAWSGetRole(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		arn     string
		fault   *iamtest.Fault
		wantErr error  // nil: found
		wantMsg string // exact error text
		wantARN string
		calls   int // GetRole requests the server saw
	}{
		"found":                              {arn: "arn:aws:iam::111122223333:role/orders", wantARN: "arn:aws:iam::111122223333:role/orders", calls: 1},
		"found under a path":                 {arn: "arn:aws:iam::111122223333:role/team/app/my-role", wantARN: "arn:aws:iam::111122223333:role/team/app/my-role", calls: 1},
		"name in another case":               {arn: "arn:aws:iam::111122223333:role/Orders", wantARN: "arn:aws:iam::111122223333:role/orders", calls: 1},
		"other account through account role": {arn: "arn:aws:iam::444455556666:role/payments", wantARN: "arn:aws:iam::444455556666:role/payments", calls: 1},
		"same name, other path": {
			arn: "arn:aws:iam::111122223333:role/my-role", wantErr: iam.ErrNotFound, calls: 1,
			wantMsg: "get role my-role: not found: no role at path /; role my-role has path /team/app/",
		},
		"annotation path, role at root": {
			arn: "arn:aws:iam::111122223333:role/team/orders", wantErr: iam.ErrNotFound, calls: 1,
			wantMsg: "get role orders: not found: no role at path /team/; role orders has path /",
		},
		"nested arn as name (case 018)": {
			arn: "arn:aws:iam::111122223333:role/arn:aws:iam::111122223333:role/orders", wantErr: iam.ErrNotFound, calls: 1,
			wantMsg: "get role orders: not found: no role at path /arn:aws:iam::111122223333:role/; role orders has path /",
		},
		"no such entity": {
			arn: "arn:aws:iam::111122223333:role/missing", wantErr: iam.ErrNotFound, calls: 1,
			wantMsg: "get role missing: not found",
		},
		"malformed arn, no call": {
			arn: "arn:aws:iam::1111:role/orders", wantErr: iam.ErrNotFound, calls: 0,
			wantMsg: "get role arn:aws:iam::1111:role/orders: not found: account id is not 12 digits",
		},
		"access denied": {
			arn: "arn:aws:iam::111122223333:role/orders", fault: &iamtest.Fault{Code: "AccessDenied"},
			wantErr: iam.ErrAccessDenied, calls: 1, wantMsg: "get role orders: access denied (needs iam:GetRole)",
		},
		"throttled, not retried": {
			arn: "arn:aws:iam::111122223333:role/orders", fault: &iamtest.Fault{Code: "Throttling"},
			wantErr: iam.ErrThrottled, calls: 1, wantMsg: "get role orders: throttled by iam",
		},
		"service unavailable, retried once": {
			arn: "arn:aws:iam::111122223333:role/orders", fault: &iamtest.Fault{Code: "ServiceUnavailable"},
			wantErr: iam.ErrUnavailable, calls: 2, wantMsg: "get role orders: iam unavailable (ServiceUnavailable)",
		},
		"service failure 500": {
			arn: "arn:aws:iam::111122223333:role/orders", fault: &iamtest.Fault{Code: "ServiceFailure"},
			wantErr: iam.ErrUnavailable, calls: 2, wantMsg: "get role orders: iam unavailable (ServiceFailure)",
		},
		"bare 502 without a known code": {
			arn: "arn:aws:iam::111122223333:role/orders", fault: &iamtest.Fault{Code: "BadGateway", Status: 502},
			wantErr: iam.ErrUnavailable, calls: 2, wantMsg: "get role orders: iam unavailable (BadGateway)",
		},
		"one 503, then success": {
			arn: "arn:aws:iam::111122223333:role/orders", fault: &iamtest.Fault{Code: "ServiceUnavailable", Times: 1},
			wantARN: "arn:aws:iam::111122223333:role/orders", calls: 2,
		},
		"unknown error code is not classified": {
			arn: "arn:aws:iam::111122223333:role/orders", fault: &iamtest.Fault{Code: "ValidationError"},
			wantErr: nil, calls: 1, wantMsg: "get role orders: iam error: ValidationError",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			if tc.fault != nil {
				srv.SetFault("GetRole", *tc.fault)
			}
			a := newAWS(t, srv)
			r, err := a.GetRole(t.Context(), tc.arn, 0)
			if got := srv.Calls("GetRole"); got != tc.calls {
				t.Errorf("GetRole calls = %d, want %d", got, tc.calls)
			}
			if tc.wantMsg != "" {
				if err == nil {
					t.Fatalf("GetRole = %+v, want error %q", r, tc.wantMsg)
				}
				if err.Error() != tc.wantMsg {
					t.Errorf("error = %q, want %q", err, tc.wantMsg)
				}
				for _, s := range []error{iam.ErrNotFound, iam.ErrAccessDenied, iam.ErrThrottled, iam.ErrUnavailable, iam.ErrNotAllowed} {
					if got, want := errors.Is(err, s), s == tc.wantErr; got != want {
						t.Errorf("errors.Is(err, %v) = %v, want %v", s, got, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("GetRole: %v", err)
			}
			if r.ARN != tc.wantARN || r.TrustPolicy != trust || r.RetrievedAt.IsZero() {
				t.Errorf("GetRole = %+v, want ARN %s and the trust policy", r, tc.wantARN)
			}
		})
	}
}

func TestAWSErrorKeepsSDKError(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := newAWS(t, srv)
	_, err := a.GetRole(t.Context(), "arn:aws:iam::111122223333:role/missing", 0)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" {
		t.Fatalf("errors.As(%v, smithy.APIError) code = %v, want NoSuchEntity", err, ae)
	}
	if !strings.Contains(ae.ErrorMessage(), "missing") {
		t.Errorf("SDK message %q does not name the role", ae.ErrorMessage())
	}
}

func TestAWSPolicyEncoding(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"plus, percent and space": `{"Version":"2012-10-17","Statement":[{"Sid":"a+b %41 100%","Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"k":"a+b*"}}}]}`,
		"pretty printed, unicode": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"é&<>\", \"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"*\"}]\n}",
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.PutRole("arn:aws:iam::111122223333:role/enc", doc)
			r, err := newAWS(t, srv).GetRole(t.Context(), "arn:aws:iam::111122223333:role/enc", 0)
			if err != nil {
				t.Fatal(err)
			}
			if r.TrustPolicy != doc {
				t.Errorf("TrustPolicy = %q, want %q", r.TrustPolicy, doc)
			}
		})
	}
}

func TestAWSDeadline(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.SetFault("GetRole", iamtest.Fault{Delay: time.Minute})
	a := newAWS(t, srv)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := a.GetRole(ctx, "arn:aws:iam::111122223333:role/orders", 0)
	if !errors.Is(err, iam.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want ErrUnavailable wrapping context.DeadlineExceeded", err)
	}
	if want := "get role orders: iam timed out"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestAWSCrossAccount(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		arn     string
		setup   func(*iamtest.Server)
		wantErr error
		wantMsg string
	}{
		"found": {arn: "arn:aws:iam::444455556666:role/payments"},
		"home role not visible in other account": {
			arn: "arn:aws:iam::444455556666:role/orders", wantErr: iam.ErrAccessDenied,
			wantMsg: "get role orders: not found or not readable with " + readerIn,
		},
		"access denied reads like not found": {
			arn: "arn:aws:iam::444455556666:role/payments", wantErr: iam.ErrAccessDenied,
			setup:   func(s *iamtest.Server) { s.SetFault("GetRole", iamtest.Fault{Code: "AccessDenied"}) },
			wantMsg: "get role payments: not found or not readable with " + readerIn,
		},
		"account role cannot be assumed": {
			arn: "arn:aws:iam::444455556666:role/payments", wantErr: iam.ErrAccessDenied,
			setup:   func(s *iamtest.Server) { s.SetFault("AssumeRole", iamtest.Fault{Code: "AccessDenied"}) },
			wantMsg: "get role payments: cannot assume " + readerIn + ": access denied",
		},
		"account role throttled": {
			arn: "arn:aws:iam::444455556666:role/payments", wantErr: iam.ErrThrottled,
			setup:   func(s *iamtest.Server) { s.SetFault("AssumeRole", iamtest.Fault{Code: "Throttling"}) },
			wantMsg: "get role payments: cannot assume " + readerIn + ": throttled",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			if tc.setup != nil {
				tc.setup(srv)
			}
			a := newAWS(t, srv)
			for range 2 {
				r, err := a.GetRole(t.Context(), tc.arn, 0)
				if tc.wantErr == nil {
					if err != nil || r.ARN != tc.arn {
						t.Fatalf("GetRole = %+v, %v; want %s", r, err, tc.arn)
					}
					continue
				}
				if !errors.Is(err, tc.wantErr) || errors.Is(err, iam.ErrNotFound) || err.Error() != tc.wantMsg {
					t.Fatalf("error = %v, want %q wrapping %v only", err, tc.wantMsg, tc.wantErr)
				}
			}
			if tc.wantErr == nil {
				if got := srv.CallsFor("AssumeRole", readerIn); got != 1 {
					t.Errorf("AssumeRole calls = %d, want 1 (credentials cached)", got)
				}
			}
		})
	}
}

func TestAWSAccountGate(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		opts    []awsOpt
		arn     string
		wantMsg string
	}{
		"account outside the default allow list": {
			arn:     "arn:aws:iam::999988887777:role/orders",
			wantMsg: "get role orders: account 999988887777 not in --allowed-accounts; not looked up",
		},
		"account with a role but not in an explicit list": {
			opts:    []awsOpt{func(o *iam.AWSOptions) { o.AllowedAccounts = []string{home} }},
			arn:     "arn:aws:iam::444455556666:role/payments",
			wantMsg: "get role payments: account 444455556666 not in --allowed-accounts; not looked up",
		},
		"allowed account without an account role": {
			opts:    []awsOpt{func(o *iam.AWSOptions) { o.AllowedAccounts = []string{home, "999988887777"} }},
			arn:     "arn:aws:iam::999988887777:role/orders",
			wantMsg: "get role orders: account 999988887777 is allowed but has no --account-role; not looked up",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			a := newAWS(t, srv, tc.opts...)
			_, err := a.GetRole(t.Context(), tc.arn, 0)
			if !errors.Is(err, iam.ErrNotAllowed) || err.Error() != tc.wantMsg {
				t.Errorf("GetRole error = %v, want %q", err, tc.wantMsg)
			}
			_, err = a.GetOIDCProvider(t.Context(), strings.Replace(provARN, home, tc.arn[13:25], 1), 0)
			if !errors.Is(err, iam.ErrNotAllowed) {
				t.Errorf("GetOIDCProvider error = %v, want ErrNotAllowed", err)
			}
			for _, action := range []string{"GetRole", "GetOpenIDConnectProvider", "AssumeRole"} {
				if n := srv.Calls(action); n != 0 {
					t.Errorf("%s calls = %d, want 0", action, n)
				}
			}
		})
	}
}

func TestAWSGetOIDCProvider(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := newAWS(t, srv)
	p, err := a.GetOIDCProvider(t.Context(), provARN, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.ARN != provARN || p.URL != issuer || len(p.ClientIDs) != 1 || p.ClientIDs[0] != "sts.amazonaws.com" {
		t.Errorf("GetOIDCProvider = %+v", p)
	}
	missing := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0000"
	_, err = a.GetOIDCProvider(t.Context(), missing, 0)
	if want := "get oidc provider oidc.eks.us-east-1.amazonaws.com/id/0000: not found"; !errors.Is(err, iam.ErrNotFound) || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if got := srv.CallsFor("GetOpenIDConnectProvider", missing); got != 1 {
		t.Errorf("calls for %s = %d, want 1", missing, got)
	}
}

// recorder records the SigV4 credential scope of every request.
type recorder struct {
	mu     sync.Mutex
	scopes []string
}

var scopeRE = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+/[^/]+)/`)

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if m := scopeRE.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		r.mu.Lock()
		r.scopes = append(r.scopes, m[1])
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestAWSSigningRegion(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ region, want string }{
		"aws":        {"eu-west-1", "us-east-1/iam"},
		"aws-cn":     {"cn-northwest-1", "cn-north-1/iam"},
		"aws-us-gov": {"us-gov-east-1", "us-gov-west-1/iam"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			rec := &recorder{}
			a := newAWS(t, srv, func(o *iam.AWSOptions) {
				o.Region = tc.region
				o.HTTPClient = &http.Client{Transport: rec}
			})
			if _, err := a.GetRole(t.Context(), "arn:aws:iam::111122223333:role/orders", 0); err != nil {
				t.Fatal(err)
			}
			if len(rec.scopes) != 1 || rec.scopes[0] != tc.want {
				t.Errorf("signed scopes = %v, want [%s]", rec.scopes, tc.want)
			}
		})
	}
}

func TestNewAWSRejectsBadOptions(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		o    iam.AWSOptions
		want string
	}{
		"no home account":      {iam.AWSOptions{}, `home account "" is not a 12-digit account id`},
		"bad account role key": {iam.AWSOptions{HomeAccount: home, AccountRoles: map[string]string{"12": readerIn}}, `account role for "12": not a 12-digit account id`},
		"bad account role arn": {iam.AWSOptions{HomeAccount: home, AccountRoles: map[string]string{other: "reader"}}, `account role for 444455556666: "reader": not an iam role arn`},
		"home account role":    {iam.AWSOptions{HomeAccount: home, AccountRoles: map[string]string{home: readerIn}}, `account role for 111122223333: the home account is read with the default credentials`},
		"bad allowed account":  {iam.AWSOptions{HomeAccount: home, AllowedAccounts: []string{"x"}}, `allowed account "x" is not a 12-digit account id`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.o.Region = "us-east-1"
			tc.o.Credentials = credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "secret", "")
			_, err := iam.NewAWS(t.Context(), tc.o)
			if err == nil || err.Error() != tc.want {
				t.Errorf("NewAWS error = %v, want %q", err, tc.want)
			}
		})
	}
}

func staticCreds() credentials.StaticCredentialsProvider {
	return credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "secret", "")
}

func TestAWSUnreachable(t *testing.T) {
	t.Parallel()
	srv := iamtest.NewServer()
	srv.PutRole(ordersARN, trust)
	srv.Close() // nothing listens at srv.URL() any more
	a := newAWS(t, srv)
	_, err := a.GetRole(t.Context(), ordersARN, 0)
	if want := "get role orders: iam unreachable"; !errors.Is(err, iam.ErrUnavailable) || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
