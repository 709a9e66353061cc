// Package irsa holds the facts of IAM Roles for Service Accounts (IRSA) that irsa-guard reasons about:
// the ServiceAccount annotations the EKS pod identity webhook reads, the role ARN they name, the
// subject ("system:serviceaccount:NS:NAME") a projected token carries, and how a cluster's OIDC issuer
// maps to the IAM OIDC provider ARN and to the condition-key prefix of trust policies.
//
// The package is pure: it performs no I/O and imports nothing but the standard library. Parsers
// collect every problem of their input rather than stopping at the first, and word each one for
// the person who wrote the value; callers add the field path.
package irsa

// Annotation keys read by the EKS pod identity webhook (amazon-eks-pod-identity-webhook) on a
// ServiceAccount, and the values IRSA uses when they are absent.
const (
	// RoleARNAnnotation names the role the ServiceAccount's pods assume.
	RoleARNAnnotation = "eks.amazonaws.com/role-arn"
	// AudienceAnnotation overrides the audience of the projected token (default DefaultAudience).
	AudienceAnnotation = "eks.amazonaws.com/audience"
	// STSRegionalEndpointsAnnotation sets AWS_STS_REGIONAL_ENDPOINTS=regional when "true".
	STSRegionalEndpointsAnnotation = "eks.amazonaws.com/sts-regional-endpoints"
	// TokenExpirationAnnotation sets the projected token's lifetime in seconds.
	TokenExpirationAnnotation = "eks.amazonaws.com/token-expiration"

	// DefaultAudience is the token audience when AudienceAnnotation is absent.
	DefaultAudience = "sts.amazonaws.com"
	// WebIdentityAction is the call IRSA makes with the projected token.
	WebIdentityAction = "sts:AssumeRoleWithWebIdentity"
)
