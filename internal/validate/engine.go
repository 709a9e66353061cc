package validate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/iampolicy"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
)

// Action is what to do with a situation the operator may choose to deny or only warn about.
type Action string

const (
	// ActionWarn admits with a warning.
	ActionWarn Action = "warn"
	// ActionDeny rejects.
	ActionDeny Action = "deny"
)

// Cluster is the identity of the cluster whose tokens the pods present.
type Cluster struct {
	// Issuer is the cluster's service-account issuer.
	Issuer irsa.Issuer
	// Partition is the cluster's AWS partition (aws, aws-cn, aws-us-gov, ...).
	Partition string
	// DefaultAudience is the token audience when the ServiceAccount does not set eks.amazonaws.com/audience.
	DefaultAudience string
}

// Engine diagnoses ServiceAccounts against the trust policies of their roles.
type Engine struct {
	Cluster Cluster
	// Source is where roles and OIDC providers come from.
	Source iam.Source
	// MissingRole is what a role that does not exist (yet) gets. GitOps often creates the role in the same sync
	// and IAM is eventually consistent, hence warn by default.
	MissingRole Action
	// OnLookupError is what an IAM lookup that failed (throttled, slow, down, refused) gets: warn fails open.
	OnLookupError Action
	// RecheckBeforeDeny: a denial based on IAM data older than this is re-fetched once before it is returned, so
	// a user who just fixed the trust policy and re-applies is not denied on a stale copy.
	RecheckBeforeDeny time.Duration
	// Now is the clock that judges the age of IAM data (default time.Now).
	Now func() time.Time

	// parsed memoizes parsed trust policies by their text: parsing costs ~10x the evaluation, and the same
	// few policies come back on every admission. Bounded by maxParsed entries.
	parsed     sync.Map // string -> parsedPolicy
	parsedSize atomic.Int64
}

type parsedPolicy struct {
	policy *iampolicy.Policy
	err    error
}

const maxParsed = 4096

// parse parses a trust policy, or returns the parse of the same text made before. Policies are immutable
// once parsed (Evaluate only reads them), so sharing them is safe.
func (e *Engine) parse(text string) (*iampolicy.Policy, error) {
	if v, ok := e.parsed.Load(text); ok {
		p := v.(parsedPolicy)
		return p.policy, p.err
	}
	policy, err := iampolicy.Parse([]byte(text))
	if e.parsedSize.Add(1) > maxParsed {
		e.parsed.Clear()
		e.parsedSize.Store(1)
	}
	e.parsed.Store(text, parsedPolicy{policy, err})
	return policy, err
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// stale reports whether IAM data retrieved at t is too old to deny on.
func (e *Engine) stale(t time.Time) bool {
	return e.RecheckBeforeDeny > 0 && e.now().Sub(t) > e.RecheckBeforeDeny
}

// ServiceAccount describes the identity pods run as: the subject and the IRSA annotations.
type ServiceAccount struct {
	Namespace   string
	Name        string
	Annotations map[string]string
}

func annotationField(key string) string { return "metadata.annotations[" + key + "]" }

var roleField = annotationField(irsa.RoleARNAnnotation)

// Diagnose checks that the ServiceAccount's role would let it call sts:AssumeRoleWithWebIdentity.
func (e *Engine) Diagnose(ctx context.Context, sa ServiceAccount) Diagnosis {
	d := e.diagnose(ctx, sa, 0)
	if d.Verdict == Deny && d.stale && e.RecheckBeforeDeny > 0 {
		// Deny only on fresh data: fetch once more and judge again.
		d = e.diagnose(ctx, sa, e.RecheckBeforeDeny)
	}
	return d.Diagnosis
}

type diagnosis struct {
	Diagnosis
	// stale: some IAM data behind a denial is older than RecheckBeforeDeny.
	stale bool
}

func (e *Engine) diagnose(ctx context.Context, sa ServiceAccount, maxAge time.Duration) (d diagnosis) {
	defer d.finish()

	for _, p := range irsa.CheckAnnotations(sa.Annotations) {
		sev := SeverityWarning
		if p.Severity == irsa.SeverityError {
			sev = SeverityError
		}
		d.add(Finding{Code: "Annotation", Severity: sev, Field: annotationField(p.Key), Message: p.Msg})
	}
	raw, ok := sa.Annotations[irsa.RoleARNAnnotation]
	if !ok {
		return d
	}
	d.RoleARN = raw
	if raw == "" {
		// Charts render `role-arn: ""` when no role is set: IRSA then does not apply, so there is no
		// AccessDenied to prevent.
		d.add(Finding{Code: "EmptyRoleARN", Severity: SeverityWarning, Field: roleField,
			Message: "is empty, so IRSA does not apply to this service account; set a role ARN or remove the annotation"})
		return d
	}
	role, err := irsa.ParseRoleARN(raw)
	var ae *irsa.ARNError
	if errors.As(err, &ae) && ae.RegionOnly {
		// Not documented either way: warn, and judge the role the ARN names.
		d.add(Finding{Code: "RoleARNRegion", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("%s; STS may refuse it: use %s", ae.Problems[0], ae.Role.String())})
		role, err = ae.Role, nil
	}
	if err != nil {
		d.add(Finding{Code: "InvalidRoleARN", Severity: SeverityError, Field: roleField, Invalid: raw,
			Message: invalidARNMessage(arnProblems(err), e.partition())})
		return d
	}
	if role.Partition != e.partition() {
		d.add(Finding{Code: "PartitionMismatch", Severity: SeverityError, Field: roleField,
			Message: fmt.Sprintf("role %s is in partition %s, the cluster is in %s; STS cannot assume a role across "+
				"partitions: use a role of partition %s", raw, role.Partition, e.partition(), e.partition())})
		return d
	}

	audience, audField := e.Cluster.DefaultAudience, roleField
	if audience == "" {
		audience = irsa.DefaultAudience
	}
	// The token carries the annotation's value as written; the provider's client IDs decide whether it passes.
	if a, ok := sa.Annotations[irsa.AudienceAnnotation]; ok && a != "" {
		audience, audField = a, annotationField(irsa.AudienceAnnotation)
	}

	s := &subject{
		engine:   e,
		role:     role,
		roleARN:  role.String(),
		sa:       sa,
		sub:      irsa.Subject(sa.Namespace, sa.Name),
		audience: audience,
		audField: audField,
		provider: e.Cluster.Issuer.ProviderARN(role.Partition, role.Account),
	}

	r, err := e.Source.GetRole(ctx, s.roleARN, maxAge)
	if err != nil {
		e.lookupFailed(&d, err, "role "+s.roleARN, roleField)
		return d
	}
	if e.stale(r.RetrievedAt) {
		d.stale = true
	}
	s.roleName = r.Name
	policy, err := e.parse(r.TrustPolicy)
	if err != nil {
		d.add(Finding{Code: "TrustNotParsed", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("trust not verified: role %s's trust policy could not be read: %v", s.shortRole(), err)})
		return d
	}
	if problems := policy.TrustProblems(); len(problems) > 0 {
		d.add(Finding{Code: "TrustInvalid", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("trust not verified: role %s's trust policy is not one IAM accepts: %s",
				s.shortRole(), problems[0])})
		return d
	}
	s.policy = policy

	// The OIDC provider: it must exist in the role's account and list the token's audience as a client ID.
	p, err := e.Source.GetOIDCProvider(ctx, s.provider, maxAge)
	switch {
	case errors.Is(err, iam.ErrNotFound):
		d.add(Finding{Code: "NoOIDCProvider", Severity: SeverityError, Field: roleField,
			Message: fmt.Sprintf("account %s has no IAM OIDC provider for %s, so STS rejects this cluster's tokens "+
				"(InvalidIdentityToken); fix: create it (eksctl utils associate-iam-oidc-provider)",
				role.Account, e.Cluster.Issuer.URL)})
		if maxAge == 0 && e.RecheckBeforeDeny > 0 {
			d.stale = true // negative answers may come from the cache: confirm before denying
		}
	case err != nil:
		d.add(Finding{Code: "ProviderNotVerified", Severity: SeverityWarning, Field: roleField,
			Message: "OIDC provider not verified: " + lookupReason(err)})
	default:
		if e.stale(p.RetrievedAt) {
			d.stale = true
		}
		if !slices.Contains(p.ClientIDs, audience) {
			d.add(Finding{Code: "AudienceNotInProvider", Severity: SeverityError, Field: audField,
				Message: fmt.Sprintf("token audience %q is not a client ID (%s) of this cluster's OIDC provider in "+
					"account %s, so STS rejects the token (Incorrect token audience); fix: add it to the provider's client IDs",
					audience, quoteList(p.ClientIDs), role.Account)})
		}
	}
	s.explain(&d.Diagnosis)
	return d
}

// lookupFailed turns an IAM lookup error into a finding: not verified (warning) unless configured to deny.
func (e *Engine) lookupFailed(d *diagnosis, err error, what, field string) {
	switch {
	case errors.Is(err, iam.ErrNotFound):
		sev := SeverityWarning
		if e.MissingRole == ActionDeny {
			sev = SeverityError
		}
		d.add(Finding{Code: "RoleNotFound", Severity: sev, Field: field,
			Message: fmt.Sprintf("%s does not exist (yet): %s; create it or fix the annotation", what, lookupReason(err))})
		if sev == SeverityError && e.RecheckBeforeDeny > 0 {
			d.stale = true
		}
	case errors.Is(err, iam.ErrNotAllowed), errors.Is(err, iam.ErrNotInDir):
		d.add(Finding{Code: "NotVerified", Severity: SeverityWarning, Field: field,
			Message: "trust not verified: " + lookupReason(err)})
	default:
		sev := SeverityWarning
		if e.OnLookupError == ActionDeny {
			sev = SeverityError
		}
		d.add(Finding{Code: "NotVerified", Severity: sev, Field: field,
			Message: "trust not verified: " + lookupReason(err)})
	}
}

func lookupReason(err error) string {
	return err.Error()
}

func (e *Engine) partition() string {
	if e.Cluster.Partition == "" {
		return "aws"
	}
	return e.Cluster.Partition
}

func arnProblems(err error) string {
	var ae *irsa.ARNError
	if errors.As(err, &ae) {
		return strings.Join(ae.Problems, "; ")
	}
	return err.Error()
}

func quoteList(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	q := make([]string, len(list))
	for i, v := range list {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func invalidARNMessage(problems, partition string) string {
	if strings.Contains(problems, "expected ") {
		return "not a role ARN: " + problems
	}
	return fmt.Sprintf("not a role ARN: %s; expected arn:%s:iam::<12-digit account>:role/<name>", problems, partition)
}
