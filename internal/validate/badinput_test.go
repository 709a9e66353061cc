package validate_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

const (
	biIssuer   = "https://oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"
	biHost     = "oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"
	biAccount  = "111122223333"
	biProvider = "arn:aws:iam::" + biAccount + ":oidc-provider/" + biHost
	biRole     = "arn:aws:iam::" + biAccount + ":role/app"
	biSubject  = "system:serviceaccount:team:app"
)

// biTrust is a trust policy that lets team/app assume the role.
var biTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + biProvider +
	`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + biHost + `:sub":"` + biSubject +
	`","` + biHost + `:aud":"sts.amazonaws.com"}}}]}`

// biEngine serves role app (policy: the raw JSON value of AssumeRolePolicyDocument) and the cluster's provider
// from a complete folder.
func biEngine(t *testing.T, policy string) *validate.Engine {
	t.Helper()
	dir := t.TempDir()
	prov := fmt.Sprintf(`{"Arn":%q,"Url":%q,"ClientIDList":["sts.amazonaws.com"]}`, biProvider, biHost)
	role := fmt.Sprintf(`{"Role":{"Arn":%q,"RoleName":"app","Path":"/","AssumeRolePolicyDocument":%s}}`, biRole, policy)
	for name, data := range map[string]string{"provider.json": prov, "role.json": role} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src, err := iam.NewDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := irsa.ParseIssuer(biIssuer)
	if err != nil {
		t.Fatal(err)
	}
	return &validate.Engine{
		Cluster:     validate.Cluster{Issuer: issuer, Partition: "aws", DefaultAudience: irsa.DefaultAudience},
		Source:      src,
		MissingRole: validate.ActionDeny,
	}
}

func biDiagnose(t *testing.T, e *validate.Engine, roleARN string) validate.Diagnosis {
	t.Helper()
	return e.Diagnose(t.Context(), validate.ServiceAccount{Namespace: "team", Name: "app",
		Annotations: map[string]string{irsa.RoleARNAnnotation: roleARN}})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEngineBadTrustPolicy: a trust policy the engine cannot read is "trust not verified" (a warning), never a
// denial and never a panic; an odd but readable one gets the verdict IAM would give.
func TestEngineBadTrustPolicy(t *testing.T) {
	t.Parallel()
	stmts := make([]string, 0, 10000)
	for i := range 10000 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:team:other-%d"}}}`, biProvider, biHost, i))
	}
	tests := map[string]struct {
		policy  string // the JSON value of AssumeRolePolicyDocument
		verdict validate.Verdict
		code    string // a finding that must be present
	}{
		"control: readable and trusting": {biTrust, validate.Allow, ""},
		"control: URL-encoded":           {jsonString(url.PathEscape(biTrust)), validate.Allow, ""},
		"double-encoded":                 {jsonString(url.PathEscape(url.PathEscape(biTrust))), validate.Allow, ""},
		"duplicate keys":                 {`{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}`, validate.Warn, "TrustNotParsed"},
		"not JSON after the brace":       {jsonString("{not json"), validate.Warn, "TrustNotParsed"},
		"encoded garbage after decoding": {jsonString("%7Bnot%20json"), validate.Warn, "TrustNotParsed"},
		"BOM inside the string":          {jsonString("\ufeff" + biTrust), validate.Warn, "TrustNotParsed"},
		"condition value an object": {`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*",` +
			`"Condition":{"StringEquals":{"k":{"x":1}}}}]}`, validate.Warn, "TrustNotParsed"},
		"null everywhere":                {`{"Version":null,"Statement":[{"Effect":null,"Principal":null,"Action":null,"Condition":null}]}`, validate.Warn, "TrustNotParsed"},
		"nested 1,000 deep":              {strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000), validate.Warn, "TrustNotParsed"},
		"empty statement list":           {`{"Version":"2012-10-17","Statement":[]}`, validate.Warn, "TrustInvalid"},
		"Deny on a huge number":          {strings.Replace(biTrust, `]}`, `,{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":1e400}}}]}`, 1), validate.Warn, ""},
		"10,000 statements, none trusts": {`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`, validate.Deny, ""},
		"10,000 statements and a trusting one": {`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + "," +
			strings.TrimSuffix(strings.TrimPrefix(biTrust, `{"Version":"2012-10-17","Statement":[`), `]}`) + `]}`, validate.Allow, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := biDiagnose(t, biEngine(t, tc.policy), biRole)
			if d.Verdict != tc.verdict {
				t.Fatalf("verdict %s, want %s; findings: %+v", d.Verdict, tc.verdict, d.Findings)
			}
			found := tc.code == ""
			for _, f := range d.Findings {
				if f.Code == tc.code {
					found = true
					if !strings.HasPrefix(f.Message, "trust not verified: ") {
						t.Errorf("%s finding does not start with \"trust not verified: \": %s", f.Code, f.Message)
					}
				}
				if strings.ContainsAny(f.String(), "\n\r") {
					t.Errorf("finding spans lines: %q", f.String())
				}
				if len(f.String()) > 1024 {
					t.Errorf("finding is %d bytes: %.120s...", len(f.String()), f.String())
				}
			}
			if !found {
				t.Errorf("no %s finding in %+v", tc.code, d.Findings)
			}
		})
	}
}

// TestEngineBadRoleARN: a malformed role-arn annotation is one InvalidRoleARN denial (IAM has no such role, so
// STS certainly refuses), worded on one line, never a panic; nothing is looked up.
func TestEngineBadRoleARN(t *testing.T) {
	t.Parallel()
	e := biEngine(t, biTrust)
	for name, arn := range map[string]string{
		"trailing newline":     biRole + "\n",
		"zero-width space":     "arn:aws:iam::" + biAccount + ":role/a\u200bpp",
		"fullwidth colons":     strings.ReplaceAll(biRole, ":", "\uff1a"),
		"cyrillic a":           "arn:aws:iam::" + biAccount + ":role/\u0430pp",
		"tab":                  "arn:aws:iam::" + biAccount + ":role/a\tpp",
		"role with no name":    "arn:aws:iam::" + biAccount + ":role/",
		"double slash":         "arn:aws:iam::" + biAccount + ":role//app",
		"name of 65":           "arn:aws:iam::" + biAccount + ":role/" + strings.Repeat("a", 65),
		"path of 513":          "arn:aws:iam::" + biAccount + ":role/" + strings.Repeat("p", 511) + "/app",
		"upper-case ARN":       "ARN:aws:iam::" + biAccount + ":role/app",
		"percent-encoded":      url.QueryEscape(biRole),
		"assumed-role session": "arn:aws:sts::" + biAccount + ":assumed-role/app/s",
		"user":                 "arn:aws:iam::" + biAccount + ":user/app",
		"instance profile":     "arn:aws:iam::" + biAccount + ":instance-profile/app",
		"NUL":                  biRole + "\x00",
		"invalid UTF-8":        biRole + "\xff",
		"only whitespace":      " \t\n",
		"hundreds of problems": strings.Repeat("\u200b", 300) + ":" + strings.Repeat("x:", 300),
		"role name of 100 KB":  "arn:aws:iam::" + biAccount + ":role/" + strings.Repeat("a", 100<<10),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := biDiagnose(t, e, arn)
			if d.Verdict != validate.Deny {
				t.Fatalf("verdict %s, want deny; findings: %+v", d.Verdict, d.Findings)
			}
			errs := d.Errors()
			if len(errs) != 1 || errs[0].Code != "InvalidRoleARN" {
				t.Fatalf("want one InvalidRoleARN error, got %+v", errs)
			}
			if msg := d.DenialMessage(); strings.ContainsAny(msg, "\n\r") {
				t.Errorf("denial spans lines: %q", msg)
			}
		})
	}
}

// TestEngineBadInputRoleARNRegion: an IAM role ARN with a region. IAM ARNs have no region, but whether STS
// refuses such a role ARN is not documented, so it is a warning naming the ARN to use, and the role it names
// is judged as usual: never a denial on that alone.
func TestEngineBadInputRoleARNRegion(t *testing.T) {
	t.Parallel()
	d := biDiagnose(t, biEngine(t, biTrust), "arn:aws:iam:us-west-2:"+biAccount+":role/app")
	if d.Verdict == validate.Deny || len(d.Findings) == 0 || d.Findings[0].Code != "RoleARNRegion" ||
		!strings.Contains(d.Findings[0].Message, "use arn:aws:iam::"+biAccount+":role/app") {
		t.Errorf("verdict %s, findings %+v", d.Verdict, d.Findings)
	}
}

// TestEngineBadInputDenialLength: a denial is one line of a few hundred characters (STYLE.md: "about 300
// characters at most"), whatever the annotation holds. A 100 KB role-arn annotation (the API server accepts up
// to 256 KB of annotations) must not be echoed whole into the denial, the API server's response and its logs.
//
// Regression: Finding.String rendered Invalid with %q and no cut, so the denial carried the whole value
// (102,621 bytes for this input).
func TestEngineBadInputDenialLength(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:iam::" + biAccount + ":role/" + strings.Repeat("a", 100<<10)
	d := biDiagnose(t, biEngine(t, biTrust), arn)
	if d.Verdict != validate.Deny {
		t.Fatalf("verdict %s, want deny", d.Verdict)
	}
	if msg := d.DenialMessage(); len(msg) > 1024 {
		t.Errorf("denial for a 100 KB annotation is %d bytes long, want at most 1024: %.200s...", len(msg), msg)
	}
}

// TestEngineEmptyRoleARN: charts render `eks.amazonaws.com/role-arn: ""` when no role is configured. IRSA does
// not apply then (no token is projected), so there is nothing to deny: a warning says so.
func TestEngineEmptyRoleARN(t *testing.T) {
	t.Parallel()
	d := biDiagnose(t, biEngine(t, biTrust), "")
	if d.Verdict != validate.Warn || len(d.Findings) != 1 || d.Findings[0].Code != "EmptyRoleARN" {
		t.Errorf("verdict %s, findings %+v; want one EmptyRoleARN warning", d.Verdict, d.Findings)
	}
}
