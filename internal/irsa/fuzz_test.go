package irsa_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/irsa-guard/irsa-guard/internal/irsa"
)

// seedARNs are role ARN shapes beyond those of the shared cases.
var seedARNs = []string{
	"", " ", "arn:", ":::::", "arn:aws:iam::111122223333:role/x", "arn:aws:iam::111122223333:role/team/app/x",
	"arn:aws:sts::111122223333:assumed-role/R/s", "arn:aws:iam::111122223333:user/u", "my-role",
	`arn:aws:iam::111122223333:role\/x`, "arn:aws:iam::111122223333:role//x", "arn:aws:iam::111122223333:role/",
	"arn:aws-cm:iam:us-east-1:xxxxxxxxxx:role/ a b", "arn:aws:iam::111122223333:role/a,arn:aws:iam::1:role/b",
	"arn:aws:iam::111122223333:role/\xff", "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A",
}

// FuzzParseRoleARN checks that ParseRoleARN never panics, that a successful parse round-trips through
// String() and meets IAM's limits, and that a failure is an *ARNError with at least one one-line problem.
func FuzzParseRoleARN(f *testing.F) {
	for _, s := range seedARNs {
		f.Add(s)
	}
	for _, c := range loadCases(f) {
		f.Add(c.ServiceAccount.Annotations[irsa.RoleARNAnnotation])
		f.Add(c.Role.ARN)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := irsa.ParseRoleARN(s)
		if err != nil {
			var ae *irsa.ARNError
			if !errors.As(err, &ae) || len(ae.Problems) == 0 || ae.Value != s {
				t.Fatalf("ParseRoleARN(%q) error %#v: want an *ARNError with problems", s, err)
			}
			for _, p := range ae.Problems {
				if p == "" || strings.ContainsAny(p, "\n\r") || !utf8.ValidString(p) {
					t.Fatalf("ParseRoleARN(%q): bad problem text %q", s, p)
				}
			}
			return
		}
		if got := r.String(); got != s {
			t.Fatalf("ParseRoleARN(%q).String() = %q", s, got)
		}
		if n := len(r.Name); n == 0 || n > 64 || strings.Contains(r.Name, "/") {
			t.Fatalf("ParseRoleARN(%q): name %q", s, r.Name)
		}
		if !strings.HasPrefix(r.Path, "/") || !strings.HasSuffix(r.Path, "/") || len(r.Path) > 512 {
			t.Fatalf("ParseRoleARN(%q): path %q", s, r.Path)
		}
		if !irsa.KnownPartition(r.Partition) || len(r.Account) != 12 {
			t.Fatalf("ParseRoleARN(%q) = %+v", s, r)
		}
		if r2, err := irsa.ParseRoleARN(r.String()); err != nil || r2 != r {
			t.Fatalf("reparse of %q = %+v, %v", s, r2, err)
		}
	})
}

// FuzzParseProviderARN checks that ParseProviderARN never panics and round-trips.
func FuzzParseProviderARN(f *testing.F) {
	for _, s := range seedARNs {
		f.Add(s)
	}
	for _, c := range loadCases(f) {
		for _, p := range c.OIDCProviders {
			f.Add(p.ARN)
		}
		f.Add(c.Cluster.Issuer)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := irsa.ParseProviderARN(s)
		if err != nil {
			var ae *irsa.ARNError
			if !errors.As(err, &ae) || len(ae.Problems) == 0 {
				t.Fatalf("ParseProviderARN(%q) error %#v", s, err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("ParseProviderARN(%q).String() = %q", s, p.String())
		}
	})
}

// FuzzParseIssuer checks that ParseIssuer never panics and that a parsed issuer yields a provider ARN
// that ParseProviderARN accepts with the same host/path and EKS facts.
func FuzzParseIssuer(f *testing.F) {
	f.Add("https://oidc.eks.us-west-2.amazonaws.com/id/ABC")
	f.Add("https://example.com/")
	f.Add("http://u@h:1/?#")
	for _, c := range loadCases(f) {
		f.Add(c.Cluster.Issuer)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iss, err := irsa.ParseIssuer(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("ParseIssuer(%q) error spans lines: %q", s, err)
			}
			return
		}
		if iss.HostPath == "" || strings.HasSuffix(iss.HostPath, "/") {
			t.Fatalf("ParseIssuer(%q): HostPath %q", s, iss.HostPath)
		}
		p, err := irsa.ParseProviderARN(iss.ProviderARN("aws", "111122223333"))
		if err != nil {
			return // an issuer IAM would take but whose host/path has characters we do not accept in ARNs
		}
		if p.HostPath != iss.HostPath || p.EKSRegion != iss.EKSRegion || p.EKSID != iss.EKSID {
			t.Fatalf("issuer %+v, provider %+v", iss, p)
		}
	})
}

// FuzzCheckAnnotations checks that CheckAnnotations never panics and only reports keys it was given.
func FuzzCheckAnnotations(f *testing.F) {
	f.Add(irsa.RoleARNAnnotation, "x")
	f.Add("EKS.amazonaws.com/role-arn", "x")
	f.Add(irsa.TokenExpirationAnnotation, "99999999999")
	f.Add(irsa.AudienceAnnotation, " ")
	f.Fuzz(func(t *testing.T, key, value string) {
		for _, p := range irsa.CheckAnnotations(map[string]string{key: value}) {
			if p.Key != key || p.Msg == "" || (p.Severity != irsa.SeverityError && p.Severity != irsa.SeverityWarning) {
				t.Fatalf("CheckAnnotations(%q: %q) = %+v", key, value, p)
			}
		}
	})
}
