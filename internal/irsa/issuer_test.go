package irsa

import (
	"strings"
	"testing"
)

func TestParseIssuer(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in                      string
		hostPath, region, eksID string
	}{
		"eks": {"https://oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C",
			"oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C", "us-west-2", "5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"},
		"eks trailing slash": {"https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/",
			"oidc.eks.eu-west-1.amazonaws.com/id/ABC", "eu-west-1", "ABC"},
		"eks china": {"https://oidc.eks.cn-northwest-1.amazonaws.com.cn/id/ABC",
			"oidc.eks.cn-northwest-1.amazonaws.com.cn/id/ABC", "cn-northwest-1", "ABC"},
		"eks govcloud": {"https://oidc.eks.us-gov-west-1.amazonaws.com/id/DA0D1111D2DC5D489242E60EBCBAF988",
			"oidc.eks.us-gov-west-1.amazonaws.com/id/DA0D1111D2DC5D489242E60EBCBAF988", "us-gov-west-1", "DA0D1111D2DC5D489242E60EBCBAF988"},
		"eks european sovereign cloud": {"https://oidc.eks.eusc-de-east-1.amazonaws.eu/id/ABC",
			"oidc.eks.eusc-de-east-1.amazonaws.eu/id/ABC", "eusc-de-east-1", "ABC"},
		"self-hosted with path": {"https://s3.us-east-1.amazonaws.com/my-oidc-bucket", "s3.us-east-1.amazonaws.com/my-oidc-bucket", "", ""},
		"self-hosted host only": {"https://kubernetes.example.com", "kubernetes.example.com", "", ""},
		"eks host, other path":  {"https://oidc.eks.us-east-1.amazonaws.com/other/ABC", "oidc.eks.us-east-1.amazonaws.com/other/ABC", "", ""},
		"eks host, wrong suffix for region": {"https://oidc.eks.cn-north-1.amazonaws.com/id/ABC",
			"oidc.eks.cn-north-1.amazonaws.com/id/ABC", "", ""},
		"eks host, id with extra segment": {"https://oidc.eks.us-east-1.amazonaws.com/id/ABC/x", "oidc.eks.us-east-1.amazonaws.com/id/ABC/x", "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseIssuer(tc.in)
			if err != nil {
				t.Fatalf("ParseIssuer(%q): %v", tc.in, err)
			}
			want := Issuer{URL: tc.in, HostPath: tc.hostPath, EKSRegion: tc.region, EKSID: tc.eksID}
			if got != want {
				t.Errorf("ParseIssuer(%q) = %+v, want %+v", tc.in, got, want)
			}
			if got.IsEKS() != (tc.eksID != "") {
				t.Errorf("IsEKS() = %v", got.IsEKS())
			}
			if k := got.Key("sub"); k != tc.hostPath+":sub" {
				t.Errorf("Key(sub) = %q", k)
			}
			arn := got.ProviderARN("aws", "111122223333")
			if arn != "arn:aws:iam::111122223333:oidc-provider/"+tc.hostPath {
				t.Errorf("ProviderARN = %q", arn)
			}
			p, err := ParseProviderARN(arn)
			if err != nil {
				t.Fatalf("ParseProviderARN(ProviderARN()) = %v", err)
			}
			if p.HostPath != got.HostPath || p.EKSRegion != got.EKSRegion || p.EKSID != got.EKSID {
				t.Errorf("provider %+v disagrees with issuer %+v", p, got)
			}
		})
	}
}

func TestParseIssuerErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want string
	}{
		"empty":       {"", `issuer "": is empty (expected https://HOST/PATH)`},
		"http":        {"http://example.com", `issuer "http://example.com": uses "http", not https (IAM OIDC providers require https)`},
		"no scheme":   {"oidc.eks.us-west-2.amazonaws.com/id/ABC", `issuer "oidc.eks.us-west-2.amazonaws.com/id/ABC": has no scheme (expected "https://oidc.eks.us-west-2.amazonaws.com/id/ABC")`},
		"port":        {"https://example.com:8443/x", `issuer "https://example.com:8443/x": has a port (8443), which IAM OIDC provider URLs cannot have`},
		"query":       {"https://example.com/?a=b", `issuer "https://example.com/?a=b": has a query, which OIDC issuers cannot have`},
		"empty query": {"https://example.com/?", `issuer "https://example.com/?": has a query, which OIDC issuers cannot have`},
		"fragment":    {"https://example.com/#x", `issuer "https://example.com/#x": has a fragment, which OIDC issuers cannot have`},
		"user info":   {"https://u:p@example.com", `issuer "https://u:p@example.com": has user info before the host`},
		"no host":     {"https:///path", `issuer "https:///path": has no host`},
		"whitespace":  {" https://example.com", `issuer " https://example.com": has leading/trailing whitespace`},
		"bad URL":     {"https://exa mple.com", `issuer "https://exa mple.com": is not a URL: invalid character " " in host name`},
		"everything": {"http://u@example.com:80/a?b#c",
			`issuer "http://u@example.com:80/a?b#c": uses "http", not https (IAM OIDC providers require https); has a port (80), which IAM OIDC provider URLs cannot have; has user info before the host; has a query, which OIDC issuers cannot have; has a fragment, which OIDC issuers cannot have`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseIssuer(tc.in)
			if err == nil {
				t.Fatalf("ParseIssuer(%q) = %+v, want an error", tc.in, got)
			}
			if err.Error() != tc.want {
				t.Errorf("ParseIssuer(%q) error:\n got %s\nwant %s", tc.in, err, tc.want)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestPartitionForRegion(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"us-east-1":       "aws",
		"eu-west-1":       "aws",
		"il-central-1":    "aws",
		"mx-central-1":    "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-gov-east-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-iso-west-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"eu-isoe-west-1":  "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
		"eusc-de-east-1":  "aws-eusc",
		"":                "aws",
	}
	for region, want := range tests {
		t.Run(region, func(t *testing.T) {
			t.Parallel()
			got := PartitionForRegion(region)
			if got != want {
				t.Errorf("PartitionForRegion(%q) = %q, want %q", region, got, want)
			}
			if !KnownPartition(got) {
				t.Errorf("PartitionForRegion(%q) = %q, which KnownPartition rejects", region, got)
			}
		})
	}
}

func TestKnownPartition(t *testing.T) {
	t.Parallel()
	for _, p := range Partitions() {
		if !KnownPartition(p) {
			t.Errorf("KnownPartition(%q) = false", p)
		}
	}
	for _, p := range []string{"", "AWS", "aws-cm", "aws-iso-c", "azure"} {
		if KnownPartition(p) {
			t.Errorf("KnownPartition(%q) = true", p)
		}
	}
}

func TestSubject(t *testing.T) {
	t.Parallel()
	if got, want := Subject("kube-system", "aws-load-balancer-controller"),
		"system:serviceaccount:kube-system:aws-load-balancer-controller"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
}

func TestParseSubject(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in       string
		ns, name string
		ok       bool
	}{
		"plain":           {"system:serviceaccount:kube-system:alb", "kube-system", "alb", true},
		"wildcard name":   {"system:serviceaccount:crossplane-system:provider-aws-*", "crossplane-system", "provider-aws-*", true},
		"wildcard ns":     {"system:serviceaccount:*:app", "*", "app", true},
		"space in name":   {"system:serviceaccount:kube-system: alb", "kube-system", " alb", true},
		"no name":         {"system:serviceaccount:kube-system", "", "", false},
		"empty name":      {"system:serviceaccount:kube-system:", "", "", false},
		"empty namespace": {"system:serviceaccount::alb", "", "", false},
		"extra colon":     {"system:serviceaccount:a:b:c", "", "", false},
		"other prefix":    {"system:serviceaccounts:a:b", "", "", false},
		"case differs":    {"System:ServiceAccount:a:b", "", "", false},
		"group":           {"system:serviceaccounts:kube-system", "", "", false},
		"empty":           {"", "", "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ns, n, ok := ParseSubject(tc.in)
			if ns != tc.ns || n != tc.name || ok != tc.ok {
				t.Errorf("ParseSubject(%q) = %q, %q, %v; want %q, %q, %v", tc.in, ns, n, ok, tc.ns, tc.name, tc.ok)
			}
			if ok && Subject(ns, n) != tc.in {
				t.Errorf("Subject(ParseSubject(%q)) = %q", tc.in, Subject(ns, n))
			}
		})
	}
}
