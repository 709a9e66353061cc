package iampolicy

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const irsaPolicy = `{
  "Version": "2012-10-17",
  "Id": "trust",
  "Statement": [
    {
      "Sid": "IRSA",
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:app",
          "oidc.eks.us-west-2.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"
        }
      }
    },
    {
      "Effect": "Deny",
      "Principal": "*",
      "NotAction": ["sts:TagSession"],
      "Condition": {"NumericLessThan": {"custom:n": [1.50, 2]}, "Bool": {"aws:SecureTransport": false}}
    }
  ]
}`

func TestParseModel(t *testing.T) {
	t.Parallel()
	p, err := Parse([]byte(irsaPolicy))
	if err != nil {
		t.Fatal(err)
	}
	want := &Policy{
		Version: Version2012, ID: "trust", hasVersion: true, hasStatement: true,
		Statements: []Statement{
			{
				Sid: "IRSA", Effect: EffectAllow, hasEffect: true,
				Principal: &Principal{Values: map[string][]string{
					"Federated": {"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC"},
				}},
				Action: []string{"sts:AssumeRoleWithWebIdentity"},
				Conditions: []Condition{ // document order, not sorted
					{Operator: "StringEquals", Key: "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub", Values: []string{"system:serviceaccount:kube-system:app"}},
					{Operator: "StringEquals", Key: "oidc.eks.us-west-2.amazonaws.com/id/ABC:aud", Values: []string{"sts.amazonaws.com"}},
				},
			},
			{
				Effect: EffectDeny, hasEffect: true,
				Principal: &Principal{Wildcard: true},
				NotAction: []string{"sts:TagSession"},
				Conditions: []Condition{
					{Operator: "NumericLessThan", Key: "custom:n", Values: []string{"1.50", "2"}}, // numbers as written
					{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"false"}},
				},
			},
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", p, want)
	}
	if !p.HasVersion() || !p.VariablesEnabled() || !p.Statements[0].HasEffect() {
		t.Errorf("accessors: HasVersion %v VariablesEnabled %v HasEffect %v", p.HasVersion(), p.VariablesEnabled(), p.Statements[0].HasEffect())
	}
}

// TestParseAccepts covers the forms IAM accepts: string-or-list everywhere, a single statement object, no
// Version, the URL-encoded form GetRole returns.
func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		doc   string
		check func(t *testing.T, p *Policy)
	}{
		"statement object": {
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}}`,
			check: func(t *testing.T, p *Policy) {
				if len(p.Statements) != 1 || !p.stmtObject || p.HasVersion() || p.VariablesEnabled() {
					t.Errorf("got %+v", p)
				}
			},
		},
		"lists everywhere": {
			doc: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":["a","b"],"Service":["s"]},
				"Action":["x","y"],"Resource":["r1","r2"],"Condition":{"StringLike":{"k":["v1","v2"]}}}]}`,
			check: func(t *testing.T, p *Policy) {
				st := p.Statements[0]
				if !reflect.DeepEqual(st.Principal.Values["Federated"], []string{"a", "b"}) || len(st.Action) != 2 ||
					len(st.Resource) != 2 || !reflect.DeepEqual(st.Conditions[0].Values, []string{"v1", "v2"}) {
					t.Errorf("got %+v", st)
				}
			},
		},
		"NotPrincipal and NotResource parse": {
			doc: `{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"*","NotResource":"r"}]}`,
			check: func(t *testing.T, p *Policy) {
				st := p.Statements[0]
				if st.NotPrincipal == nil || st.Principal != nil || !reflect.DeepEqual(st.NotResource, []string{"r"}) {
					t.Errorf("got %+v", st)
				}
			},
		},
		"mixed-type condition list keeps text": {
			doc: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":["a",1,true,-2.5e3]}}}]}`,
			check: func(t *testing.T, p *Policy) {
				if got := p.Statements[0].Conditions[0].Values; !reflect.DeepEqual(got, []string{"a", "1", "true", "-2.5e3"}) {
					t.Errorf("values %q", got)
				}
			},
		},
		"empty statement list parses (TrustProblems reports it)": {
			doc: `{"Version":"2012-10-17","Statement":[]}`,
			check: func(t *testing.T, p *Policy) {
				if p.Statements == nil || len(p.Statements) != 0 || !p.hasStatement {
					t.Errorf("got %+v", p)
				}
			},
		},
		"empty action list is present, not absent": {
			doc: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":[]}]}`,
			check: func(t *testing.T, p *Policy) {
				if a := p.Statements[0].Action; a == nil || len(a) != 0 {
					t.Errorf("Action %#v", a)
				}
			},
		},
		"empty condition block": {
			doc: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{}}]}`,
			check: func(t *testing.T, p *Policy) {
				if c := p.Statements[0].Conditions; c == nil || len(c) != 0 {
					t.Errorf("Conditions %#v", c)
				}
			},
		},
		"lower-case percent escapes": {
			doc:   "%7b%22Statement%22%3a%5b%5d%7d",
			check: func(t *testing.T, p *Policy) {},
		},
		"surrounding whitespace": {
			doc:   "\n\t {\"Statement\":[]} \n",
			check: func(t *testing.T, p *Policy) {},
		},
		"URL-encoded, plus stays plus": {
			doc: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C" +
				"%22Principal%22%3A%22%2A%22%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition" +
				"%22%3A%7B%22StringEquals%22%3A%7B%22k%22%3A%22a+b%22%7D%7D%7D%5D%7D",
			check: func(t *testing.T, p *Policy) {
				c := p.Statements[0].Conditions[0]
				if c.Values[0] != "a+b" || p.Version != Version2012 {
					t.Errorf("got %+v", c)
				}
			},
		},
		"URL-encoded with lower-case escapes and spaces": {
			doc: url.PathEscape(`{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*"}]}`),
			check: func(t *testing.T, p *Policy) {
				if len(p.Statements) != 1 {
					t.Errorf("got %+v", p)
				}
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
			tc.check(t, p)
		})
	}
}

// TestParseErrors pins every SyntaxError path and the decisions about duplicates, trailing data and null.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	stmt := func(body string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow"},{` + body + `}]}`
	}
	tests := map[string]struct {
		doc      string
		path     string
		contains string
	}{
		"empty":               {"", "", "empty document"},
		"whitespace only":     {" \n", "", "empty document"},
		"not JSON":            {"nope", "", "invalid JSON"},
		"not an object":       {`["Statement"]`, "", "must be a JSON object, not a list"},
		"string root":         {`"x"`, "", "must be a JSON object, not a string"},
		"truncated":           {`{"Statement":[`, "Statement", "unexpected end"},
		"truncated in string": {`{"Statement":[{"Sid":"ab`, "Statement[0].Sid", "unexpected end"},
		"trailing data":       {`{"Statement":[]} {}`, "", "unexpected data after the document"},
		"trailing garbage":    {`{"Statement":[]}x`, "", "unexpected data after the document at offset 16"},
		"duplicate top key":   {`{"Statement":[],"Statement":[]}`, "Statement", "duplicate key"},
		"duplicate condition key": {stmt(`"Condition":{"StringEquals":{"k":"a","k":"b"}}`),
			`Statement[1].Condition.StringEquals["k"]`, "duplicate key"},
		"same condition key in two cases": {stmt(`"Condition":{"StringEquals":{"a:sub":"x","A:SUB":"y"}}`),
			`Statement[1].Condition.StringEquals["A:SUB"]`, `the same condition key as "a:sub"`},
		"duplicate operator": {stmt(`"Condition":{"Bool":{"k":"true"},"Bool":{"j":"true"}}`),
			"Statement[1].Condition.Bool", "duplicate key"},
		"unknown top element":   {`{"Statement":[],"Foo":1}`, "Foo", "unknown policy element"},
		"empty element name":    {`{"":1}`, `[""]`, "unknown policy element"},
		"duplicate in list":     {`{"Statement":[{"Sid":"a","Sid":"b"}]}`, "Statement[0].Sid", "duplicate key"},
		"mis-cased top element": {`{"statement":[]}`, "statement", `did you mean "Statement"?`},
		"unknown stmt element":  {stmt(`"Principals":"*"`), "Statement[1].Principals", "unknown statement element"},
		"mis-cased stmt element": {stmt(`"condition":{}`), "Statement[1].condition",
			`did you mean "Condition"?`},
		"odd key is quoted in path": {`{"Statement":[],"a b":1}`, `["a b"]`, "unknown policy element"},
		"version not string":        {`{"Version":2012}`, "Version", "must be a string, not a number"},
		"version null":              {`{"Version":null}`, "Version", "must be a string, not null"},
		"id not string":             {`{"Id":[]}`, "Id", "must be a string, not a list"},
		"statement string":          {`{"Statement":"x"}`, "Statement", "must be an object or a list of objects"},
		"statement null":            {`{"Statement":null}`, "Statement", "not null"},
		"statement element not object": {`{"Statement":[{},3]}`, "Statement[1]",
			"a statement must be an object, not a number"},
		"single statement path":      {`{"Statement":{"Sid":1}}`, "Statement.Sid", "must be a string"},
		"sid null":                   {stmt(`"Sid":null`), "Statement[1].Sid", "not null"},
		"effect not string":          {stmt(`"Effect":true`), "Statement[1].Effect", "must be a string, not a bool"},
		"action number":              {stmt(`"Action":5`), "Statement[1].Action", "must be a string or a list of strings"},
		"action list with number":    {stmt(`"Action":["a",5]`), "Statement[1].Action[1]", "must be a string, not a number"},
		"notaction null":             {stmt(`"NotAction":null`), "Statement[1].NotAction", "not null"},
		"resource object":            {stmt(`"Resource":{}`), "Statement[1].Resource", "must be a string or a list"},
		"notresource list of lists":  {stmt(`"NotResource":[[]]`), "Statement[1].NotResource[0]", "must be a string"},
		"principal bare ARN":         {stmt(`"Principal":"arn:aws:iam::1:root"`), "Statement[1].Principal", `must be "*" or an object`},
		"principal list":             {stmt(`"Principal":["*"]`), "Statement[1].Principal", `must be "*" or an object, not a list`},
		"principal unknown type":     {stmt(`"Principal":{"Federate":"x"}`), "Statement[1].Principal.Federate", "unknown principal type"},
		"principal mis-cased type":   {stmt(`"Principal":{"federated":"x"}`), "Statement[1].Principal.federated", `did you mean "Federated"?`},
		"principal value number":     {stmt(`"Principal":{"AWS":1}`), "Statement[1].Principal.AWS", "must be a string or a list"},
		"notprincipal null":          {stmt(`"NotPrincipal":null`), "Statement[1].NotPrincipal", "not null"},
		"principal list item object": {stmt(`"Principal":{"AWS":["a",{}]}`), "Statement[1].Principal.AWS[1]", "must be a string, not an object"},
		"condition not object":       {stmt(`"Condition":[]`), "Statement[1].Condition", "must be an object of operator"},
		"operator not object":        {stmt(`"Condition":{"StringEquals":"x"}`), "Statement[1].Condition.StringEquals", "must be an object of key"},
		"condition value object": {stmt(`"Condition":{"StringEquals":{"k":{}}}`), `Statement[1].Condition.StringEquals["k"]`,
			"value must be a string, number, bool or a list of them"},
		"condition value null": {stmt(`"Condition":{"StringEquals":{"k":null}}`), `Statement[1].Condition.StringEquals["k"]`,
			"value must be a string, number, bool or a list of them"},
		"condition list with null": {stmt(`"Condition":{"StringEquals":{"k":["a",null]}}`), `Statement[1].Condition.StringEquals["k"][1]`,
			"value must be a string, number, bool or a list of them"},
		"condition nested list": {stmt(`"Condition":{"ForAnyValue:StringLike":{"k":[["a"]]}}`),
			`Statement[1].Condition.ForAnyValue:StringLike["k"][0]`, "value must be"},
		"operator with space quoted": {stmt(`"Condition":{"String Equals":1}`), `Statement[1].Condition["String Equals"]`, "must be an object of key"},
		"too deep":                   {strings.Repeat("[", 100) + strings.Repeat("]", 100), "?", "nested deeper than"},
		"too deep in statement": {`{"Statement":[{"Condition":{"A":{"k":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}}]}`,
			"?", "nested deeper than"},
		"bad percent escape":   {"%7B%zz", "", `bad URL encoding at offset 3: "%zz"`},
		"truncated escape":     {"%7B%2", "", "truncated"},
		"URL-encoded not JSON": {"%41", "", "invalid JSON"},
		"URL-encoded empty":    {"%20", "", "empty document"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse([]byte(tc.doc))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse = %+v, %v; want *SyntaxError", p, err)
			}
			if p != nil {
				t.Errorf("policy %+v returned with an error", p)
			}
			if tc.path != "?" && se.Path != tc.path {
				t.Errorf("Path = %q, want %q", se.Path, tc.path)
			}
			if !strings.Contains(se.Msg, tc.contains) {
				t.Errorf("Msg = %q, want it to contain %q", se.Msg, tc.contains)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") || !strings.Contains(err.Error(), se.Msg) {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestSyntaxErrorString(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		err  *SyntaxError
		want string
	}{
		"with path":    {&SyntaxError{Path: "Statement[0].Effect", Msg: "bad"}, "policy: Statement[0].Effect: bad"},
		"without path": {&SyntaxError{Msg: "empty document"}, "policy: empty document"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}
