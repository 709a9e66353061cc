package iampolicy

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// condDoc is an Allow statement for everyone whose only test is cond (an operator -> key -> values object).
func condDoc(version, cond string) string {
	v := ""
	if version != "" {
		v = `"Version":"` + version + `",`
	}
	return `{` + v + `"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":` + cond + `}]}`
}

func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func unknownOf(keys ...string) func(string) bool {
	return func(k string) bool {
		return slices.ContainsFunc(keys, func(u string) bool { return strings.EqualFold(u, k) })
	}
}

type condCase struct {
	version string // "" means 2012-10-17; "none" means no Version element
	cond    string
	ctx     map[string][]string
	unknown []string
	want    Tri
	keys    []string // want UnknownKeys (only checked when want is Unknown)
}

func runCondCases(t *testing.T, tests map[string]condCase) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			version := tc.version
			switch version {
			case "":
				version = Version2012
			case "none":
				version = ""
			}
			p := mustParse(t, condDoc(version, tc.cond))
			res := Evaluate(p, &Request{Action: "x", Context: tc.ctx, Unknown: unknownOf(tc.unknown...)})
			sr := res.Statements[0]
			if len(sr.Conditions) != 1 {
				t.Fatalf("%d conditions, want 1", len(sr.Conditions))
			}
			if got := sr.Conditions[0].Result; got != tc.want {
				t.Fatalf("Result = %v, want %v", got, tc.want)
			}
			wantDecision := map[Tri]Decision{True: Allow, False: ImplicitDeny, Unknown: Undetermined}[tc.want]
			if res.Decision != wantDecision || sr.Applies != tc.want {
				t.Errorf("Decision %v Applies %v, want %v %v", res.Decision, sr.Applies, wantDecision, tc.want)
			}
			if tc.want == Unknown && !reflect.DeepEqual(res.UnknownKeys, tc.keys) {
				t.Errorf("UnknownKeys = %q, want %q", res.UnknownKeys, tc.keys)
			}
			if tc.want != Unknown && res.UnknownKeys != nil {
				t.Errorf("UnknownKeys = %q, want none", res.UnknownKeys)
			}
		})
	}
}

func ctx1(k string, v ...string) map[string][]string { return map[string][]string{k: v} }

func TestStringOperators(t *testing.T) {
	t.Parallel()
	const sub = "system:serviceaccount:team-a:api"
	runCondCases(t, map[string]condCase{
		"StringEquals match":                      {cond: `{"StringEquals":{"i:sub":"` + sub + `"}}`, ctx: ctx1("i:sub", sub), want: True},
		"StringEquals values are case-sens.":      {cond: `{"StringEquals":{"i:sub":"System:serviceaccount:team-a:api"}}`, ctx: ctx1("i:sub", sub), want: False},
		"StringEquals key is case-insens.":        {cond: `{"StringEquals":{"I:SUB":"` + sub + `"}}`, ctx: ctx1("i:Sub", sub), want: True},
		"StringEquals list is OR":                 {cond: `{"StringEquals":{"i:sub":["x","` + sub + `"]}}`, ctx: ctx1("i:sub", sub), want: True},
		"StringEquals star is literal":            {cond: `{"StringEquals":{"i:sub":"system:serviceaccount:team-a:*"}}`, ctx: ctx1("i:sub", sub), want: False},
		"StringEquals absent key":                 {cond: `{"StringEquals":{"i:sub":"x"}}`, want: False},
		"StringEquals empty value list is absent": {cond: `{"StringEquals":{"i:sub":"x"}}`, ctx: ctx1("i:sub"), want: False},
		"StringEquals unknown key": {cond: `{"StringEquals":{"aws:SourceIp":"x"}}`, unknown: []string{"aws:sourceip"}, want: Unknown,
			keys: []string{"aws:SourceIp"}},
		"StringEquals known key wins over Unknown": {cond: `{"StringEquals":{"k":"x"}}`, ctx: ctx1("k", "x"), unknown: []string{"k"}, want: True},
		"StringEquals number value":                {cond: `{"StringEquals":{"k":10}}`, ctx: ctx1("k", "10"), want: True},
		"StringNotEquals differs":                  {cond: `{"StringNotEquals":{"k":["a","b"]}}`, ctx: ctx1("k", "c"), want: True},
		"StringNotEquals NOR: one equal is false":  {cond: `{"StringNotEquals":{"k":["a","b"]}}`, ctx: ctx1("k", "b"), want: False},
		"StringNotEquals absent key is true":       {cond: `{"StringNotEquals":{"k":"a"}}`, want: True},
		"StringNotEquals unknown key":              {cond: `{"StringNotEquals":{"k":"a"}}`, unknown: []string{"k"}, want: Unknown, keys: []string{"k"}},
		"StringEqualsIgnoreCase match":             {cond: `{"StringEqualsIgnoreCase":{"k":"System:ServiceAccount:Payments:API"}}`, ctx: ctx1("k", "system:serviceaccount:payments:api"), want: True},
		"StringEqualsIgnoreCase mismatch":          {cond: `{"StringEqualsIgnoreCase":{"k":"abc"}}`, ctx: ctx1("k", "abd"), want: False},
		"StringNotEqualsIgnoreCase equal folded":   {cond: `{"StringNotEqualsIgnoreCase":{"k":"ABC"}}`, ctx: ctx1("k", "abc"), want: False},
		"StringNotEqualsIgnoreCase differs":        {cond: `{"StringNotEqualsIgnoreCase":{"k":"ABC"}}`, ctx: ctx1("k", "abd"), want: True},
		"StringLike star spans colons":             {cond: `{"StringLike":{"k":"system:serviceaccount:team-*:*"}}`, ctx: ctx1("k", "system:serviceaccount:team-payments:api"), want: True},
		"StringLike star spans everything":         {cond: `{"StringLike":{"k":"*"}}`, ctx: ctx1("k", "a:b/c"), want: True},
		"StringLike question is one char":          {cond: `{"StringLike":{"k":"ab?d"}}`, ctx: ctx1("k", "abcd"), want: True},
		"StringLike question not zero chars":       {cond: `{"StringLike":{"k":"ab?d"}}`, ctx: ctx1("k", "abd"), want: False},
		"StringLike is case-sensitive":             {cond: `{"StringLike":{"k":"A*"}}`, ctx: ctx1("k", "abc"), want: False},
		"StringLike no match":                      {cond: `{"StringLike":{"k":"system:serviceaccount:ns:*"}}`, ctx: ctx1("k", "system:serviceaccount:other:sa"), want: False},
		"StringNotLike matches pattern":            {cond: `{"StringNotLike":{"k":"a*"}}`, ctx: ctx1("k", "abc"), want: False},
		"StringNotLike outside pattern":            {cond: `{"StringNotLike":{"k":["a*","b*"]}}`, ctx: ctx1("k", "cde"), want: True},
		"StringNotLike absent":                     {cond: `{"StringNotLike":{"k":"a*"}}`, want: True},
	})
}

func TestTypedOperators(t *testing.T) {
	t.Parallel()
	runCondCases(t, map[string]condCase{
		"NumericEquals 10 vs 10.0":      {cond: `{"NumericEquals":{"k":10}}`, ctx: ctx1("k", "10.0"), want: True},
		"NumericEquals differs":         {cond: `{"NumericEquals":{"k":"10"}}`, ctx: ctx1("k", "11"), want: False},
		"NumericNotEquals differs":      {cond: `{"NumericNotEquals":{"k":"10"}}`, ctx: ctx1("k", "11"), want: True},
		"NumericNotEquals equal":        {cond: `{"NumericNotEquals":{"k":"10"}}`, ctx: ctx1("k", "10"), want: False},
		"NumericLessThan true":          {cond: `{"NumericLessThan":{"k":"10"}}`, ctx: ctx1("k", "-1"), want: True},
		"NumericLessThan equal false":   {cond: `{"NumericLessThan":{"k":"10"}}`, ctx: ctx1("k", "10"), want: False},
		"NumericLessThanEquals equal":   {cond: `{"NumericLessThanEquals":{"k":"10"}}`, ctx: ctx1("k", "10"), want: True},
		"NumericLessThanEquals greater": {cond: `{"NumericLessThanEquals":{"k":"10"}}`, ctx: ctx1("k", "10.5"), want: False},
		"NumericGreaterThan true":       {cond: `{"NumericGreaterThan":{"k":"10"}}`, ctx: ctx1("k", "1e2"), want: True},
		"NumericGreaterThan equal":      {cond: `{"NumericGreaterThan":{"k":"10"}}`, ctx: ctx1("k", "10"), want: False},
		"NumericGreaterThanEquals":      {cond: `{"NumericGreaterThanEquals":{"k":"10"}}`, ctx: ctx1("k", "10"), want: True},
		"NumericGreaterThanEquals less": {cond: `{"NumericGreaterThanEquals":{"k":"10"}}`, ctx: ctx1("k", "9"), want: False},
		"Numeric bad context value":     {cond: `{"NumericEquals":{"k":"10"}}`, ctx: ctx1("k", "ten"), want: Unknown, keys: []string{"k"}},
		"Numeric bad policy value":      {cond: `{"NumericEquals":{"k":"0x0A"}}`, ctx: ctx1("k", "10"), want: Unknown, keys: []string{"k"}},
		"Numeric NaN is not a number":   {cond: `{"NumericEquals":{"k":"NaN"}}`, ctx: ctx1("k", "NaN"), want: Unknown, keys: []string{"k"}},
		"Numeric empty is not a number": {cond: `{"NumericLessThan":{"k":""}}`, ctx: ctx1("k", "1"), want: Unknown, keys: []string{"k"}},
		"Numeric variables are literal": {cond: `{"NumericEquals":{"k":"${k}"}}`, ctx: ctx1("k", "1"), want: Unknown, keys: []string{"k"}},

		"DateEquals RFC3339 vs epoch":    {cond: `{"DateEquals":{"aws:CurrentTime":"2026-06-01T00:00:00Z"}}`, ctx: ctx1("aws:CurrentTime", "1780272000"), want: True},
		"DateEquals fractional seconds":  {cond: `{"DateEquals":{"k":"2026-06-01T00:00:00Z"}}`, ctx: ctx1("k", "2026-06-01T00:00:00.000Z"), want: True},
		"DateEquals offset":              {cond: `{"DateEquals":{"k":"2026-06-01T02:00:00+02:00"}}`, ctx: ctx1("k", "2026-06-01T00:00:00Z"), want: True},
		"DateEquals differs":             {cond: `{"DateEquals":{"k":"2026-06-01T00:00:00Z"}}`, ctx: ctx1("k", "2026-06-01T00:00:01Z"), want: False},
		"DateNotEquals differs":          {cond: `{"DateNotEquals":{"k":"2026-06-01"}}`, ctx: ctx1("k", "2026-06-02"), want: True},
		"DateNotEquals date vs midnight": {cond: `{"DateNotEquals":{"k":"2026-06-01"}}`, ctx: ctx1("k", "2026-06-01T00:00:00Z"), want: False},
		"DateLessThan":                   {cond: `{"DateLessThan":{"k":"2026-06-01T00:00"}}`, ctx: ctx1("k", "2026-05-31T23:59:59"), want: True},
		"DateLessThan equal":             {cond: `{"DateLessThan":{"k":"20260601T000000Z"}}`, ctx: ctx1("k", "2026-06-01T00:00:00Z"), want: False},
		"DateLessThanEquals equal":       {cond: `{"DateLessThanEquals":{"k":"20260601"}}`, ctx: ctx1("k", "2026-06-01T00:00:00Z"), want: True},
		"DateGreaterThan":                {cond: `{"DateGreaterThan":{"k":"2026-06-01T00:00Z"}}`, ctx: ctx1("k", "2027-01-01T00:00:00.5Z"), want: True},
		"DateGreaterThanEquals less":     {cond: `{"DateGreaterThanEquals":{"k":"2026-06-01T00:00:00Z"}}`, ctx: ctx1("k", "2026-05-31T23:59:59Z"), want: False},
		"Date bad value":                 {cond: `{"DateEquals":{"k":"June 1st"}}`, ctx: ctx1("k", "2026-06-01"), want: Unknown, keys: []string{"k"}},
		"Date bad context":               {cond: `{"DateEquals":{"k":"2026-06-01"}}`, ctx: ctx1("k", ""), want: Unknown, keys: []string{"k"}},
		"Date epoch overflow":            {cond: `{"DateEquals":{"k":"2026-06-01"}}`, ctx: ctx1("k", "99999999999999999999"), want: Unknown, keys: []string{"k"}},

		"Bool JSON true":              {cond: `{"Bool":{"aws:SecureTransport":true}}`, ctx: ctx1("aws:SecureTransport", "true"), want: True},
		"Bool is case-insensitive":    {cond: `{"Bool":{"k":"TRUE"}}`, ctx: ctx1("k", "True"), want: True},
		"Bool mismatch":               {cond: `{"Bool":{"k":"true"}}`, ctx: ctx1("k", "false"), want: False},
		"Bool bad value":              {cond: `{"Bool":{"k":"yes"}}`, ctx: ctx1("k", "true"), want: Unknown, keys: []string{"k"}},
		"Bool bad context":            {cond: `{"Bool":{"k":"true"}}`, ctx: ctx1("k", "1"), want: Unknown, keys: []string{"k"}},
		"BinaryEquals":                {cond: `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, ctx: ctx1("k", "QmluYXJ5VmFsdWU="), want: True},
		"BinaryEquals unpadded":       {cond: `{"BinaryEquals":{"k":"QQ"}}`, ctx: ctx1("k", "QQ=="), want: True},
		"BinaryEquals differs":        {cond: `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, ctx: ctx1("k", "V3JvbmdWYWx1ZQ=="), want: False},
		"BinaryEquals bad base64":     {cond: `{"BinaryEquals":{"k":"!!"}}`, ctx: ctx1("k", "QQ=="), want: Unknown, keys: []string{"k"}},
		"IpAddress v4 CIDR":           {cond: `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx: ctx1("aws:SourceIp", "203.0.113.7"), want: True},
		"IpAddress v4 outside":        {cond: `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx: ctx1("aws:SourceIp", "198.51.100.7"), want: False},
		"IpAddress non-canonical":     {cond: `{"IpAddress":{"k":"203.0.113.9/24"}}`, ctx: ctx1("k", "203.0.113.200"), want: True},
		"IpAddress single address":    {cond: `{"IpAddress":{"k":"10.0.0.1"}}`, ctx: ctx1("k", "10.0.0.1"), want: True},
		"IpAddress v6":                {cond: `{"IpAddress":{"k":"2001:db8::/32"}}`, ctx: ctx1("k", "2001:db8::1"), want: True},
		"IpAddress v4-mapped context": {cond: `{"IpAddress":{"k":"10.0.0.0/8"}}`, ctx: ctx1("k", "::ffff:10.1.2.3"), want: True},
		"IpAddress v4-mapped policy":  {cond: `{"IpAddress":{"k":"::ffff:10.0.0.0/104"}}`, ctx: ctx1("k", "10.1.2.3"), want: True},
		"IpAddress v6 vs v4":          {cond: `{"IpAddress":{"k":"2001:db8::/32"}}`, ctx: ctx1("k", "10.0.0.1"), want: False},
		"IpAddress bad CIDR":          {cond: `{"IpAddress":{"k":"10.0.0.0/99"}}`, ctx: ctx1("k", "10.0.0.1"), want: Unknown, keys: []string{"k"}},
		"IpAddress bad address":       {cond: `{"IpAddress":{"k":"nope"}}`, ctx: ctx1("k", "10.0.0.1"), want: Unknown, keys: []string{"k"}},
		"IpAddress bad context":       {cond: `{"IpAddress":{"k":"10.0.0.0/8"}}`, ctx: ctx1("k", "10.0.0"), want: Unknown, keys: []string{"k"}},
		"NotIpAddress outside":        {cond: `{"NotIpAddress":{"k":["10.0.0.0/8","192.168.0.0/16"]}}`, ctx: ctx1("k", "8.8.8.8"), want: True},
		"NotIpAddress inside":         {cond: `{"NotIpAddress":{"k":["10.0.0.0/8","192.168.0.0/16"]}}`, ctx: ctx1("k", "192.168.1.1"), want: False},

		"ArnLike wildcard in resource": {cond: `{"ArnLike":{"aws:SourceArn":"arn:aws:iam::111122223333:role/app-*"}}`,
			ctx: ctx1("aws:SourceArn", "arn:aws:iam::111122223333:role/app-two/x"), want: True},
		"ArnLike wildcard region":          {cond: `{"ArnLike":{"k":"arn:aws:iam:*:1:role/x"}}`, ctx: ctx1("k", "arn:aws:iam::1:role/x"), want: True},
		"ArnLike star stays in its part":   {cond: `{"ArnLike":{"k":"arn:aws:iam::*:role/x"}}`, ctx: ctx1("k", "arn:aws:iam::1:extra:role/x"), want: False},
		"ArnLike resource part has colons": {cond: `{"ArnLike":{"k":"arn:aws:logs:*:1:log-group:*"}}`, ctx: ctx1("k", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"), want: True},
		"ArnLike account mismatch":         {cond: `{"ArnLike":{"k":"arn:aws:iam::1:role/*"}}`, ctx: ctx1("k", "arn:aws:iam::2:role/a"), want: False},
		"ArnEquals also has wildcards":     {cond: `{"ArnEquals":{"k":"arn:aws:iam::1:role/a?c"}}`, ctx: ctx1("k", "arn:aws:iam::1:role/abc"), want: True},
		"ArnEquals is case-sensitive":      {cond: `{"ArnEquals":{"k":"arn:aws:iam::1:role/ABC"}}`, ctx: ctx1("k", "arn:aws:iam::1:role/abc"), want: False},
		"ArnNotEquals differs":             {cond: `{"ArnNotEquals":{"k":"arn:aws:iam::1:role/a"}}`, ctx: ctx1("k", "arn:aws:iam::1:role/b"), want: True},
		"ArnNotLike matches":               {cond: `{"ArnNotLike":{"k":"arn:aws:iam::1:role/*"}}`, ctx: ctx1("k", "arn:aws:iam::1:role/b"), want: False},
		"ArnLike policy not an ARN":        {cond: `{"ArnLike":{"k":"*"}}`, ctx: ctx1("k", "arn:aws:iam::1:role/b"), want: Unknown, keys: []string{"k"}},
		"ArnLike context not an ARN":       {cond: `{"ArnLike":{"k":"arn:aws:iam::1:role/*"}}`, ctx: ctx1("k", "role/b"), want: Unknown, keys: []string{"k"}},

		"Null true, key absent":       {cond: `{"Null":{"k":"true"}}`, want: True},
		"Null true, key present":      {cond: `{"Null":{"k":true}}`, ctx: ctx1("k", "v"), want: False},
		"Null false, key present":     {cond: `{"Null":{"k":"false"}}`, ctx: ctx1("k", "v"), want: True},
		"Null false, key absent":      {cond: `{"Null":{"k":"false"}}`, want: False},
		"Null true, empty value list": {cond: `{"Null":{"k":"true"}}`, ctx: ctx1("k"), want: True},
		"Null bad value":              {cond: `{"Null":{"k":"maybe"}}`, want: Unknown, keys: []string{"k"}},
		"Null unknown key":            {cond: `{"Null":{"k":"false"}}`, unknown: []string{"k"}, want: Unknown, keys: []string{"k"}},
		"unknown operator":            {cond: `{"stringEquals":{"k":"v"}}`, ctx: ctx1("k", "v"), want: Unknown, keys: []string{"k"}},
	})
}

func TestQualifiersAndIfExists(t *testing.T) {
	t.Parallel()
	tags := func(v ...string) map[string][]string { return ctx1("aws:TagKeys", v...) }
	runCondCases(t, map[string]condCase{
		"IfExists absent is true":                   {cond: `{"StringEqualsIfExists":{"k":"v"}}`, want: True},
		"IfExists present mismatch":                 {cond: `{"StringEqualsIfExists":{"k":"v"}}`, ctx: ctx1("k", "w"), want: False},
		"IfExists present match":                    {cond: `{"StringLikeIfExists":{"k":"v*"}}`, ctx: ctx1("k", "vw"), want: True},
		"NotIfExists absent":                        {cond: `{"StringNotEqualsIfExists":{"k":"v"}}`, want: True},
		"IfExists unknown key":                      {cond: `{"NumericLessThanIfExists":{"k":"1"}}`, unknown: []string{"k"}, want: Unknown, keys: []string{"k"}},
		"plain operator on multivalued key":         {cond: `{"StringEquals":{"k":"a"}}`, ctx: ctx1("k", "a", "a"), want: Unknown, keys: []string{"k"}},
		"plain negated operator on multivalued key": {cond: `{"StringNotEquals":{"k":"a"}}`, ctx: ctx1("k", "b", "c"), want: Unknown, keys: []string{"k"}},
		"ForAnyValue one matches":                   {cond: `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","cost"]}}`, ctx: tags("env", "dept"), want: True},
		"ForAnyValue none matches":                  {cond: `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","cost"]}}`, ctx: tags("dept"), want: False},
		"ForAnyValue absent key":                    {cond: `{"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}}`, want: False},
		"ForAnyValue single-valued key":             {cond: `{"ForAnyValue:StringLike":{"i:sub":["x","system:*"]}}`, ctx: ctx1("i:sub", "system:sa"), want: True},
		"ForAnyValue negated: one value outside":    {cond: `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env","cost"]}}`, ctx: tags("env", "dept"), want: True},
		"ForAnyValue negated: all inside":           {cond: `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env","cost"]}}`, ctx: tags("env", "cost"), want: False},
		"ForAnyValue absent with IfExists (undocumented)": {cond: `{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"team-*"}}`, want: Unknown,
			keys: []string{"aws:TagKeys"}},
		"ForAnyValue IfExists empty set is present":  {cond: `{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"team-*"}}`, ctx: tags(), want: False},
		"ForAnyValue empty set":                      {cond: `{"ForAnyValue:StringLike":{"aws:TagKeys":"team-*"}}`, ctx: tags(), want: False},
		"IfExists empty value list counts as absent": {cond: `{"StringEqualsIfExists":{"k":"v"}}`, ctx: ctx1("k"), want: True},
		"ForAllValues all match":                     {cond: `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","cost"]}}`, ctx: tags("env", "cost"), want: True},
		"ForAllValues one outside":                   {cond: `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","cost"]}}`, ctx: tags("env", "dept"), want: False},
		"ForAllValues absent key":                    {cond: `{"ForAllValues:StringEquals":{"aws:TagKeys":"env"}}`, want: True},
		"ForAllValues empty set":                     {cond: `{"ForAllValues:StringEquals":{"aws:TagKeys":"env"}}`, ctx: tags(), want: True},
		"ForAllValues IfExists absent":               {cond: `{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"env"}}`, want: True},
		"ForAllValues negated: none inside":          {cond: `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env"]}}`, ctx: tags("a", "b"), want: True},
		"ForAllValues negated: one inside":           {cond: `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env"]}}`, ctx: tags("a", "env"), want: False},
		"ForAllValues unknown key":                   {cond: `{"ForAllValues:StringEquals":{"aws:TagKeys":"env"}}`, unknown: []string{"aws:tagkeys"}, want: Unknown, keys: []string{"aws:TagKeys"}},
		"ForAllValues one value not comparable":      {cond: `{"ForAllValues:NumericLessThan":{"k":"10"}}`, ctx: ctx1("k", "1", "x"), want: Unknown, keys: []string{"k"}},
		"ForAllValues false beats unknown":           {cond: `{"ForAllValues:NumericLessThan":{"k":"10"}}`, ctx: ctx1("k", "11", "x"), want: False},
		"ForAnyValue true beats unknown":             {cond: `{"ForAnyValue:NumericLessThan":{"k":"10"}}`, ctx: ctx1("k", "x", "1"), want: True},
	})
}

// TestVariables: policy variables are resolved only under 2012-10-17, with defaults and the ${*} ${?} ${$}
// escapes; a variable with no value makes positive operators false and inverted ones true
// (reference_policies_variables.html, "Policy variables with no value").
func TestVariables(t *testing.T) {
	t.Parallel()
	const sub = "system:serviceaccount:team:sa"
	team := map[string][]string{"i:sub": {sub}, "aws:PrincipalTag/ns": {"team"}}
	noTag := map[string][]string{"i:sub": {sub}}
	runCondCases(t, map[string]condCase{
		"substituted":          {cond: `{"StringEquals":{"i:sub":"system:serviceaccount:${aws:PrincipalTag/ns}:sa"}}`, ctx: team, want: True},
		"substituted mismatch": {cond: `{"StringEquals":{"i:sub":"system:serviceaccount:${aws:PrincipalTag/ns}:x"}}`, ctx: team, want: False},
		"variable key is case-insensitive": {cond: `{"StringEquals":{"i:sub":"system:serviceaccount:${AWS:principaltag/NS}:sa"}}`,
			ctx: team, want: True},
		"2008 is literal": {version: Version2008, cond: `{"StringEquals":{"i:sub":"system:serviceaccount:${aws:PrincipalTag/ns}:sa"}}`,
			ctx: map[string][]string{"i:sub": {"system:serviceaccount:${aws:PrincipalTag/ns}:sa"}, "aws:PrincipalTag/ns": {"team"}}, want: True},
		"no Version is literal": {version: "none", cond: `{"StringEquals":{"i:sub":"${aws:PrincipalTag/ns}"}}`,
			ctx: map[string][]string{"i:sub": {"team"}, "aws:PrincipalTag/ns": {"team"}}, want: False},
		"default used when absent": {cond: `{"StringEquals":{"i:sub":"system:serviceaccount:${aws:PrincipalTag/ns, 'team'}:sa"}}`,
			ctx: noTag, want: True},
		"default ignored when present": {cond: `{"StringEquals":{"i:sub":"system:serviceaccount:${aws:PrincipalTag/ns, 'x'}:sa"}}`,
			ctx: team, want: True},
		"default with quote escape":  {cond: `{"StringEquals":{"k":"${aws:PrincipalTag/x, 'it''s'}"}}`, ctx: ctx1("k", "it's"), want: True},
		"no value: positive false":   {cond: `{"StringEquals":{"i:sub":["system:serviceaccount:${aws:PrincipalTag/ns}:sa"]}}`, ctx: noTag, want: False},
		"no value: StringLike false": {cond: `{"StringLike":{"i:sub":"*${aws:PrincipalTag/ns}*"}}`, ctx: noTag, want: False},
		"no value: inverted true":    {cond: `{"StringNotEquals":{"i:sub":"system:serviceaccount:${aws:PrincipalTag/ns}:sa"}}`, ctx: noTag, want: True},
		"no value beats unknown":     {cond: `{"StringEquals":{"i:sub":"${aws:PrincipalTag/ns}${aws:SourceIp}"}}`, ctx: noTag, unknown: []string{"aws:SourceIp"}, want: False},
		"unknown variable key": {cond: `{"StringEquals":{"i:sub":"system:serviceaccount:${aws:SourceIp}:sa"}}`, ctx: noTag,
			unknown: []string{"aws:SourceIp"}, want: Unknown, keys: []string{"aws:SourceIp"}},
		"multivalued variable key": {cond: `{"StringEquals":{"i:sub":"${aws:TagKeys}"}}`, ctx: map[string][]string{"i:sub": {"a"}, "aws:TagKeys": {"a", "b"}},
			want: Unknown, keys: []string{"aws:TagKeys"}},
		"escape star is literal":       {cond: `{"StringLike":{"k":"a${*}b"}}`, ctx: ctx1("k", "a*b"), want: True},
		"escape star not wildcard":     {cond: `{"StringLike":{"k":"a${*}b"}}`, ctx: ctx1("k", "axxb"), want: False},
		"escape question literal":      {cond: `{"StringLike":{"k":"a${?}*"}}`, ctx: ctx1("k", "a?bc"), want: True},
		"escape question not wildcard": {cond: `{"StringLike":{"k":"a${?}"}}`, ctx: ctx1("k", "ab"), want: False},
		"escape dollar":                {cond: `{"StringEquals":{"k":"a${$}{b}"}}`, ctx: ctx1("k", "a${b}"), want: True},
		"escape under StringEquals":    {cond: `{"StringEquals":{"k":"a${*}b"}}`, ctx: ctx1("k", "a*b"), want: True},
		"substituted wildcard is not known": {cond: `{"StringLike":{"k":"x${aws:PrincipalTag/p}"}}`, ctx: map[string][]string{"k": {"xa"}, "aws:PrincipalTag/p": {"*"}},
			want: Unknown, keys: []string{"aws:PrincipalTag/p"}},
		"default wildcard is not known": {cond: `{"StringLike":{"k":"x${aws:PrincipalTag/p, '?'}"}}`, ctx: ctx1("k", "xa"),
			want: Unknown, keys: []string{"aws:PrincipalTag/p"}},
		"substituted text is literal under StringLike": {cond: `{"StringLike":{"k":"*-${aws:PrincipalTag/p}"}}`,
			ctx: map[string][]string{"k": {"abc-team"}, "aws:PrincipalTag/p": {"team"}}, want: True},
		"unterminated is literal":       {cond: `{"StringEquals":{"k":"a${b"}}`, ctx: ctx1("k", "a${b"), want: True},
		"empty variable is literal":     {cond: `{"StringEquals":{"k":"${}"}}`, ctx: ctx1("k", "${}"), want: True},
		"unquoted default is literal":   {cond: `{"StringEquals":{"k":"${b, c}"}}`, ctx: ctx1("k", "${b, c}"), want: True},
		"unterminated default literal":  {cond: `{"StringEquals":{"k":"${b, 'c}"}}`, ctx: ctx1("k", "${b, 'c}"), want: True},
		"default without brace literal": {cond: `{"StringEquals":{"k":"${b, 'c' x"}}`, ctx: ctx1("k", "${b, 'c' x"), want: True},
		"default at end literal":        {cond: `{"StringEquals":{"k":"${b, "}}`, ctx: ctx1("k", "${b, "), want: True},
		"space in key literal":          {cond: `{"StringEquals":{"k":"${a b}"}}`, ctx: ctx1("k", "${a b}"), want: True},
		"ArnLike variable in account": {cond: `{"ArnLike":{"aws:SourceArn":"arn:aws:iam::${aws:PrincipalAccount}:role/*"}}`,
			ctx: map[string][]string{"aws:SourceArn": {"arn:aws:iam::111122223333:role/a"}, "aws:PrincipalAccount": {"111122223333"}}, want: True},
		"ArnLike variable no value": {cond: `{"ArnLike":{"aws:SourceArn":"arn:aws:iam::${aws:PrincipalAccount}:role/*"}}`,
			ctx: ctx1("aws:SourceArn", "arn:aws:iam::111122223333:role/a"), want: False},
		"IgnoreCase substituted": {cond: `{"StringEqualsIgnoreCase":{"k":"${aws:PrincipalTag/p}"}}`,
			ctx: map[string][]string{"k": {"TEAM"}, "aws:PrincipalTag/p": {"team"}}, want: True},
	})
}

const provider = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

func webIdentity(ctx map[string][]string, unknown ...string) *Request {
	return &Request{
		PrincipalType: PrincipalFederated, Principal: provider, Action: "sts:AssumeRoleWithWebIdentity",
		Resource: "arn:aws:iam::111122223333:role/app", Context: ctx, Unknown: unknownOf(unknown...),
	}
}

func TestPrincipalActionResource(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		stmt      string // statement body without Effect
		req       *Request
		applies   Tri
		principal bool
		unknownP  bool
		action    bool
		mismatch  string
	}{
		"wildcard principal":                  {stmt: `"Principal":"*","Action":"*"`, applies: True, principal: true, action: true},
		"federated exact":                     {stmt: `"Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity"`, applies: True, principal: true, action: true},
		"federated is case-sensitive":         {stmt: `"Principal":{"Federated":"` + strings.ToLower(provider) + `"},"Action":"*"`, applies: False, action: true, mismatch: "Principal"},
		"federated list OR":                   {stmt: `"Principal":{"Federated":["x","` + provider + `"]},"Action":"*"`, applies: True, principal: true, action: true},
		"bare issuer is not the provider":     {stmt: `"Principal":{"Federated":"oidc.eks.us-east-1.amazonaws.com/id/ABC"},"Action":"*"`, applies: False, action: true, mismatch: "Principal"},
		"AWS star vs web identity is unknown": {stmt: `"Principal":{"AWS":"*"},"Action":"*"`, applies: Unknown, unknownP: true, action: true},
		"AWS ARN vs web identity":             {stmt: `"Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"*"`, applies: False, action: true, mismatch: "Principal"},
		"Service vs web identity":             {stmt: `"Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"*"`, applies: False, action: true, mismatch: "Principal"},
		"Federated star is unknown":           {stmt: `"Principal":{"Federated":"*"},"Action":"*"`, applies: Unknown, unknownP: true, action: true},
		"AWS star vs AWS caller": {stmt: `"Principal":{"AWS":"*"},"Action":"*"`, applies: True, principal: true, action: true,
			req: &Request{PrincipalType: PrincipalAWS, Principal: "arn:aws:iam::1:role/r", Action: "sts:AssumeRole"}},
		"AWS exact vs AWS caller": {stmt: `"Principal":{"AWS":"arn:aws:iam::1:role/r"},"Action":"sts:AssumeRole"`, applies: True, principal: true, action: true,
			req: &Request{PrincipalType: PrincipalAWS, Principal: "arn:aws:iam::1:role/r", Action: "sts:AssumeRole"}},
		"empty caller matches nothing": {stmt: `"Principal":{"Federated":""},"Action":"*"`, applies: False, action: true, mismatch: "Principal",
			req: &Request{PrincipalType: PrincipalFederated}},
		"NotPrincipal other":               {stmt: `"NotPrincipal":{"Federated":"x"},"Action":"*"`, applies: True, principal: true, action: true},
		"NotPrincipal same":                {stmt: `"NotPrincipal":{"Federated":"` + provider + `"},"Action":"*"`, applies: False, action: true, mismatch: "Principal"},
		"NotPrincipal AWS star":            {stmt: `"NotPrincipal":{"AWS":"*"},"Action":"*"`, applies: Unknown, unknownP: true, action: true},
		"Principal and NotPrincipal":       {stmt: `"Principal":"*","NotPrincipal":{"Federated":"` + provider + `"},"Action":"*"`, applies: False, action: true, mismatch: "Principal"},
		"no principal does not apply":      {stmt: `"Action":"*"`, applies: False, action: true, mismatch: "Principal"},
		"action is case-insensitive":       {stmt: `"Principal":"*","Action":"STS:assumerolewithwebidentity"`, applies: True, principal: true, action: true},
		"action wildcard":                  {stmt: `"Principal":"*","Action":"sts:Assume*"`, applies: True, principal: true, action: true},
		"action question mark":             {stmt: `"Principal":"*","Action":"sts:AssumeRoleWithWebIdentit?"`, applies: True, principal: true, action: true},
		"AssumeRole is not web identity":   {stmt: `"Principal":"*","Action":["sts:AssumeRole","sts:TagSession"]`, applies: False, principal: true, mismatch: "Action"},
		"NotAction excludes":               {stmt: `"Principal":"*","NotAction":"sts:AssumeRole*"`, applies: False, principal: true, mismatch: "Action"},
		"NotAction other":                  {stmt: `"Principal":"*","NotAction":"sts:TagSession"`, applies: True, principal: true, action: true},
		"Action and NotAction":             {stmt: `"Principal":"*","Action":"*","NotAction":"sts:TagSession"`, applies: True, principal: true, action: true},
		"no action does not apply":         {stmt: `"Principal":"*"`, applies: False, principal: true, mismatch: "Action"},
		"principal reported before action": {stmt: `"Principal":{"AWS":"x"},"Action":"sts:AssumeRole"`, applies: False, mismatch: "Principal"},
		"resource glob":                    {stmt: `"Principal":"*","Action":"*","Resource":"arn:aws:iam::*:role/a?p"`, applies: True, principal: true, action: true},
		"resource is case-sensitive":       {stmt: `"Principal":"*","Action":"*","Resource":"arn:aws:iam::111122223333:role/APP"`, applies: False, principal: true, action: true, mismatch: "Resource"},
		"NotResource":                      {stmt: `"Principal":"*","Action":"*","NotResource":"arn:aws:iam::111122223333:role/app"`, applies: False, principal: true, action: true, mismatch: "Resource"},
		"NotResource other":                {stmt: `"Principal":"*","Action":"*","Resource":"*","NotResource":"x"`, applies: True, principal: true, action: true},
		"resource variable":                {stmt: `"Principal":"*","Action":"*","Resource":"arn:aws:iam::111122223333:role/${i:app}"`, applies: True, principal: true, action: true, req: webIdentity(ctx1("i:app", "app"))},
		"resource variable no value":       {stmt: `"Principal":"*","Action":"*","Resource":"arn:aws:iam::111122223333:role/${i:app}"`, applies: False, principal: true, action: true, mismatch: "Resource"},
		"resource variable unknown":        {stmt: `"Principal":"*","Action":"*","Resource":"arn:aws:iam::111122223333:role/${i:app}"`, applies: Unknown, principal: true, action: true, req: webIdentity(nil, "i:app")},
		"condition after principal":        {stmt: `"Principal":"*","Action":"*","Condition":{"StringEquals":{"k":"v"}}`, applies: False, principal: true, action: true, mismatch: "Condition"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := tc.req
			if req == nil {
				req = webIdentity(nil)
			}
			res := Evaluate(mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow",`+tc.stmt+`}}`), req)
			sr := res.Statements[0]
			if sr.Applies != tc.applies || sr.PrincipalMatch != tc.principal || sr.PrincipalUnknown != tc.unknownP || sr.ActionMatch != tc.action {
				t.Errorf("Applies %v PrincipalMatch %v PrincipalUnknown %v ActionMatch %v, want %v %v %v %v",
					sr.Applies, sr.PrincipalMatch, sr.PrincipalUnknown, sr.ActionMatch, tc.applies, tc.principal, tc.unknownP, tc.action)
			}
			got := ""
			if sr.FirstMismatch != nil {
				got = sr.FirstMismatch.Element
			}
			if got != tc.mismatch {
				t.Errorf("FirstMismatch %q, want %q", got, tc.mismatch)
			}
		})
	}
}

// TestDecision checks every combination of Allow and Deny statements that apply, may apply or do not.
func TestDecision(t *testing.T) {
	t.Parallel()
	stmt := func(effect, applies string) string {
		return `{"Effect":"` + effect + `","Principal":"*","Action":"*","Condition":{"StringEquals":{"k:` + applies + `":"v"}}}`
	}
	req := &Request{Action: "a", Context: map[string][]string{"k:t": {"v"}, "k:f": {"w"}}, Unknown: unknownOf("k:u")}
	tests := map[string]struct {
		stmts []string
		want  Decision
	}{
		"nothing":                           {nil, ImplicitDeny},
		"allow":                             {[]string{stmt("Allow", "t")}, Allow},
		"allow false":                       {[]string{stmt("Allow", "f")}, ImplicitDeny},
		"allow unknown":                     {[]string{stmt("Allow", "u")}, Undetermined},
		"allow unknown and true":            {[]string{stmt("Allow", "u"), stmt("Allow", "t")}, Allow},
		"deny":                              {[]string{stmt("Deny", "t")}, ExplicitDeny},
		"deny false":                        {[]string{stmt("Deny", "f")}, ImplicitDeny},
		"deny unknown alone":                {[]string{stmt("Deny", "u")}, ImplicitDeny},
		"deny beats allow":                  {[]string{stmt("Allow", "t"), stmt("Deny", "t")}, ExplicitDeny},
		"deny beats unknown allow":          {[]string{stmt("Allow", "u"), stmt("Deny", "t")}, ExplicitDeny},
		"deny false, allow":                 {[]string{stmt("Allow", "t"), stmt("Deny", "f")}, Allow},
		"deny false, allow unknown":         {[]string{stmt("Allow", "u"), stmt("Deny", "f")}, Undetermined},
		"deny unknown, allow":               {[]string{stmt("Deny", "u"), stmt("Allow", "t")}, Undetermined},
		"deny unknown, allow unknown":       {[]string{stmt("Deny", "u"), stmt("Allow", "u")}, Undetermined},
		"deny unknown, allow false":         {[]string{stmt("Deny", "u"), stmt("Allow", "f")}, ImplicitDeny},
		"deny unknown and true":             {[]string{stmt("Deny", "u"), stmt("Deny", "t"), stmt("Allow", "t")}, ExplicitDeny},
		"invalid effect counts for nothing": {[]string{`{"Effect":"allow","Principal":"*","Action":"*"}`}, ImplicitDeny},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc := `{"Statement":[` + strings.Join(tc.stmts, ",") + `]}`
			res := Evaluate(mustParse(t, doc), req)
			if res.Decision != tc.want {
				t.Errorf("Decision = %v, want %v", res.Decision, tc.want)
			}
			if len(res.Statements) != len(tc.stmts) {
				t.Errorf("%d statement results for %d statements", len(res.Statements), len(tc.stmts))
			}
		})
	}
}

// TestResultDetail: every condition is evaluated (no short-circuit), the first false one is named, and
// only keys of statements that may apply are reported as unknown.
func TestResultDetail(t *testing.T) {
	t.Parallel()
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"A","Effect":"Allow","Principal":"*","Action":"*","Condition":{
	    "StringEquals":{"k:t":"v","k:u2":"x"},"StringLike":{"k:f":"z*","k:f2":"y"},"Bool":{"k:t2":"true"}}},
	  {"Sid":"B","Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringEquals":{"K:U2":"x","k:u1":"x","k:t":"v"},"StringLike":{"K:U1":"x"}}},
	  {"Sid":"C","Effect":"Allow","Principal":{"AWS":"x"},"Action":"*","Condition":{"StringEquals":{"k:u3":"x"}}}]}`
	req := &Request{Action: "a", Context: map[string][]string{"k:t": {"v"}, "k:f": {"w"}, "k:t2": {"true"}},
		Unknown: unknownOf("k:u1", "k:u2", "k:u3")}
	res := Evaluate(mustParse(t, doc), req)
	a, b, c := res.Statements[0], res.Statements[1], res.Statements[2]
	wantA := []ConditionResult{
		{Operator: "StringEquals", Key: "k:t", Values: []string{"v"}, Result: True},
		{Operator: "StringEquals", Key: "k:u2", Values: []string{"x"}, Result: Unknown},
		{Operator: "StringLike", Key: "k:f", Values: []string{"z*"}, Result: False},
		{Operator: "StringLike", Key: "k:f2", Values: []string{"y"}, Result: False},
		{Operator: "Bool", Key: "k:t2", Values: []string{"true"}, Result: True},
	}
	if !reflect.DeepEqual(a.Conditions, wantA) {
		t.Errorf("A conditions =\n%+v\nwant\n%+v", a.Conditions, wantA)
	}
	if a.Index != 0 || a.Sid != "A" || a.Effect != EffectAllow || a.Applies != False {
		t.Errorf("A = %+v", a)
	}
	if a.FirstMismatch == nil || a.FirstMismatch.Element != "Condition" || a.FirstMismatch.Condition != &a.Conditions[2] {
		t.Errorf("A FirstMismatch = %+v, want the k:f condition", a.FirstMismatch)
	}
	if b.Index != 1 || b.Sid != "B" || b.Effect != EffectDeny || b.Applies != Unknown || b.FirstMismatch != nil {
		t.Errorf("B = %+v", b)
	}
	if c.Applies != False || c.FirstMismatch == nil || c.FirstMismatch.Element != "Principal" || c.Conditions[0].Result != Unknown {
		t.Errorf("C = %+v", c)
	}
	// k:u2 (A) and k:u3 (C) belong to statements that do not apply; B's keys are reported once, in any case.
	if want := []string{"K:U1", "K:U2"}; !reflect.DeepEqual(res.UnknownKeys, want) {
		t.Errorf("UnknownKeys = %q, want %q", res.UnknownKeys, want)
	}
	if res.Decision != ImplicitDeny {
		t.Errorf("Decision = %v, want ImplicitDeny (deny unknown, no allow)", res.Decision)
	}
}

func TestEvaluateNil(t *testing.T) {
	t.Parallel()
	if res := Evaluate(nil, webIdentity(nil)); res.Decision != ImplicitDeny || res.Statements != nil {
		t.Errorf("Evaluate(nil) = %+v", res)
	}
	p := mustParse(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"Null":{"k":"true"}}}]}`)
	if res := Evaluate(p, nil); res.Decision != Allow {
		t.Errorf("Evaluate(p, nil) = %+v, want Allow (empty request: every key absent)", res)
	}
	if res := Evaluate(&Policy{}, &Request{}); res.Decision != ImplicitDeny || len(res.Statements) != 0 {
		t.Errorf("Evaluate(empty policy) = %+v", res)
	}
}

func TestContextLookupMergesCases(t *testing.T) {
	t.Parallel()
	p := mustParse(t, condDoc(Version2012, `{"ForAllValues:StringEquals":{"k":["a","b"]},"ForAnyValue:StringEquals":{"K":"b"}}`))
	res := Evaluate(p, &Request{Context: map[string][]string{"K": {"a"}, "k": {"b"}, "x": {"c"}}, Action: "a"})
	if res.Statements[0].Conditions[0].Result != True || res.Statements[0].Conditions[1].Result != True {
		t.Errorf("conditions = %+v, want both true (values of K and k merged)", res.Statements[0].Conditions)
	}
	p3 := mustParse(t, condDoc(Version2012, `{"ForAllValues:StringEquals":{"ab":["a","b","c"]}}`))
	res = Evaluate(p3, &Request{Context: map[string][]string{"AB": {"a"}, "ab": {"b"}, "Ab": {"c"}}, Action: "a"})
	if res.Statements[0].Conditions[0].Result != True {
		t.Errorf("three spellings: %v, want true", res.Statements[0].Conditions[0].Result)
	}
	res = Evaluate(p3, &Request{Context: map[string][]string{"AB": {"a"}, "ab": {"b"}, "Ab": {"d"}}, Action: "a"})
	if res.Statements[0].Conditions[0].Result != False {
		t.Errorf("three spellings with d: %v, want false", res.Statements[0].Conditions[0].Result)
	}
	res = Evaluate(p, &Request{Context: map[string][]string{"K": {"a"}, "k": {"c"}}, Action: "a"})
	if res.Statements[0].Conditions[0].Result != False {
		t.Errorf("ForAllValues = %v, want false (c from k is outside)", res.Statements[0].Conditions[0].Result)
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		got, want string
	}{
		"Allow":         {Allow.String(), "Allow"},
		"ImplicitDeny":  {ImplicitDeny.String(), "ImplicitDeny"},
		"ExplicitDeny":  {ExplicitDeny.String(), "ExplicitDeny"},
		"Undetermined":  {Undetermined.String(), "Undetermined"},
		"zero Decision": {Decision(0).String(), "Decision(?)"},
		"True":          {True.String(), "true"},
		"False":         {False.String(), "false"},
		"Unknown":       {Unknown.String(), "unknown"},
		"bad Tri":       {Tri(7).String(), "Tri(?)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		pat, s string
		lit    []bool
		fold   bool
		want   bool
	}{
		"empty":                        {"", "", nil, false, true},
		"empty vs text":                {"", "a", nil, false, false},
		"star empty":                   {"*", "", nil, false, true},
		"backtracking":                 {"a*b*c", "aXbYbZc", nil, false, true},
		"backtracking fails":           {"a*b*c", "aXbYbZ", nil, false, false},
		"trailing stars":               {"a**", "a", nil, false, true},
		"question needs a char":        {"?", "", nil, false, false},
		"question is one rune":         {"a?c", "aéc", nil, false, true},
		"star over runes":              {"*é", "xxé", nil, false, true},
		"fold ascii":                   {"STS:*", "sts:AssumeRole", nil, true, true},
		"fold unicode":                 {"É", "é", nil, true, true},
		"no fold":                      {"STS:*", "sts:AssumeRole", nil, false, false},
		"plain fold equal":             {"STS:AssumeRole", "sts:assumerole", nil, true, true},
		"plain fold differs":           {"sts:AssumeRole", "sts:AssumeRolX", nil, true, false},
		"plain fold length":            {"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", nil, true, false},
		"plain fold non-ascii":         {"Ünï", "üNÏ", nil, true, true},
		"plain exact":                  {"a", "A", nil, false, false},
		"plain fold non-ascii differs": {"ü", "ö", nil, true, false},
		"plain fold non-ascii length":  {"ü", "üü", nil, true, false},
		"literal star":                 {"a*", "a*", []bool{false, true}, false, true},
		"literal star no wild":         {"a*", "ab", []bool{false, true}, false, false},
		"invalid utf8 bytes":           {"\xff", "\xff", nil, true, true},
		"invalid utf8 differ":          {"\xff", "\xfe", nil, true, false},
		"pathological":                 {strings.Repeat("*a", 20) + "b", strings.Repeat("a", 200), nil, false, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := globMatch(tc.pat, tc.lit, tc.s, tc.fold); got != tc.want {
				t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
			}
		})
	}
}
