package irsa

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Issuer is a cluster's OIDC issuer, the iss claim of its ServiceAccount tokens.
type Issuer struct {
	URL       string // as given, e.g. "https://oidc.eks.us-west-2.amazonaws.com/id/5C6A..."
	HostPath  string // URL without "https://" and trailing "/": the condition-key prefix and provider name
	EKSRegion string // region of an EKS issuer (oidc.eks.<region>.<dns suffix>/id/<ID>), "" otherwise
	EKSID     string // cluster ID of an EKS issuer, "" otherwise
}

// IsEKS reports whether the issuer is an EKS cluster's.
func (i Issuer) IsEKS() bool { return i.EKSID != "" }

// ProviderARN returns the ARN of the IAM OIDC provider for this issuer in the given partition and
// account: arn:<partition>:iam::<account>:oidc-provider/<HostPath>.
func (i Issuer) ProviderARN(partition, account string) string {
	return "arn:" + partition + ":iam::" + account + ":oidc-provider/" + i.HostPath
}

// Key returns the condition key of a token claim for this issuer, e.g. Key("sub") is "<HostPath>:sub".
func (i Issuer) Key(claim string) string { return i.HostPath + ":" + claim }

// ParseIssuer parses an OIDC issuer URL as IAM accepts it for an OIDC provider: https, a host, no port,
// user info, query or fragment. Any issuer works (EKS or self-hosted); EKS issuers also get EKSRegion and
// EKSID. The error lists every problem.
func ParseIssuer(raw string) (Issuer, error) {
	var p []string
	v := raw
	if t := strings.TrimSpace(raw); t != raw {
		p = append(p, "has leading/trailing whitespace")
		v = t
	}
	if v == "" {
		return Issuer{}, issuerError(raw, append(p, "is empty (expected https://HOST/PATH)"))
	}
	u, err := url.Parse(v)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Issuer{}, issuerError(raw, append(p, "is not a URL: "+err.Error()))
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "":
		p = append(p, "has no scheme (expected "+quote("https://"+strings.TrimPrefix(v, "//"), 80)+")")
	default:
		p = append(p, fmt.Sprintf("uses %q, not https (IAM OIDC providers require https)", u.Scheme))
	}
	if u.Scheme != "" {
		if u.Host == "" || u.Hostname() == "" {
			p = append(p, "has no host")
		}
		if u.Port() != "" {
			p = append(p, fmt.Sprintf("has a port (%s), which IAM OIDC provider URLs cannot have", u.Port()))
		}
		if u.User != nil {
			p = append(p, "has user info before the host")
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		p = append(p, "has a query, which OIDC issuers cannot have")
	}
	if u.Fragment != "" || strings.Contains(v, "#") {
		p = append(p, "has a fragment, which OIDC issuers cannot have")
	}
	if strings.ContainsAny(v, " \t\r\n") && len(p) == 0 {
		p = append(p, "contains whitespace")
	}
	if len(p) > 0 {
		return Issuer{}, issuerError(raw, p)
	}
	i := Issuer{URL: raw, HostPath: strings.TrimRight(u.Host+u.EscapedPath(), "/")}
	i.EKSRegion, i.EKSID = eksIssuer(i.HostPath)
	return i, nil
}

func issuerError(raw string, p []string) error {
	return fmt.Errorf("issuer %s: %s", quote(raw, 100), strings.Join(p, "; "))
}

var (
	eksHost   = regexp.MustCompile(`^oidc\.eks\.([a-z]{2,}(?:-[a-z0-9]+)+-[0-9]+)\.([a-z0-9.-]+)$`)
	eksIDPath = regexp.MustCompile(`^/id/([A-Za-z0-9]+)$`)
)

// eksIssuer returns the region and cluster ID of an EKS issuer host/path
// (oidc.eks.<region>.<dns suffix of the region's partition>/id/<ID>), or "" for any other issuer.
func eksIssuer(hostPath string) (region, id string) {
	host, path, _ := strings.Cut(hostPath, "/")
	m := eksHost.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return "", ""
	}
	part := lookupPartition(PartitionForRegion(m[1]))
	if part == nil || part.dnsSuffix != m[2] {
		return "", ""
	}
	idm := eksIDPath.FindStringSubmatch("/" + path)
	if idm == nil {
		return "", ""
	}
	return m[1], idm[1]
}
