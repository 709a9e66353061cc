package iam

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// AWSOptions configures the AWS source.
type AWSOptions struct {
	// Region for the clients (default: from the environment, else us-east-1). IAM is global; the SDK picks its
	// endpoint and signing region from the region's partition (iam.amazonaws.com signed for us-east-1,
	// iam.cn-north-1.amazonaws.com.cn for cn-north-1, iam.us-gov.amazonaws.com for us-gov-west-1, ...).
	Region string
	// IAMEndpoint overrides the IAM endpoint; requests are then signed for the partition's IAM region.
	IAMEndpoint string
	// STSEndpoint overrides the STS endpoint used for sts:AssumeRole; requests are signed for Region.
	STSEndpoint string
	// HomeAccount is the cluster's account, read with the default credentials. Required.
	HomeAccount string
	// AccountRoles maps an account to the role assumed (sts:AssumeRole) to read roles in that account.
	AccountRoles map[string]string
	// AllowedAccounts bounds what is ever looked up (default: HomeAccount plus the AccountRoles accounts).
	AllowedAccounts []string
	// HTTPClient for both IAM and STS (default: the SDK's).
	HTTPClient *http.Client
	// Credentials replaces the default credential chain (tests use static credentials). Nil: default chain.
	Credentials aws.CredentialsProvider
	// RoleSessionName for sts:AssumeRole (default "irsa-guard").
	RoleSessionName string
}

// AWS reads roles and OIDC providers from AWS IAM. Safe for concurrent use.
type AWS struct {
	home    string
	allowed map[string]bool
	clients map[string]*accountClient
}

type accountClient struct {
	iam *awsiam.Client
	// via is the role assumed to read this account; empty for the home account.
	via string
}

const (
	// maxAttempts: one retry for a 5xx or a dropped connection; the caller's deadline still wins.
	maxAttempts = 2
	maxBackoff  = 100 * time.Millisecond
)

// NewAWS builds the AWS source. It loads the default credential configuration but makes no AWS call.
func NewAWS(ctx context.Context, o AWSOptions) (*AWS, error) {
	if !accountRE.MatchString(o.HomeAccount) {
		return nil, fmt.Errorf("home account %q is not a 12-digit account id", o.HomeAccount)
	}
	cfg, err := loadConfig(ctx, o)
	if err != nil {
		return nil, err
	}

	a := &AWS{home: o.HomeAccount, allowed: map[string]bool{}, clients: map[string]*accountClient{}}
	// The HTTP client is set per client, not through config.WithHTTPClient, which fails when AWS_CA_BUNDLE
	// is set and the client is not the SDK's buildable one.
	if o.HTTPClient != nil {
		cfg.HTTPClient = o.HTTPClient
	}
	a.clients[o.HomeAccount] = &accountClient{iam: newIAMClient(cfg, o.IAMEndpoint)}

	if len(o.AccountRoles) > 0 {
		stsClient := sts.NewFromConfig(cfg, func(so *sts.Options) {
			if o.STSEndpoint != "" {
				so.BaseEndpoint = aws.String(o.STSEndpoint)
			}
		})
		session := o.RoleSessionName
		if session == "" {
			session = "irsa-guard"
		}
		for acct, roleARN := range o.AccountRoles {
			if !accountRE.MatchString(acct) {
				return nil, fmt.Errorf("account role for %q: not a 12-digit account id", acct)
			}
			if acct == o.HomeAccount {
				return nil, fmt.Errorf("account role for %s: the home account is read with the default credentials", acct)
			}
			if _, err := parseRoleARN(roleARN); err != nil {
				return nil, fmt.Errorf("account role for %s: %q: %w", acct, roleARN, err)
			}
			acfg := cfg.Copy()
			acfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, roleARN,
				func(ao *stscreds.AssumeRoleOptions) { ao.RoleSessionName = session }))
			a.clients[acct] = &accountClient{iam: newIAMClient(acfg, o.IAMEndpoint), via: roleARN}
		}
	}

	allowed := o.AllowedAccounts
	if len(allowed) == 0 {
		allowed = []string{o.HomeAccount}
		for acct := range o.AccountRoles {
			allowed = append(allowed, acct)
		}
	}
	for _, acct := range allowed {
		acct = strings.TrimSpace(acct)
		if !accountRE.MatchString(acct) {
			return nil, fmt.Errorf("allowed account %q is not a 12-digit account id", acct)
		}
		a.allowed[acct] = true
	}
	return a, nil
}

func newIAMClient(cfg aws.Config, endpoint string) *awsiam.Client {
	return awsiam.NewFromConfig(cfg, func(io *awsiam.Options) {
		if endpoint != "" {
			io.BaseEndpoint = aws.String(endpoint)
			// With an explicit endpoint the SDK signs for Region as given; IAM expects its partition's region.
			io.Region = iamSigningRegion(cfg.Region)
		}
	})
}

// iamSigningRegion is the region IAM requests are signed for in the partition of region, as the SDK's
// endpoint rules resolve it when no endpoint is overridden.
func iamSigningRegion(region string) string {
	for _, p := range []struct{ prefix, signing string }{
		{"cn-", "cn-north-1"},
		{"us-gov-", "us-gov-west-1"},
		{"us-isob-", "us-isob-east-1"},
		{"us-isof-", "us-isof-south-1"},
		{"us-iso-", "us-iso-east-1"},
		{"eu-isoe-", "eu-isoe-west-1"},
		{"eusc-", "eusc-de-east-1"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.signing
		}
	}
	return "us-east-1"
}

// newRetryer suits an admission path: one retry with a short backoff, no client-side retry quota, and no retry
// of throttling (the cache's token bucket paces us; retrying a throttled call only adds load and latency).
func newRetryer() aws.Retryer {
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = maxAttempts
		so.MaxBackoff = maxBackoff
		so.RateLimiter = ratelimit.None
		so.Retryables = append([]retry.IsErrorRetryable{noThrottleRetry{}}, so.Retryables...)
	})
}

type noThrottleRetry struct{}

func (noThrottleRetry) IsErrorRetryable(err error) aws.Ternary {
	if classify(err) == ErrThrottled {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// GetRole implements Source. maxAge is ignored: every call reads IAM.
func (a *AWS) GetRole(ctx context.Context, roleARN string, _ time.Duration) (*Role, error) {
	ref, err := parseRoleARN(roleARN)
	if err != nil {
		return nil, &Error{Op: opGetRole, Name: roleARN, Kind: ErrNotFound, Reason: "not found: " + err.Error()}
	}
	c, err := a.client(ref.account, opGetRole, ref.name)
	if err != nil {
		return nil, err
	}
	out, err := c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(ref.name)})
	if err != nil {
		return nil, a.apiError(c, opGetRole, ref.name, "iam:GetRole", err)
	}
	if out.Role == nil {
		return nil, &Error{Op: opGetRole, Name: ref.name, Reason: "empty answer from iam"}
	}
	gotARN := aws.ToString(out.Role.Arn)
	if !sameRole(ref, gotARN) {
		return nil, &Error{Op: opGetRole, Name: ref.name, Kind: ErrNotFound,
			Reason: pathMismatch(ref, aws.ToString(out.Role.Path))}
	}
	doc, err := decodePolicy(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		return nil, &Error{Op: opGetRole, Name: ref.name, Reason: err.Error(), Err: err}
	}
	return &Role{
		ARN:         gotARN,
		Name:        aws.ToString(out.Role.RoleName),
		Path:        aws.ToString(out.Role.Path),
		TrustPolicy: doc,
		RetrievedAt: time.Now(),
	}, nil
}

// GetOIDCProvider implements Source. maxAge is ignored: every call reads IAM.
func (a *AWS) GetOIDCProvider(ctx context.Context, providerARN string, _ time.Duration) (*OIDCProvider, error) {
	ref, err := parseProviderARN(providerARN)
	if err != nil {
		return nil, &Error{Op: opGetProvider, Name: providerARN, Kind: ErrNotFound, Reason: "not found: " + err.Error()}
	}
	c, err := a.client(ref.account, opGetProvider, ref.url)
	if err != nil {
		return nil, err
	}
	out, err := c.iam.GetOpenIDConnectProvider(ctx,
		&awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN)})
	if err != nil {
		return nil, a.apiError(c, opGetProvider, ref.url, "iam:GetOpenIDConnectProvider", err)
	}
	return &OIDCProvider{
		ARN:         providerARN,
		URL:         aws.ToString(out.Url),
		ClientIDs:   slices.Clone(out.ClientIDList),
		RetrievedAt: time.Now(),
	}, nil
}

// precheck refuses what GetRole or GetOIDCProvider would refuse without a call.
func (a *AWS) precheck(kind, arn string) error {
	if kind == kindRole {
		ref, err := parseRoleARN(arn)
		if err != nil {
			return &Error{Op: opGetRole, Name: arn, Kind: ErrNotFound, Reason: "not found: " + err.Error()}
		}
		_, err = a.client(ref.account, opGetRole, ref.name)
		return err
	}
	ref, err := parseProviderARN(arn)
	if err != nil {
		return &Error{Op: opGetProvider, Name: arn, Kind: ErrNotFound, Reason: "not found: " + err.Error()}
	}
	_, err = a.client(ref.account, opGetProvider, ref.url)
	return err
}

// client returns the client for an account, or ErrNotAllowed without any call.
func (a *AWS) client(account, op, name string) (*accountClient, error) {
	if !a.allowed[account] {
		return nil, &Error{Op: op, Name: name, Kind: ErrNotAllowed,
			Reason: "account " + account + " not in --allowed-accounts; not looked up"}
	}
	c, ok := a.clients[account]
	if !ok {
		return nil, &Error{Op: op, Name: name, Kind: ErrNotAllowed,
			Reason: "account " + account + " is allowed but has no --account-role; not looked up"}
	}
	return c, nil
}

// apiError maps an SDK error to an *Error. In accounts read through an account role, "does not exist" and
// "may not be read" are reported alike, as ErrAccessDenied: the role we assume may be scoped to some paths,
// and a lookup error never leads to a denial on its own, whereas ErrNotFound could (--missing-role deny).
func (a *AWS) apiError(c *accountClient, op, name, permission string, err error) error {
	kind := classify(err)
	e := &Error{Op: op, Name: name, Kind: kind, Err: err}
	if c.via != "" && failedOp(err, "AssumeRole") {
		// The account role itself could not be assumed: say so rather than blame the looked-up object.
		e.Reason = "cannot assume " + c.via
		if kind != nil {
			e.Reason += ": " + kind.Error()
		}
		return e
	}
	switch kind {
	case ErrNotFound, ErrAccessDenied:
		if c.via != "" {
			e.Kind, e.Reason = ErrAccessDenied, "not found or not readable with "+c.via
		} else if kind == ErrAccessDenied {
			e.Reason = "access denied (needs " + permission + ")"
		}
	case ErrThrottled:
		e.Reason = "throttled by iam"
	case ErrUnavailable:
		e.Reason = unavailableReason(err)
	default:
		e.Reason = "iam error: " + errorCode(err)
	}
	return e
}

// classify maps an SDK error to a sentinel; nil when it is none of them.
func classify(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchEntity", "NoSuchEntityException":
			return ErrNotFound
		case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
			"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
			"RegionDisabledException", "MissingAuthenticationToken", "IncompleteSignature":
			return ErrAccessDenied
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
			"RequestThrottled", "RequestThrottledException":
			return ErrThrottled
		case "ServiceFailure", "ServiceFailureException", "ServiceUnavailable", "ServiceUnavailableException",
			"InternalFailure", "InternalError", "InternalServerError":
			return ErrUnavailable
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return ErrUnavailable
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch s := re.HTTPStatusCode(); {
		case s == http.StatusTooManyRequests:
			return ErrThrottled
		case s >= 500:
			return ErrUnavailable
		}
	}
	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) {
		return ErrUnavailable
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ErrUnavailable
	}
	return nil
}

func unavailableReason(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "iam timed out"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	if code := apiCode(err); code != "" {
		return "iam unavailable (" + code + ")"
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 {
		return fmt.Sprintf("iam unavailable (http %d)", re.HTTPStatusCode())
	}
	return "iam unreachable"
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func errorCode(err error) string {
	if code := apiCode(err); code != "" {
		return code
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprintf("http %d", re.HTTPStatusCode())
	}
	return "unexpected failure"
}

// failedOp reports whether err came from the AWS operation named op anywhere in its chain.
func failedOp(err error, op string) bool {
	for err != nil {
		if oe, ok := err.(*smithy.OperationError); ok && oe.OperationName == op {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if failedOp(e, op) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// CallerAccount asks STS (GetCallerIdentity, which needs no permission) which account the default credentials
// belong to: the cluster's account when the webhook runs with its own IAM role (IRSA or EKS Pod Identity).
func CallerAccount(ctx context.Context, o AWSOptions) (string, error) {
	cfg, err := loadConfig(ctx, o)
	if err != nil {
		return "", err
	}
	if o.HTTPClient != nil {
		cfg.HTTPClient = o.HTTPClient
	}
	client := sts.NewFromConfig(cfg, func(so *sts.Options) {
		if o.STSEndpoint != "" {
			so.BaseEndpoint = aws.String(o.STSEndpoint)
		}
	})
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("sts:GetCallerIdentity: %w", classify(err))
	}
	acct := aws.ToString(out.Account)
	if !accountRE.MatchString(acct) {
		return "", fmt.Errorf("sts:GetCallerIdentity returned account %q", acct)
	}
	return acct, nil
}

// Unavailable is a Source that verifies nothing: every lookup fails with ErrUnavailable and the reason. The
// webhook runs on it when it has no AWS identity, so every verdict is a "not verified" warning, never a crash.
type Unavailable struct{ Reason string }

// GetRole implements Source.
func (u Unavailable) GetRole(_ context.Context, roleARN string, _ time.Duration) (*Role, error) {
	name := roleARN
	if ref, err := parseRoleARN(roleARN); err == nil {
		name = ref.name
	}
	return nil, &Error{Op: opGetRole, Name: name, Kind: ErrUnavailable, Reason: u.Reason}
}

// GetOIDCProvider implements Source.
func (u Unavailable) GetOIDCProvider(_ context.Context, providerARN string, _ time.Duration) (*OIDCProvider, error) {
	return nil, &Error{Op: opGetProvider, Name: providerName(providerARN), Kind: ErrUnavailable, Reason: u.Reason}
}

// loadConfig is the SDK configuration both the IAM clients and GetCallerIdentity use: the default chain (or the
// given credentials), the region (us-east-1 when none), and the admission path's short retries.
func loadConfig(ctx context.Context, o AWSOptions) (aws.Config, error) {
	var loadOpts []func(*config.LoadOptions) error
	if o.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(o.Region))
	}
	if o.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(o.Credentials))
	}
	loadOpts = append(loadOpts, config.WithRetryer(newRetryer))
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}
