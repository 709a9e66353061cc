package irsa

import (
	"fmt"
	"strings"
)

// ProviderARN is a parsed IAM OIDC provider ARN: arn:<Partition>:iam::<Account>:oidc-provider/<HostPath>.
// For an EKS cluster's provider, EKSRegion and EKSID are set (see Issuer).
type ProviderARN struct {
	Partition string
	Account   string
	HostPath  string // the issuer URL without "https://" and trailing "/"
	EKSRegion string // region of an EKS issuer host, "" for other issuers
	EKSID     string // cluster ID of an EKS issuer (the path after /id/), "" for other issuers
}

// String returns the ARN.
func (p ProviderARN) String() string {
	return "arn:" + p.Partition + ":iam::" + p.Account + ":oidc-provider/" + p.HostPath
}

// IsEKS reports whether the provider is an EKS cluster's issuer.
func (p ProviderARN) IsEKS() bool { return p.EKSID != "" }

// ParseProviderARN parses the ARN of an IAM OIDC identity provider, as found in a trust policy's
// Federated principal or in iam:ListOpenIDConnectProviders. On failure it returns a *ARNError listing
// every problem; a bare issuer host or URL (a common mistake in Federated principals) is named as such.
func ParseProviderARN(s string) (ProviderARN, error) {
	var p problems
	if hp, ok := bareIssuer(s); ok {
		p.add(fmt.Sprintf("%s is an issuer, not a provider ARN; use arn:aws:iam::ACCOUNT:oidc-provider/%s",
			quote(s, 40), hp))
		return ProviderARN{}, p.err(s)
	}
	f, ok := splitARN(s, &p, "oidc-provider/HOST/PATH")
	if !ok {
		return ProviderARN{}, p.err(s)
	}
	r := ProviderARN{Partition: f.partition, Account: f.account}
	typ, rest, hasSlash := strings.Cut(f.resource, "/")
	switch {
	case f.resource == "":
		p.add("the resource is empty; expected oidc-provider/HOST/PATH after the account ID")
	case typ == "oidc-provider" && hasSlash:
		r.HostPath = checkProviderHostPath(rest, &p)
	case typ == "oidc-provider":
		p.add(`the resource "oidc-provider" has no issuer; expected oidc-provider/HOST/PATH`)
	default:
		p.add(wrongResourceType(typ, f.resource, "oidc-provider"))
	}
	if len(p) > 0 {
		return ProviderARN{}, p.err(s)
	}
	r.EKSRegion, r.EKSID = eksIssuer(r.HostPath)
	return r, nil
}

func checkProviderHostPath(hp string, p *problems) string {
	switch {
	case hp == "":
		p.add("the issuer after oidc-provider/ is empty")
	case strings.HasPrefix(hp, "https://"), strings.HasPrefix(hp, "http://"):
		p.add(fmt.Sprintf("the issuer %s includes the scheme; provider ARNs name it without %q",
			quote(hp, 40), hp[:strings.Index(hp, "//")+2]))
	case strings.HasSuffix(hp, "/"):
		p.add(fmt.Sprintf("the issuer %s ends with \"/\"", quote(hp, 60)))
	}
	if bad := badRunes(hp, isPathRune); len(bad) > 0 {
		p.add(fmt.Sprintf("the issuer %s contains %s", quote(hp, 40), describeRunes(bad)))
	}
	return hp
}

// bareIssuer reports whether s is an issuer URL or host/path rather than an ARN, returning its host/path.
func bareIssuer(s string) (string, bool) {
	v := strings.TrimSpace(s)
	if strings.HasPrefix(v, "arn:") || v == "" {
		return "", false
	}
	if rest, ok := strings.CutPrefix(v, "https://"); ok {
		return strings.TrimSuffix(rest, "/"), rest != ""
	}
	host, _, _ := strings.Cut(v, "/")
	if !strings.Contains(host, ".") || strings.ContainsAny(v, ": \\") {
		return "", false
	}
	return strings.TrimSuffix(v, "/"), true
}
