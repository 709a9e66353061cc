// Package iam is where irsa-guard's roles and OIDC providers come from: AWS IAM (aws-sdk-go-v2), a folder of
// `aws iam get-role` outputs, and Cached, which adds caching, coalescing, a rate limit, per-call deadlines and
// metrics in front of either.
//
// Every error returned by a Source wraps one of the sentinels below (checked with errors.Is) and, for AWS
// errors, the SDK error as well (checked with errors.As). Error texts are lower case, one line and short, so a
// caller can put them into a Kubernetes warning such as "trust not verified: get role orders: throttled".
//
// Decisions worth knowing:
//   - A role of the requested name at another path is not the annotated role: ErrNotFound, with both paths in
//     the reason. Role names are compared without case (IAM keeps them unique without regard to case).
//   - In accounts read through an account role (sts:AssumeRole), "does not exist" and "may not be read" read
//     the same, "not found or not readable with <role>", and wrap ErrAccessDenied, never ErrNotFound: the
//     account role may be scoped, and a lookup error must not be able to cause a denial by itself.
//   - An account outside the allowed accounts is refused before any call or rate-limit token (ErrNotAllowed).
//   - Errors that match no sentinel (e.g. an IAM ValidationError) wrap none; callers treat them as lookup errors.
package iam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Role is an IAM role as far as irsa-guard needs it.
type Role struct {
	ARN  string
	Name string
	Path string
	// TrustPolicy is the decoded JSON text of the role's AssumeRolePolicyDocument.
	TrustPolicy string
	RetrievedAt time.Time
}

// OIDCProvider is an IAM OpenID Connect identity provider.
type OIDCProvider struct {
	ARN string
	// URL is the issuer as IAM stores it, without the "https://" scheme (e.g. "oidc.eks.../id/ABC").
	URL         string
	ClientIDs   []string
	RetrievedAt time.Time
}

// Source looks roles and OIDC providers up. maxAge 0 accepts whatever a cache holds; a positive maxAge makes a
// cache refetch an entry older than that (used right before a denial).
type Source interface {
	GetRole(ctx context.Context, roleARN string, maxAge time.Duration) (*Role, error)
	GetOIDCProvider(ctx context.Context, providerARN string, maxAge time.Duration) (*OIDCProvider, error)
}

// The sentinels every Source error wraps. Only ErrNotFound is a certain answer ("this does not exist"); every
// other one means "could not be verified".
var (
	// ErrNotFound: the role or provider does not exist (IAM NoSuchEntity, a role of that name at another path,
	// or absent from a complete --iam-dir).
	ErrNotFound = errors.New("not found")
	// ErrAccessDenied: our credentials may not read it (also: not found or not readable in another account).
	ErrAccessDenied = errors.New("access denied")
	// ErrThrottled: IAM throttled us, or our own rate limit had no token within the caller's deadline.
	ErrThrottled = errors.New("throttled")
	// ErrUnavailable: IAM answered 5xx, timed out or could not be reached.
	ErrUnavailable = errors.New("iam unavailable")
	// ErrNotAllowed: the account is outside --allowed-accounts; nothing was looked up.
	ErrNotAllowed = errors.New("account not allowed")
	// ErrNotInDir: absent from an --iam-dir that is not marked complete; it may exist.
	ErrNotInDir = errors.New("not in --iam-dir")
)

// Error is the error every Source returns: an operation on a named object, the sentinel it maps to, a short
// reason and, for AWS, the underlying SDK error. errors.Is matches the sentinel; errors.As reaches the SDK error.
type Error struct {
	Op     string // "get role", "get oidc provider"
	Name   string // role name, or provider URL (host/path)
	Kind   error  // one of the sentinels, or nil when the error could not be classified
	Reason string // short, lower case; empty: Kind's text
	Err    error  // underlying error (SDK error, I/O error), may be nil
}

func (e *Error) Error() string {
	reason := e.Reason
	if reason == "" {
		switch {
		case e.Kind != nil:
			reason = e.Kind.Error()
		case e.Err != nil:
			reason = e.Err.Error()
		default:
			reason = "failed"
		}
	}
	return e.Op + " " + e.Name + ": " + reason
}

// Unwrap returns the sentinel and the underlying error.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

const (
	opGetRole     = "get role"
	opGetProvider = "get oidc provider"
)

// roleRef is what GetRole needs from a role ARN.
type roleRef struct {
	arn, partition, account, path, name string
}

var (
	accountRE  = regexp.MustCompile(`^[0-9]{12}$`)
	roleNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// parseRoleARN is a deliberately small parse: partition, account, path and the last path segment as RoleName.
// Full validation (every problem, with hints) is internal/irsa's job; here a malformed ARN only needs a clear
// error.
func parseRoleARN(s string) (roleRef, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" {
		return roleRef{}, errors.New("not an iam role arn")
	}
	if !accountRE.MatchString(parts[4]) {
		return roleRef{}, errors.New("account id is not 12 digits")
	}
	res, ok := strings.CutPrefix(parts[5], "role/")
	if !ok {
		return roleRef{}, errors.New("not an iam role arn")
	}
	i := strings.LastIndexByte(res, '/')
	path, name := "/"+res[:i+1], res[i+1:]
	if !roleNameRE.MatchString(name) {
		return roleRef{}, errors.New("invalid role name")
	}
	return roleRef{arn: s, partition: parts[1], account: parts[4], path: path, name: name}, nil
}

// providerRef is what GetOpenIDConnectProvider needs from a provider ARN.
type providerRef struct {
	arn, account, url string
}

func parseProviderARN(s string) (providerRef, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" {
		return providerRef{}, errors.New("not an iam oidc provider arn")
	}
	if !accountRE.MatchString(parts[4]) {
		return providerRef{}, errors.New("account id is not 12 digits")
	}
	u, ok := strings.CutPrefix(parts[5], "oidc-provider/")
	if !ok || u == "" {
		return providerRef{}, errors.New("not an iam oidc provider arn")
	}
	return providerRef{arn: s, account: parts[4], url: u}, nil
}

// providerName is how errors name a provider: its URL, or the raw ARN when it does not parse.
func providerName(arn string) string {
	if ref, err := parseProviderARN(arn); err == nil {
		return ref.url
	}
	return arn
}

// roleName is how errors name a role: its RoleName, or the raw ARN when it does not parse.
func roleName(arn string) string {
	if ref, err := parseRoleARN(arn); err == nil {
		return ref.name
	}
	return arn
}

// sameRole reports whether the ARN IAM returned is the ARN that was asked for. Role names are unique without
// regard to case, and whether STS accepts a differently cased name is not documented, so the name is compared
// without case (never deny on uncertainty); the path must match exactly.
func sameRole(requested roleRef, returnedARN string) bool {
	got, err := parseRoleARN(returnedARN)
	if err != nil {
		return false
	}
	return got.account == requested.account && got.partition == requested.partition &&
		got.path == requested.path && strings.EqualFold(got.name, requested.name)
}

// pathMismatch is the reason given when a role of the requested name exists at another path.
func pathMismatch(requested roleRef, actualPath string) string {
	return "not found: no role at path " + requested.path + "; role " + requested.name + " has path " + actualPath
}

// decodePolicy turns an AssumeRolePolicyDocument as IAM returns it (RFC 3986 percent-encoded JSON) into JSON
// text. '+' stays '+': IAM encodes a space as %20, so query-style decoding would corrupt policies containing
// '+'. Text that already starts with '{' is not encoded ('{' is always encoded as %7B) and is returned as is.
func decodePolicy(doc string) (string, error) {
	if t := strings.TrimSpace(doc); strings.HasPrefix(t, "{") {
		return doc, nil
	}
	s, err := url.PathUnescape(doc)
	if err != nil {
		return "", fmt.Errorf("trust policy is not url-encoded json: %w", err)
	}
	return s, nil
}
