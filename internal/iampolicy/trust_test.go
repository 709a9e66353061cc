package iampolicy

import (
	"reflect"
	"testing"
)

func TestTrustProblems(t *testing.T) {
	t.Parallel()
	const fed = `"Principal":{"Federated":"arn:aws:iam::1:oidc-provider/x"}`
	tests := map[string]struct {
		doc  string
		want []Problem
	}{
		"valid IRSA trust": {doc: irsaPolicy},
		"valid without Version, statement object": {
			doc: `{"Statement":{"Effect":"Deny",` + fed + `,"NotAction":"sts:TagSession"}}`,
		},
		"valid 2008 version, every operator form": {
			doc: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow",` + fed + `,"Action":"*","Condition":{
				"StringEqualsIfExists":{"k":"v"},"ForAnyValue:StringLike":{"k":"v"},"ForAllValues:NumericLessThanIfExists":{"k":1},
				"Null":{"k":"true"},"ArnNotLike":{"k":"arn:*:*:*:*:*"},"NotIpAddress":{"k":"10.0.0.0/8"},"BinaryEquals":{"k":"QQ=="},
				"DateGreaterThanEquals":{"k":"2020-01-01"},"Bool":{"k":true},"StringNotEqualsIgnoreCase":{"k":"v"}}}]}`,
		},
		"bad version": {
			doc:  `{"Version":"2012-10-18","Statement":[{"Effect":"Allow",` + fed + `,"Action":"*"}]}`,
			want: []Problem{{"Version", `must be "2012-10-17" or "2008-10-17", not "2012-10-18"`}},
		},
		"no statement": {
			doc:  `{"Version":"2012-10-17"}`,
			want: []Problem{{"Statement", "is required"}},
		},
		"empty statement list": {
			doc:  `{"Statement":[]}`,
			want: []Problem{{"Statement", "must contain at least one statement"}},
		},
		"every problem of one statement, in order": {
			doc: `{"Statement":[{"Effect":"allow","NotPrincipal":{"AWS":"*"},"Action":"a","NotAction":"b","Resource":"*",
				"NotResource":"x","Condition":{"stringEquals":{"k":"v","j":"w"},"NullIfExists":{"k":"true"},"StringLike":{"k":[]}}}]}`,
			want: []Problem{
				{"Statement[0].Effect", `must be "Allow" or "Deny" (case-sensitive), not "allow"`},
				{"Statement[0].NotAction", "cannot be used together with Action"},
				{"Statement[0].Resource", "is not allowed in a trust policy"},
				{"Statement[0].NotResource", "is not allowed in a trust policy"},
				{"Statement[0].NotPrincipal", "is not allowed in a trust policy; use Principal"},
				{"Statement[0].Condition.stringEquals", `unknown condition operator (operator names are case-sensitive; did you mean "StringEquals"?)`},
				{"Statement[0].Condition.NullIfExists", "unknown condition operator"},
				{`Statement[0].Condition.StringLike["k"]`, "must have at least one value"},
			},
		},
		"problems in several statements": {
			doc: `{"Statement":[{"Effect":"Allow",` + fed + `,"Action":"*"},{"Principal":"*","Action":[]},
				{"Effect":"Deny","Principal":{},"NotAction":[]},{"Effect":"DENY","Principal":{"AWS":[],"Federated":"x"}}]}`,
			want: []Problem{
				{"Statement[1].Effect", `is required ("Allow" or "Deny")`},
				{"Statement[1].Action", "must name at least one action"},
				{"Statement[2].NotAction", "must name at least one action"},
				{"Statement[2].Principal", "must name at least one principal"},
				{"Statement[3].Effect", `must be "Allow" or "Deny" (case-sensitive), not "DENY"`},
				{"Statement[3].Action", "is required (or NotAction)"},
				{"Statement[3].Principal.AWS", "must name at least one principal"},
			},
		},
		"missing principal": {
			doc:  `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`,
			want: []Problem{{"Statement.Principal", "is required in a trust policy"}},
		},
		"mis-cased qualifier and IfExists": {
			doc: `{"Statement":[{"Effect":"Allow",` + fed + `,"Action":"*","Condition":{"forallvalues:stringlikeifexists":{"k":"v"},
				"ForAnyValue:Null":{"k":"true"},"StringEqualsIfexists":{"k":"v"},"StringMatches":{"k":"v"}}}]}`,
			want: []Problem{
				{"Statement[0].Condition.forallvalues:stringlikeifexists", `unknown condition operator (operator names are case-sensitive; did you mean "ForAllValues:StringLikeIfExists"?)`},
				{"Statement[0].Condition.ForAnyValue:Null", "unknown condition operator"},
				{"Statement[0].Condition.StringEqualsIfexists", `unknown condition operator (operator names are case-sensitive; did you mean "StringEqualsIfExists"?)`},
				{"Statement[0].Condition.StringMatches", "unknown condition operator"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := p.TrustProblems(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("TrustProblems =\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

// TestTrustProblemsBuilt: a Policy built in code (not parsed) is judged by its exported fields.
func TestTrustProblemsBuilt(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		p    *Policy
		want []Problem
	}{
		"valid": {p: &Policy{Version: Version2012, Statements: []Statement{{Effect: EffectAllow,
			Principal: &Principal{Wildcard: true}, Action: []string{"sts:AssumeRoleWithWebIdentity"}}}}},
		"bad version, no statement": {p: &Policy{Version: "1"}, want: []Problem{
			{"Version", `must be "2012-10-17" or "2008-10-17", not "1"`}, {"Statement", "is required"}}},
		"no effect": {p: &Policy{Statements: []Statement{{Principal: &Principal{Wildcard: true}, Action: []string{"*"}}}},
			want: []Problem{{"Statement[0].Effect", `is required ("Allow" or "Deny")`}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.p.TrustProblems(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("TrustProblems =\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		p    Problem
		want string
	}{
		"with path":    {Problem{"Statement[0].Effect", "is required"}, "Statement[0].Effect: is required"},
		"without path": {Problem{Msg: "x"}, "x"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.p.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}
