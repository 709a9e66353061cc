package iampolicy

import (
	"bytes"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// fuzzSeeds are the trust policies of every case plus inputs chosen to reach the parser's corners.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, c := range loadCases(f) {
		seeds = append(seeds, c.Role.TrustPolicy, []byte(url.PathEscape(string(c.Role.TrustPolicy))))
	}
	for _, s := range []string{
		irsaPolicy, "", " ", "{}", "[]", "null", `"*"`, "%", "%7", "%zz", "%7B%7D", "{} {}", `{"Statement":[]}x`,
		`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringLike":{"k":["a*","${k}","${k, 'd''e'}"]}}}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"NotAction":"*","NotResource":"arn:*:*:*:*:${x}"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"Federated":["a","b"]},"Action":"*","Condition":{"ForAllValues:ArnLikeIfExists":{"k":"arn:a:b:c:d:*"},"Null":{"k":[true,"false"]},"IpAddress":{"i":"::/0"},"DateLessThan":{"d":1},"BinaryEquals":{"b":"QQ=="}}}]}`,
		`{"Statement":[{"Sid":1}]}`, `{"Statement":[{"Condition":{"A":{"k":[[]]}}}]}`, `{"a":1,"a":2}`,
		"{\"Statement\":[{\"Sid\":\"\xff\"}]}", strings.Repeat("[", 64), strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || p != nil {
				t.Fatalf("Parse = %v, %T %v; want nil and *SyntaxError", p, err, err)
			}
			if se.Msg == "" {
				t.Fatalf("SyntaxError without a message: %+v", se)
			}
			return
		}
		for _, pr := range p.TrustProblems() {
			if pr.Msg == "" {
				t.Fatalf("problem without a message: %+v", pr)
			}
		}
		Evaluate(p, webIdentity(map[string][]string{"k": {"v"}}, "u"))
		// The URL-encoded form GetRole returns must parse to the same policy.
		if trimmed := bytes.TrimSpace(doc); len(trimmed) > 0 && trimmed[0] != '%' {
			q, err := Parse([]byte(url.PathEscape(string(trimmed))))
			if err != nil || !reflect.DeepEqual(p, q) {
				t.Fatalf("URL-encoded form: %v, policies equal %v", err, reflect.DeepEqual(p, q))
			}
		}
	})
}

func FuzzEvaluate(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, uint8(i), provider, "sts:AssumeRoleWithWebIdentity", "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub",
			"system:serviceaccount:ns:sa", "v2", "aws:SourceIp")
	}
	f.Fuzz(func(t *testing.T, doc []byte, typ uint8, principal, action, key, v1, v2, unknown string) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		ctx := map[string][]string{key: {v1}}
		if typ&4 != 0 {
			ctx[strings.ToUpper(key)+"2"] = []string{v1, v2}
		}
		if typ&8 != 0 {
			ctx["k"] = nil
		}
		req := &Request{
			PrincipalType: []string{PrincipalFederated, PrincipalAWS, PrincipalService, ""}[typ%4],
			Principal:     principal, Action: action, Resource: v2, Context: ctx,
			Unknown: func(k string) bool { return strings.EqualFold(k, unknown) },
		}
		res := Evaluate(p, req)
		if len(res.Statements) != len(p.Statements) {
			t.Fatalf("%d results for %d statements", len(res.Statements), len(p.Statements))
		}
		anyAllow := false
		allowApplies, denyApplies := False, False
		for i, sr := range res.Statements {
			st := p.Statements[i]
			if (sr.FirstMismatch == nil) != (sr.Applies != False) {
				t.Fatalf("statement %d: Applies %v with FirstMismatch %+v", i, sr.Applies, sr.FirstMismatch)
			}
			if len(sr.Conditions) != len(st.Conditions) {
				t.Fatalf("statement %d: %d condition results for %d conditions", i, len(sr.Conditions), len(st.Conditions))
			}
			for _, c := range sr.Conditions {
				if c.Result == False && sr.Applies != False {
					t.Fatalf("statement %d applies %v with a false condition", i, sr.Applies)
				}
			}
			switch st.Effect {
			case EffectAllow:
				anyAllow = true
				allowApplies = allowApplies.or(sr.Applies)
			case EffectDeny:
				denyApplies = denyApplies.or(sr.Applies)
			}
		}
		if !anyAllow && res.Decision != ImplicitDeny && res.Decision != ExplicitDeny {
			t.Fatalf("policy without Allow statements decided %v", res.Decision)
		}
		if res.Decision == Allow && (denyApplies != False || allowApplies != True) {
			t.Fatalf("Allow with deny %v allow %v", denyApplies, allowApplies)
		}
		if res.Decision == ExplicitDeny && denyApplies != True {
			t.Fatalf("ExplicitDeny without an applying Deny")
		}
		if res.Decision == Undetermined && len(res.UnknownKeys) == 0 && !slices.ContainsFunc(res.Statements,
			func(sr StatementResult) bool { return sr.PrincipalUnknown }) {
			t.Fatalf("Undetermined without unknown keys or principal")
		}
		if !sort.StringsAreSorted(res.UnknownKeys) {
			t.Fatalf("UnknownKeys not sorted: %q", res.UnknownKeys)
		}
		if again := Evaluate(p, req); !reflect.DeepEqual(res, again) {
			t.Fatalf("Evaluate is not deterministic")
		}
	})
}
