package irsa

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Severities of an AnnotationProblem.
const (
	// SeverityError: the value as written makes IRSA fail for the ServiceAccount's pods (the token
	// cannot carry the intended audience, or the API server rejects the pods).
	SeverityError = "error"
	// SeverityWarning: IRSA still works, but the annotation is ignored or does not do what it says.
	SeverityWarning = "warning"
)

// Pod identity webhook token lifetimes (amazon-eks-pod-identity-webhook pkg/constants.go): tokens
// shorter than the minimum are raised to it; EKS issues tokens for at most the maximum.
const (
	minTokenExpiration     = 3600
	eksMaxTokenExpiration  = 86400
	apiMaxTokenExpiration  = 1 << 32 // core/v1 validation of serviceAccountToken.expirationSeconds
	defaultTokenExpiration = 86400
)

// AnnotationProblem is one problem of a ServiceAccount's IRSA annotations. Key is the annotation key as
// written; Msg is a short fragment (the caller puts the field path first), worded for the user.
type AnnotationProblem struct {
	Key      string
	Severity string // SeverityError or SeverityWarning
	Msg      string
}

// eksDomain is the annotation prefix the EKS pod identity webhook reads.
const eksDomain = "eks.amazonaws.com"

// knownKeys are the ServiceAccount annotations the webhook reads, by name after the domain.
var knownKeys = map[string]string{
	"role-arn":               RoleARNAnnotation,
	"audience":               AudienceAnnotation,
	"sts-regional-endpoints": STSRegionalEndpointsAnnotation,
	"token-expiration":       TokenExpirationAnnotation,
}

// keyAliases are names people write for a known key that are too far from it for the edit distance.
var keyAliases = map[string]string{
	"rolearn":                  "role-arn",
	"role":                     "role-arn",
	"role-name":                "role-arn",
	"rolename":                 "role-arn",
	"arn":                      "role-arn",
	"iam-role":                 "role-arn",
	"iam-role-arn":             "role-arn",
	"aud":                      "audience",
	"token-audience":           "audience",
	"sts-regional-endpoint":    "sts-regional-endpoints",
	"regional-sts":             "sts-regional-endpoints",
	"use-regional-sts":         "sts-regional-endpoints",
	"sts-regional":             "sts-regional-endpoints",
	"token-expiry":             "token-expiration",
	"token-expiration-seconds": "token-expiration",
	"expiration":               "token-expiration",
}

// domainAliases are annotation prefixes people write for eks.amazonaws.com.
var domainAliases = map[string]bool{
	"eks.amazon.com":       true,
	"eks.amazonaws.com.cn": true,
	"eks.aws.com":          true,
	"eks.aws.amazon.com":   true,
	"amazonaws.com":        true,
	"iam.amazonaws.com":    true,
	"eks.amazonaws.cn":     true,
}

// kiamKey is the annotation of kiam and kube2iam, which IRSA does not read.
const kiamKey = "iam.amazonaws.com/role"

// CheckAnnotations returns the problems of a ServiceAccount's IRSA annotations, sorted by key:
//   - keys that look like one the EKS pod identity webhook reads but are not (wrong case, stray
//     whitespace, another domain, "_" for "-", a misspelling, kiam's iam.amazonaws.com/role): warnings
//     naming the intended key, since the webhook ignores them;
//   - values of the keys it reads: sts-regional-endpoints must be "true" or "false" (other values are
//     ignored), token-expiration a whole number of seconds (the webhook ignores anything else, raises
//     values under 3600 to 3600, EKS issues at most 86400, and over 2^32 the API server rejects the
//     pod), audience non-empty without surrounding whitespace (the token's aud is used verbatim).
//
// The role-arn value is not checked here: ParseRoleARN does that.
func CheckAnnotations(ann map[string]string) []AnnotationProblem {
	var out []AnnotationProblem
	warn := func(key, msg string) { out = append(out, AnnotationProblem{key, SeverityWarning, msg}) }
	fail := func(key, msg string) { out = append(out, AnnotationProblem{key, SeverityError, msg}) }
	for key, value := range ann {
		switch key {
		case RoleARNAnnotation:
		case AudienceAnnotation:
			switch {
			case value == "":
				warn(key, "is empty: the token's audience would likely be the API server's own, which STS rejects")
			case strings.TrimSpace(value) != value:
				warn(key, fmt.Sprintf("has leading/trailing whitespace: the token's aud would be %s, not %s",
					quote(value, 40), quote(strings.TrimSpace(value), 40)))
			}
		case STSRegionalEndpointsAnnotation:
			if value == "true" || value == "false" {
				break
			}
			if b, err := strconv.ParseBool(value); err == nil {
				warn(key, fmt.Sprintf(`write "true" or "false"; the pod identity webhook reads %s as %t`, quote(value, 10), b))
			} else {
				warn(key, fmt.Sprintf(`%s is not "true" or "false"; the pod identity webhook ignores it`, quote(value, 30)))
			}
		case TokenExpirationAnnotation:
			checkTokenExpiration(key, value, warn, fail)
		default:
			if msg := nearMissKey(key, ann); msg != "" {
				warn(key, msg)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Msg < out[j].Msg
	})
	return out
}

func checkTokenExpiration(key, value string, warn, fail func(key, msg string)) {
	// The webhook parses with strconv.ParseInt(value, 10, 64) and ignores the annotation on error.
	n, err := strconv.ParseInt(value, 10, 64)
	switch {
	case err != nil:
		warn(key, fmt.Sprintf("%s is not a whole number of seconds; the pod identity webhook ignores it (default %d)",
			quote(value, 20), defaultTokenExpiration))
	case n < minTokenExpiration:
		warn(key, fmt.Sprintf("%d is below %d; the pod identity webhook raises it to %d seconds", n, minTokenExpiration, minTokenExpiration))
	case n > apiMaxTokenExpiration:
		fail(key, fmt.Sprintf("%d is over 2^32 seconds: the API server rejects the pods' token volume", n))
	case n > eksMaxTokenExpiration:
		warn(key, fmt.Sprintf("%d is over %d; EKS issues tokens for 24 hours at most", n, eksMaxTokenExpiration))
	}
}

// nearMissKey returns the warning for a key that looks like one the webhook reads, or "".
func nearMissKey(key string, ann map[string]string) string {
	if key == kiamKey {
		if _, ok := ann[RoleARNAnnotation]; ok {
			return "kiam/kube2iam's annotation; IRSA ignores it and uses " + RoleARNAnnotation
		}
		return "kiam/kube2iam's annotation, which IRSA ignores; IRSA reads " + RoleARNAnnotation
	}
	target := intendedKey(key)
	if target == "" {
		return ""
	}
	return fmt.Sprintf("IRSA ignores this key; did you mean %q? (%s)", target, nearMissReason(key, target))
}

// intendedKey returns the known key that key is a near miss of, or "".
func intendedKey(key string) string {
	if len(key) > 128 {
		return ""
	}
	norm := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '_':
			return '-'
		}
		return unicode.ToLower(r)
	}, key)
	if _, known := knownKeys[strings.TrimPrefix(key, eksDomain+"/")]; known && strings.HasPrefix(key, eksDomain+"/") {
		return "" // exact known key
	}
	domain, name, found := strings.Cut(norm, "/")
	if !found {
		return ""
	}
	domainNear := domain == eksDomain || domainAliases[domain] || editDistance(domain, eksDomain, 2) <= 2
	if !domainNear {
		return ""
	}
	if k, ok := knownKeys[name]; ok {
		return k
	}
	if alias, ok := keyAliases[name]; ok {
		return knownKeys[alias]
	}
	if k, ok := keyAliases[strings.ReplaceAll(name, "-", "")]; ok {
		return knownKeys[k]
	}
	best, bestDist := "", 3
	for n, k := range knownKeys {
		if d := editDistance(name, n, 2); d < bestDist || d == bestDist && k < best {
			best, bestDist = k, d
		}
	}
	return best
}

// nearMissReason says in a few words how key differs from target.
func nearMissReason(key, target string) string {
	switch {
	case strings.IndexFunc(key, unicode.IsSpace) >= 0:
		return "stray whitespace"
	case strings.EqualFold(key, target):
		return "letter case differs"
	case strings.EqualFold(strings.ReplaceAll(key, "_", "-"), target):
		return `"_" instead of "-"`
	}
	domain, _, _ := strings.Cut(key, "/")
	if !strings.EqualFold(domain, eksDomain) {
		return fmt.Sprintf("domain %s", quote(domain, 30))
	}
	return "misspelled"
}

// editDistance returns the optimal-string-alignment distance between a and b (insertions, deletions,
// substitutions and transpositions of adjacent bytes), or max+1 when it exceeds max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], max+1)
}
