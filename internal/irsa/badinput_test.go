package irsa_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/irsa"
)

// TestParseRoleARNBadInput: every malformed role ARN is refused with a *ARNError whose problems name what is
// wrong, on one line each, and never a panic.
func TestParseRoleARNBadInput(t *testing.T) {
	t.Parallel()
	const acct = "123456789012"
	tests := map[string]struct {
		in string
		// want: a substring of one of the problems.
		want string
	}{
		"empty":                     {"", "the value is empty"},
		"only spaces":               {"   ", "whitespace"},
		"trailing newline":          {"arn:aws:iam::" + acct + ":role/x\n", "leading/trailing whitespace"},
		"leading tab":               {"\tarn:aws:iam::" + acct + ":role/x", "leading/trailing whitespace"},
		"tab inside the name":       {"arn:aws:iam::" + acct + ":role/a\tb", "a tab"},
		"fullwidth colon":           {"arn\uff1aaws\uff1aiam\uff1a\uff1a" + acct + "\uff1arole/x", "not an ARN"},
		"zero-width space in name":  {"arn:aws:iam::" + acct + ":role/or\u200bders", `'\u200b'`},
		"cyrillic a in name":        {"arn:aws:iam::" + acct + ":role/\u0430dmin", `'а'`},
		"cyrillic a in partition":   {"arn:\u0430ws:iam::" + acct + ":role/x", "unknown partition"},
		"zero-width space in acct":  {"arn:aws:iam::1234567890\u200b12:role/x", "not 12 digits"},
		"fullwidth digits in acct":  {"arn:aws:iam::\uff11\uff12\uff13456789012:role/x", "not 12 digits"},
		"role with no name":         {"arn:aws:iam::" + acct + ":role/", "the role name is empty"},
		"role without slash":        {"arn:aws:iam::" + acct + ":role", "no role name"},
		"double slash":              {"arn:aws:iam::" + acct + ":role//x", `empty segment ("//")`},
		"name of 65":                {"arn:aws:iam::" + acct + ":role/" + strings.Repeat("n", 65), "longer than 64 characters (65)"},
		"path of 513":               {"arn:aws:iam::" + acct + ":role/" + strings.Repeat("p", 511) + "/x", "longer than 512 characters (513)"},
		"upper-case ARN":            {"ARN:aws:iam::" + acct + ":role/x", `lower-case "arn:"`},
		"percent-encoded":           {"arn%3Aaws%3Aiam%3A%3A" + acct + "%3Arole%2Fx", "not an ARN"},
		"percent-encoded slash":     {"arn:aws:iam::" + acct + ":role%2Fx", "does not start with"},
		"assumed-role session":      {"arn:aws:sts::" + acct + ":assumed-role/orders/session", "arn:aws:iam::" + acct + ":role/orders"},
		"user":                      {"arn:aws:iam::" + acct + ":user/alice", "names an IAM user"},
		"instance profile":          {"arn:aws:iam::" + acct + ":instance-profile/x", "names an instance profile"},
		"with a region":             {"arn:aws:iam:us-east-1:" + acct + ":role/x", "the region must be empty"},
		"NUL in name":               {"arn:aws:iam::" + acct + ":role/a\x00b", `'\x00'`},
		"invalid UTF-8 in name":     {"arn:aws:iam::" + acct + ":role/a\xffb", `'�'`},
		"invalid UTF-8 in path":     {"arn:aws:iam::" + acct + ":role/\xff\xfe/x", "IAM does not allow in paths"},
		"two ARNs":                  {"arn:aws:iam::" + acct + ":role/arn:aws:iam::" + acct + ":role/x", "contains another ARN"},
		"wildcard":                  {"arn:aws:iam::" + acct + ":role/*", `'*'`},
		"only colons":               {":::::", "does not start with"},
		"many colons":               {strings.Repeat(":", 1000), "does not start with"},
		"placeholder account":       {"arn:aws:iam::${ACCOUNT_ID}:role/x", "placeholder"},
		"quoted (YAML copy/paste)":  {`"arn:aws:iam::` + acct + `:role/x"`, `does not start with "arn:"`},
		"escaped string":            {`arn:aws:iam::` + acct + `:role\/x`, "backslash"},
		"100 KB of name":            {"arn:aws:iam::" + acct + ":role/" + strings.Repeat("a", 100<<10), "longer than 64 characters"},
		"100 KB of junk characters": {"arn:aws:iam::" + acct + ":role/" + strings.Repeat("é", 50<<10), "longer than 64 characters"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := irsa.ParseRoleARN(tc.in)
			if err == nil {
				t.Fatalf("ParseRoleARN(%q) = %+v, want an error", tc.in, got)
			}
			var ae *irsa.ARNError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v is not an *ARNError", err, err)
			}
			if ae.Value != tc.in {
				t.Errorf("ARNError.Value = %q, want the input", ae.Value)
			}
			if len(ae.Problems) == 0 {
				t.Fatal("no problems listed")
			}
			for _, p := range ae.Problems {
				if strings.ContainsAny(p, "\n\r") {
					t.Errorf("problem spans lines (control characters must be quoted): %q", p)
				}
				// A message quotes what it shows, cut short: a 100 KB value must not be echoed whole.
				if len(p) > 400 {
					t.Errorf("problem is %d bytes long: %.120q...", len(p), p)
				}
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseRoleARN(%q):\n  %v\nwant a problem containing %q", tc.in, err, tc.want)
			}
		})
	}
}

// TestParseRoleARNBadInputLooksRight: shapes that look odd but are valid IAM role ARNs parse (a refusal would be
// a wrong denial).
func TestParseRoleARNBadInputLooksRight(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"arn:aws:iam::123456789012:role/" + strings.Repeat("n", 64),
		"arn:aws:iam::123456789012:role/" + strings.Repeat("p", 510) + "/x",
		"arn:aws:iam::123456789012:role/a/b/c/d/e",
		"arn:aws:iam::123456789012:role/+=,.@-_",
		"arn:aws:iam::000000000000:role/x",
	} {
		if _, err := irsa.ParseRoleARN(in); err != nil {
			t.Errorf("ParseRoleARN(%.60q...): %v", in, err)
		}
	}
}
