package iampolicy_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iampolicy"
)

const (
	biProvider = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC"
	biSub      = "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub"
)

// biStatement is an IRSA statement trusting subject sub.
func biStatement(sub string) string {
	return fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",`+
		`"Condition":{"StringEquals":{%q:%q}}}`, biProvider, biSub, sub)
}

func biPolicy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func biRequest(sub string) *iampolicy.Request {
	return &iampolicy.Request{PrincipalType: "Federated", Principal: biProvider, Action: "sts:AssumeRoleWithWebIdentity",
		Resource: "arn:aws:iam::111122223333:role/r", Context: map[string][]string{biSub: {sub}}}
}

// TestParseBadInput: malformed documents are refused with a *SyntaxError on one line, never a panic.
func TestParseBadInput(t *testing.T) {
	t.Parallel()
	good := biPolicy(biStatement("system:serviceaccount:ns:app"))
	stmt := func(body string) string {
		return biPolicy(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity",` + body + `}`)
	}
	tests := map[string]struct {
		doc  string
		want string // substring of the error
	}{
		"bad %-escape":                {"%7B%ZZ%7D", `"%ZZ" is not a %-escape`},
		"truncated %-escape":          {"%7B%2", "truncated %-escape"},
		"lone %":                      {"%", "truncated %-escape"},
		"%-escape of half a byte":     {"%7B%7", "truncated %-escape"},
		"double-encoded":              {url.PathEscape(url.PathEscape(good)), "invalid JSON"},
		"encoded to nothing":          {"%20%20", "empty document (after URL decoding)"},
		"encoded, trailing garbage":   {url.PathEscape(good) + "%00", "unexpected data after the document"},
		"BOM before the document":     {"\ufeff" + good, "invalid JSON at offset 1: invalid character"},
		"UTF-16 document":             {"\xff\xfe{\x00}\x00", "invalid JSON at offset 1: invalid character"},
		"NUL bytes":                   {"\x00\x00\x00", "invalid JSON"},
		"binary garbage":              {"\x89PNG\r\n\x1a\n\x00\x00", "invalid JSON"},
		"nested 100,000 lists":        {strings.Repeat("[", 100000), "nested deeper than 32 levels"},
		"nested 100,000 objects":      {strings.Repeat(`{"a":`, 100000), "nested deeper than 32 levels"},
		"deep Condition value":        {stmt(`"Condition":{"StringEquals":{"k":` + strings.Repeat("[", 40) + `"x"` + strings.Repeat("]", 40) + `}}`), "nested deeper than 32 levels"},
		"duplicate Effect":            {stmt(`"Effect":"Deny"`), "duplicate key"},
		"Condition value an object":   {stmt(`"Condition":{"StringEquals":{"k":{"v":"x"}}}`), "value must be a string, number, bool or a list of them"},
		"Condition value list of obj": {stmt(`"Condition":{"StringEquals":{"k":[{"v":"x"}]}}`), "value must be a string, number, bool or a list of them"},
		"null document":               {"null", "must be a JSON object, not null"},
		"null Version":                {`{"Version":null,"Statement":[]}`, "Version"},
		"null Statement":              {`{"Version":"2012-10-17","Statement":null}`, "Statement"},
		"null statement":              {biPolicy("null"), "Statement[0]"},
		"null Effect":                 {biPolicy(`{"Effect":null,"Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}`), "Statement[0].Effect"},
		"null Principal":              {biPolicy(`{"Effect":"Allow","Principal":null,"Action":"sts:AssumeRoleWithWebIdentity"}`), "Statement[0].Principal"},
		"null Federated":              {biPolicy(`{"Effect":"Allow","Principal":{"Federated":null},"Action":"sts:AssumeRoleWithWebIdentity"}`), "Statement[0].Principal.Federated"},
		"null in Federated list":      {biPolicy(`{"Effect":"Allow","Principal":{"Federated":[null]},"Action":"sts:AssumeRoleWithWebIdentity"}`), "Statement[0].Principal.Federated[0]"},
		"null Action":                 {biPolicy(`{"Effect":"Allow","Principal":"*","Action":null}`), "Statement[0].Action"},
		"null Condition":              {stmt(`"Condition":null`), "Statement[0].Condition"},
		"null operator block":         {stmt(`"Condition":{"StringEquals":null}`), "Statement[0].Condition.StringEquals"},
		"null condition value":        {stmt(`"Condition":{"StringEquals":{"k":null}}`), `Statement[0].Condition.StringEquals["k"]`},
		"null in condition values":    {stmt(`"Condition":{"StringEquals":{"k":["a",null]}}`), `Statement[0].Condition.StringEquals["k"][1]`},
		"null Sid":                    {stmt(`"Sid":null`), "Statement[0].Sid"},
		"unterminated string":         {`{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 1<<20), "unexpected end"},
		"comments":                    {"// trust\n" + good, "invalid JSON"},
		"trailing comma":              {`{"Version":"2012-10-17","Statement":[],}`, "invalid JSON"},
		"single quotes":               {`{'Version':'2012-10-17'}`, "invalid JSON"},
		"YAML instead of JSON":        {"Version: 2012-10-17\nStatement: []\n", "invalid JSON"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := iampolicy.Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse succeeded (%d statements), want an error containing %q", len(p.Statements), tc.want)
			}
			var se *iampolicy.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SyntaxError", err, err)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error spans lines: %q", msg)
			}
			if len(msg) > 300 {
				t.Errorf("error is %d bytes long (a hostile document must not be echoed): %.100q...", len(msg), msg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("Parse error:\n  %s\nwant it to contain %q", msg, tc.want)
			}
		})
	}
}

// TestParseBadInputAccepted: odd but well-formed documents parse and evaluate as IAM would: '+' is not a
// space in the URL-encoded form, huge numbers stay text, thousands of statements are all evaluated.
func TestParseBadInputAccepted(t *testing.T) {
	t.Parallel()
	const sub = "system:serviceaccount:ns:app"
	many := make([]string, 0, 10001)
	for i := range 10000 {
		many = append(many, biStatement(fmt.Sprintf("system:serviceaccount:ns:other-%d", i)))
	}
	tests := map[string]struct {
		doc  string
		sub  string
		want iampolicy.Decision
	}{
		"URL-encoded": {url.PathEscape(biPolicy(biStatement(sub))), sub, iampolicy.Allow},
		"URL-encoded with lower-case escapes": {strings.ToLower(url.PathEscape(biPolicy(biStatement(sub)))[:3]) +
			url.PathEscape(biPolicy(biStatement(sub)))[3:], sub, iampolicy.Allow},
		// GetRole encodes a space as %20; a literal '+' is a plus, as in a subject "a+b".
		"'+' is a plus, not a space":         {url.PathEscape(biPolicy(biStatement("system:serviceaccount:ns:a+b"))), "system:serviceaccount:ns:a+b", iampolicy.Allow},
		"'+' does not match a space":         {url.PathEscape(biPolicy(biStatement("system:serviceaccount:ns:a+b"))), "system:serviceaccount:ns:a b", iampolicy.ImplicitDeny},
		"leading and trailing whitespace":    {"\n\t " + biPolicy(biStatement(sub)) + "\r\n", sub, iampolicy.Allow},
		"10,000 statements, none trusts":     {biPolicy(many...), sub, iampolicy.ImplicitDeny},
		"10,000 statements, the last trusts": {biPolicy(append(many[:len(many):len(many)], biStatement(sub))...), sub, iampolicy.Allow},
		"a number of 1e400 in a condition": {biPolicy(`{"Effect":"Allow","Principal":{"Federated":"` + biProvider +
			`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + biSub + `":"` + sub +
			`"},"NumericLessThan":{"custom:n":1e400}}}`), sub, iampolicy.Undetermined},
		// The subject is not a number: the evaluator calls the comparison unknown, never a certain deny.
		"a Deny comparing the subject to 1e400": {biPolicy(biStatement(sub), `{"Effect":"Deny","Principal":"*",`+
			`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"NumericGreaterThan":{"`+biSub+`":1e400}}}`), sub, iampolicy.Undetermined},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := iampolicy.Parse([]byte(tc.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			req := biRequest(tc.sub)
			req.Unknown = func(key string) bool { return strings.HasPrefix(key, "custom:") }
			r := iampolicy.Evaluate(p, req)
			if r.Decision != tc.want {
				t.Errorf("Decision = %v, want %v", r.Decision, tc.want)
			}
			if len(r.Statements) != len(p.Statements) {
				t.Errorf("%d statement results for %d statements (no short-circuit)", len(r.Statements), len(p.Statements))
			}
		})
	}
}

// TestParseBadInputUTF8 pins what Parse does with invalid UTF-8 in a string. IAM stores only valid Unicode, so
// such a document comes from a hand-edited folder; it must not panic, and the bytes are never matched as if
// they were something else.
func TestParseBadInputUTF8(t *testing.T) {
	t.Parallel()
	doc := biPolicy(biStatement("system:serviceaccount:ns:app\xff"))
	p, err := iampolicy.Parse([]byte(doc))
	if err != nil {
		var se *iampolicy.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
		}
		return
	}
	r := iampolicy.Evaluate(p, biRequest("system:serviceaccount:ns:app"))
	if r.Decision == iampolicy.Allow {
		t.Errorf("a subject with a stray byte matched the clean subject")
	}
}
