package irsa

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRoleARN(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want RoleARN
	}{
		"plain":          {"arn:aws:iam::111122223333:role/orders", RoleARN{"aws", "111122223333", "/", "orders"}},
		"path":           {"arn:aws:iam::111122223333:role/team/app/my-role", RoleARN{"aws", "111122223333", "/team/app/", "my-role"}},
		"china":          {"arn:aws-cn:iam::111122223333:role/x", RoleARN{"aws-cn", "111122223333", "/", "x"}},
		"govcloud":       {"arn:aws-us-gov:iam::111122223333:role/records-archiver", RoleARN{"aws-us-gov", "111122223333", "/", "records-archiver"}},
		"iso-f":          {"arn:aws-iso-f:iam::111122223333:role/x", RoleARN{"aws-iso-f", "111122223333", "/", "x"}},
		"eusc":           {"arn:aws-eusc:iam::111122223333:role/x", RoleARN{"aws-eusc", "111122223333", "/", "x"}},
		"all name chars": {"arn:aws:iam::111122223333:role/aZ09_+=,.@-", RoleARN{"aws", "111122223333", "/", "aZ09_+=,.@-"}},
		"name of 64":     {"arn:aws:iam::111122223333:role/" + strings.Repeat("n", 64), RoleARN{"aws", "111122223333", "/", strings.Repeat("n", 64)}},
		"path punctuation (IAM allows ! to ~)": {
			"arn:aws:iam::111122223333:role/a!b~c/x", RoleARN{"aws", "111122223333", "/a!b~c/", "x"}},
		"path of 512": {
			"arn:aws:iam::111122223333:role/" + strings.Repeat("p", 510) + "/x",
			RoleARN{"aws", "111122223333", "/" + strings.Repeat("p", 510) + "/", "x"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRoleARN(tc.in)
			if err != nil {
				t.Fatalf("ParseRoleARN(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseRoleARN(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if s := got.String(); s != tc.in {
				t.Errorf("String() = %q, want %q", s, tc.in)
			}
			if got.RoleName() != tc.want.Name {
				t.Errorf("RoleName() = %q, want %q", got.RoleName(), tc.want.Name)
			}
		})
	}
}

func TestParseRoleARNProblems(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want []string
	}{
		"empty":           {"", []string{"the value is empty; expected arn:aws:iam::ACCOUNT:role/NAME"}},
		"only whitespace": {"  ", []string{"has leading/trailing whitespace"}},
		"placeholder account and space before name (seed 009)": {
			"arn:aws:iam::xxxxxxxxxx:role/ AMAZON_EKS_LOAD_BALANCER_CONTROLLER_ROLE",
			[]string{
				`the account ID "xxxxxxxxxx" is not 12 digits (still a placeholder?)`,
				`the role name " AMAZON_EKS_LOAD_BALANCER_CONTROLLER_ROLE" starts with a space`,
			}},
		"nested ARN (real 018)": {
			"arn:aws:iam::111122223333:role/arn:aws:iam::111122223333:role/pre-dev-velero-role",
			[]string{`the role name contains another ARN ("arn:aws:iam::111122223333:role/pre-dev-velero-role"); the annotation takes one role ARN`}},
		"two ARNs joined by a comma": {
			"arn:aws:iam::111122223333:role/a,arn:aws:iam::111122223333:role/b",
			[]string{`the role name contains another ARN ("arn:aws:iam::111122223333:role/b"); the annotation takes one role ARN`}},
		"typo in arn prefix":    {"an:aws:iam::111122223333:role/x", []string{`"an:aws:iam::..." does not start with "arn:"`}},
		"upper-case ARN prefix": {"ARN:aws:iam::111122223333:role/x", []string{`starts with "ARN:"; ARNs start with lower-case "arn:"`}},
		"leading whitespace":    {" arn:aws:iam::111122223333:role/x", []string{"has leading/trailing whitespace"}},
		"trailing newline":      {"arn:aws:iam::111122223333:role/x\n", []string{"has leading/trailing whitespace"}},
		"user":                  {"arn:aws:iam::111122223333:user/bob", []string{"names an IAM user, not a role"}},
		"group":                 {"arn:aws:iam::111122223333:group/devs", []string{"names an IAM group, not a role"}},
		"instance profile":      {"arn:aws:iam::111122223333:instance-profile/x", []string{"names an instance profile, not a role"}},
		"policy":                {"arn:aws:iam::111122223333:policy/x", []string{"names a managed policy, not a role"}},
		"oidc provider": {"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A",
			[]string{"names an OIDC provider, not a role"}},
		"capitalised resource type": {"arn:aws:iam::111122223333:Role/x", []string{`the resource type is "Role"; IAM expects lower-case "role/"`}},
		"plural resource type":      {"arn:aws:iam::111122223333:roles/x", []string{`the resource type is "roles", not "role"`}},
		"other resource":            {"arn:aws:iam::111122223333:mfa/x", []string{`the resource "mfa/x" does not start with "role/"`}},
		"assumed-role ARN": {"arn:aws:sts::111122223333:assumed-role/MyRole/session-1",
			[]string{`the service is "sts", not "iam" (an assumed-role ARN? use the role's ARN arn:aws:iam::111122223333:role/MyRole)`}},
		"sts service, unknown rest": {"arn:aws:sts::xx:foo",
			[]string{
				`the service is "sts", not "iam" (an assumed-role ARN? use the role's ARN arn:aws:iam::ACCOUNT:role/NAME)`,
				`the account ID "xx" is not 12 digits (still a placeholder?)`,
				`the resource "foo" does not start with "role/"`,
			}},
		"other service":      {"arn:aws:s3::111122223333:role/x", []string{`the service is "s3", not "iam"`}},
		"upper-case service": {"arn:aws:IAM::111122223333:role/x", []string{`the service is "IAM"; IAM ARNs use lower-case "iam"`}},
		"empty service":      {"arn:aws:::111122223333:role/x", []string{`the service is empty, not "iam"`}},
		"unknown partition":  {"arn:aws-cm:iam::111122223333:role/x", []string{`unknown partition "aws-cm" (did you mean "aws-cn"?)`}},
		"far partition":      {"arn:azure:iam::111122223333:role/x", []string{`unknown partition "azure"`}},
		"empty partition": {"arn::iam::111122223333:role/x",
			[]string{"the partition is empty; expected one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc"}},
		"region set":          {"arn:aws:iam:us-east-1:111122223333:role/x", []string{`the region must be empty in an IAM ARN (found "us-east-1")`}},
		"11-digit account":    {"arn:aws:iam::11112222333:role/x", []string{`the account ID "11112222333" is not 12 digits (it has 11)`}},
		"account with dashes": {"arn:aws:iam::1111-2222-3333:role/x", []string{`the account ID "1111-2222-3333" is not 12 digits`}},
		"templated account":   {"arn:aws:iam::${AWS_ACCOUNT_ID}:role/x", []string{`the account ID "${AWS_ACCOUNT_ID}" is not 12 digits (still a placeholder?)`}},
		"empty account":       {"arn:aws:iam:::role/x", []string{"the account ID is empty; expected 12 digits"}},
		"missing colon": {"arn:aws:iam:111122223333:role/x",
			[]string{`"arn:aws:iam:111122223333:role/x" has 5 colon-separated fields, an ARN has 6 (a missing ":"?); expected arn:aws:iam::ACCOUNT:role/NAME`}},
		"bare role name": {"my-role", []string{`"my-role" is a role name, not an ARN; use arn:aws:iam::ACCOUNT:role/my-role`}},
		"not an ARN":     {"hello world", []string{`"hello world" is not an ARN; expected arn:aws:iam::ACCOUNT:role/NAME`}},
		"escaped slash": {`arn:aws:iam::111122223333:role\/x`,
			[]string{"contains a backslash (an escaped string pasted verbatim?)", `the resource "role\\/x" does not start with "role/"`}},
		"backslash in name":  {`arn:aws:iam::111122223333:role/a\b`, []string{"contains a backslash (an escaped string pasted verbatim?)"}},
		"no resource":        {"arn:aws:iam::111122223333:", []string{"the resource is empty; expected role/NAME after the account ID"}},
		"role without name":  {"arn:aws:iam::111122223333:role", []string{`the resource "role" has no role name; expected role/NAME`}},
		"role slash only":    {"arn:aws:iam::111122223333:role/", []string{"the role name is empty; expected role/NAME"}},
		"trailing slash":     {"arn:aws:iam::111122223333:role/team/", []string{`the role name is empty (the ARN ends with "/")`}},
		"empty path segment": {"arn:aws:iam::111122223333:role/team//x", []string{`the role path "/team//" has an empty segment ("//")`}},
		"space in path": {"arn:aws:iam::111122223333:role/my team/x",
			[]string{`the role path "/my team/" contains a space, which IAM does not allow in paths`}},
		"bad name chars": {"arn:aws:iam::111122223333:role/a b:c*",
			[]string{`the role name "a b:c*" contains a space, ':' and '*', which IAM does not allow in role names`}},
		"wildcard name": {"arn:aws:iam::111122223333:role/*", []string{`the role name "*" contains '*', which IAM does not allow in role names`}},
		"non-ASCII name": {"arn:aws:iam::111122223333:role/rôle",
			[]string{`the role name "rôle" contains 'ô', which IAM does not allow in role names`}},
		"many bad chars": {"arn:aws:iam::111122223333:role/a!#$%^&",
			[]string{`the role name "a!#$%^&" contains '!', '#', '$', '%', '^' and 1 more, which IAM does not allow in role names`}},
		"name of 65": {"arn:aws:iam::111122223333:role/" + strings.Repeat("n", 65), []string{"the role name is longer than 64 characters (65)"}},
		"path of 513": {"arn:aws:iam::111122223333:role/" + strings.Repeat("p", 511) + "/x",
			[]string{"the role path is longer than 512 characters (513)"}},
		"every field wrong": {"an:aws-cm:sts:us-east-1:xxxxxxxxxx:user/ bob",
			[]string{
				`"an:aws-cm:st..." does not start with "arn:"`,
				`unknown partition "aws-cm" (did you mean "aws-cn"?)`,
				`the service is "sts", not "iam" (an assumed-role ARN? use the role's ARN arn:aws:iam::ACCOUNT:role/NAME)`,
				`the region must be empty in an IAM ARN (found "us-east-1")`,
				`the account ID "xxxxxxxxxx" is not 12 digits (still a placeholder?)`,
				"names an IAM user, not a role",
			}},
		"control character stays on one line": {"arn:aws:iam::111122223333:role/a\x1bb",
			[]string{`the role name "a\x1bb" contains '\x1b', which IAM does not allow in role names`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRoleARN(tc.in)
			var ae *ARNError
			if !errors.As(err, &ae) {
				t.Fatalf("ParseRoleARN(%q) = %+v, %v; want an *ARNError", tc.in, got, err)
			}
			if got != (RoleARN{}) {
				t.Errorf("ParseRoleARN(%q) returned %+v with an error, want the zero RoleARN", tc.in, got)
			}
			if ae.Value != tc.in {
				t.Errorf("Value = %q, want %q", ae.Value, tc.in)
			}
			if !reflect.DeepEqual(ae.Problems, tc.want) {
				t.Errorf("ParseRoleARN(%q) problems:\n got %q\nwant %q", tc.in, ae.Problems, tc.want)
			}
			if msg := err.Error(); msg != strings.Join(tc.want, "; ") || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("Error() = %q, want the problems joined on one line", msg)
			}
		})
	}
}

func TestParseProviderARN(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want ProviderARN
	}{
		"eks": {"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C",
			ProviderARN{"aws", "111122223333", "oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C", "us-west-2", "5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"}},
		"eks china": {"arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
			ProviderARN{"aws-cn", "111122223333", "oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC", "cn-north-1", "ABC"}},
		"eks govcloud": {"arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC",
			ProviderARN{"aws-us-gov", "111122223333", "oidc.eks.us-gov-west-1.amazonaws.com/id/ABC", "us-gov-west-1", "ABC"}},
		"self-hosted": {"arn:aws:iam::111122223333:oidc-provider/s3.amazonaws.com/my-cluster-oidc",
			ProviderARN{"aws", "111122223333", "s3.amazonaws.com/my-cluster-oidc", "", ""}},
		"host only": {"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
			ProviderARN{"aws", "111122223333", "token.actions.githubusercontent.com", "", ""}},
		"china host in aws region is not EKS": {"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com.cn/id/ABC",
			ProviderARN{"aws", "111122223333", "oidc.eks.us-east-1.amazonaws.com.cn/id/ABC", "", ""}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseProviderARN(tc.in)
			if err != nil {
				t.Fatalf("ParseProviderARN(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseProviderARN(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
			if got.IsEKS() != (tc.want.EKSID != "") {
				t.Errorf("IsEKS() = %v", got.IsEKS())
			}
		})
	}
}

func TestParseProviderARNProblems(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want []string
	}{
		"bare issuer host (real 013)": {"oidc.eks.us-west-2.amazonaws.com/id/441954D29AD2A375CEF8EA524A2C7E73",
			[]string{`"oidc.eks.us-west-2.amazonaws.com/id/4419..." is an issuer, not a provider ARN; use arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/441954D29AD2A375CEF8EA524A2C7E73`}},
		"issuer URL": {"https://example.com/",
			[]string{`"https://example.com/" is an issuer, not a provider ARN; use arn:aws:iam::ACCOUNT:oidc-provider/example.com`}},
		"scheme in ARN": {"arn:aws:iam::111122223333:oidc-provider/https://example.com",
			[]string{`the issuer "https://example.com" includes the scheme; provider ARNs name it without "https://"`}},
		"trailing slash": {"arn:aws:iam::111122223333:oidc-provider/example.com/",
			[]string{`the issuer "example.com/" ends with "/"`}},
		"role ARN": {"arn:aws:iam::111122223333:role/x", []string{"names an IAM role, not an OIDC provider"}},
		"saml":     {"arn:aws:iam::111122223333:saml-provider/x", []string{"names a SAML provider, not an OIDC provider"}},
		"no issuer": {"arn:aws:iam::111122223333:oidc-provider",
			[]string{`the resource "oidc-provider" has no issuer; expected oidc-provider/HOST/PATH`}},
		"empty issuer": {"arn:aws:iam::111122223333:oidc-provider/", []string{"the issuer after oidc-provider/ is empty"}},
		"bad account": {"arn:aws:iam::ACCOUNT_ID:oidc-provider/example.com",
			[]string{`the account ID "ACCOUNT_ID" is not 12 digits (still a placeholder?)`}},
		"space in issuer": {"arn:aws:iam::111122223333:oidc-provider/example.com/a b",
			[]string{`the issuer "example.com/a b" contains a space`}},
		"empty":  {"", []string{"the value is empty; expected arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH"}},
		"a word": {"cluster", []string{`"cluster" is not an ARN; expected arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseProviderARN(tc.in)
			var ae *ARNError
			if !errors.As(err, &ae) {
				t.Fatalf("ParseProviderARN(%q) error = %v, want an *ARNError", tc.in, err)
			}
			if !reflect.DeepEqual(ae.Problems, tc.want) {
				t.Errorf("ParseProviderARN(%q) problems:\n got %q\nwant %q", tc.in, ae.Problems, tc.want)
			}
		})
	}
}
