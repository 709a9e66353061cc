package validate_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// wdCluster is the identity a wrong-denial case runs in: the issuer, the partition and the role annotated.
type wdCluster struct {
	issuer    string
	partition string
	role      string
}

var wdEKS = wdCluster{issuer: tIssuer, partition: "aws", role: tRole}

func (c wdCluster) host() string {
	return strings.TrimSuffix(strings.TrimPrefix(c.issuer, "https://"), "/")
}

func (c wdCluster) account() string { return strings.Split(c.role, ":")[4] }

func (c wdCluster) provider() string {
	return "arn:" + c.partition + ":iam::" + c.account() + ":oidc-provider/" + c.host()
}

// wdWriteIAM writes a complete folder with the cluster's role (trust = policy, raw JSON or URL-encoded text
// when it is a string) and its OIDC provider with the given client IDs.
func wdWriteIAM(t *testing.T, c wdCluster, policy any, clientIDs []string) string {
	t.Helper()
	dir := t.TempDir()
	var doc any = policy
	if s, ok := policy.(string); ok {
		if strings.HasPrefix(s, "%") {
			doc = s // URL-encoded, as iam:GetRole returns it
		} else {
			doc = json.RawMessage(s)
		}
	}
	res := strings.SplitN(c.role, ":", 6)[5] // role/<path>/<name>
	i := strings.LastIndexByte(res, '/')
	path, name := "/"+res[len("role/"):i+1], res[i+1:]
	if i == len("role/")-1 {
		path = "/"
	}
	role := map[string]any{"Role": map[string]any{"Path": path, "RoleName": name, "RoleId": "AROAEXAMPLE",
		"Arn": c.role, "CreateDate": "2024-01-01T00:00:00Z", "AssumeRolePolicyDocument": doc}}
	prov := map[string]any{"Url": c.host(), "ClientIDList": clientIDs, "ThumbprintList": []string{},
		"CreateDate": "2024-01-01T00:00:00Z", "Arn": c.provider()}
	for name, v := range map[string]any{"role.json": role, "provider.json": prov} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type wdCase struct {
	cluster     wdCluster // zero: wdEKS
	policy      any
	clientIDs   []string          // nil: sts.amazonaws.com
	annotations map[string]string // added to the role-arn annotation
	ns, name    string            // "": team/app
	want        validate.Verdict  // Allow or Warn: never Deny
	wantCodes   []string          // exact codes, in order, when set
	wantText    []string          // substrings of the findings
	notText     []string          // substrings the findings must not contain
}

func runWrongDeny(t *testing.T, tests map[string]wdCase) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := tc.cluster
			if c.issuer == "" {
				c = wdEKS
			}
			clientIDs := tc.clientIDs
			if clientIDs == nil {
				clientIDs = []string{"sts.amazonaws.com"}
			}
			src, err := iam.NewDir(wdWriteIAM(t, c, tc.policy, clientIDs), true)
			if err != nil {
				t.Fatal(err)
			}
			issuer, err := irsa.ParseIssuer(c.issuer)
			if err != nil {
				t.Fatal(err)
			}
			e := &validate.Engine{Cluster: validate.Cluster{Issuer: issuer, Partition: c.partition}, Source: src,
				MissingRole: validate.ActionDeny, OnLookupError: validate.ActionDeny}
			ann := map[string]string{irsa.RoleARNAnnotation: c.role}
			for k, v := range tc.annotations {
				ann[k] = v
			}
			ns, saName := tc.ns, tc.name
			if ns == "" {
				ns, saName = "team", "app"
			}
			d := e.Diagnose(t.Context(), validate.ServiceAccount{Namespace: ns, Name: saName, Annotations: ann})
			var codes, lines []string
			for _, f := range d.Findings {
				codes = append(codes, f.Code)
				lines = append(lines, f.String())
			}
			text := strings.Join(lines, "\n")
			if d.Verdict != tc.want {
				t.Errorf("verdict %s, want %s; codes %v\n%s", d.Verdict, tc.want, codes, text)
			}
			if tc.wantCodes != nil && strings.Join(codes, ",") != strings.Join(tc.wantCodes, ",") {
				t.Errorf("codes %v, want %v\n%s", codes, tc.wantCodes, text)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("findings lack %q:\n%s", w, text)
				}
			}
			for _, w := range tc.notText {
				if strings.Contains(text, w) {
					t.Errorf("findings contain %q:\n%s", w, text)
				}
			}
		})
	}
}

const wi = "sts:AssumeRoleWithWebIdentity"

func wdTrust(sts ...map[string]any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": sts}
}

func cond(op string, kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return map[string]any{op: m}
}

// merge merges condition blocks (operator -> key -> values).
func merge(blocks ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, b := range blocks {
		for op, kv := range b {
			m, _ := out[op].(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			for k, v := range kv.(map[string]any) {
				m[k] = v
			}
			out[op] = m
		}
	}
	return out
}

var (
	wdSub = tHost + ":sub"
	wdAud = tHost + ":aud"
	// wdGood is the exact sub and aud test.
	wdGood = cond("StringEquals", wdSub, tSub, wdAud, "sts.amazonaws.com")
)

// TestWrongDenyConditionKeys: condition-key spelling and set operators that IAM accepts and that let the
// subject in.
func TestWrongDenyConditionKeys(t *testing.T) {
	t.Parallel()
	upperHost := strings.ToUpper(tHost)
	lowerHost := strings.ToLower(tHost)
	mixedHost := "OIDC.eks.US-EAST-1.amazonaws.com/ID/aaaa1111BBBB2222cccc3333DDDD4444"
	runWrongDeny(t, map[string]wdCase{
		"keys in upper case": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", upperHost+":SUB", tSub, upperHost+":AUD", "sts.amazonaws.com"))),
			want:   validate.Allow},
		"keys in lower case (cluster ID lowered)": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", lowerHost+":sub", tSub, lowerHost+":aud", "sts.amazonaws.com"))),
			want:   validate.Allow},
		"keys in mixed case": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", mixedHost+":Sub", tSub, mixedHost+":Aud", "sts.amazonaws.com"))),
			want:   validate.Allow},
		"StringLike with ? and *": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(
				cond("StringLike", wdSub, "system:serviceaccount:te?m:a*"),
				cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want: validate.Warn, wantCodes: []string{"BroadSubject"}},
		"StringLike with exact value": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringLike", wdSub, tSub, wdAud, "sts.amazonaws.com"))),
			want:   validate.Allow},
		"ForAllValues:StringEquals on sub and aud": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("ForAllValues:StringEquals", wdSub, []string{tSub, "system:serviceaccount:x:y"}, wdAud, "sts.amazonaws.com"))),
			want:   validate.Allow},
		"ForAnyValue:StringLike on sub and aud": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("ForAnyValue:StringLike", wdSub, "system:serviceaccount:team:*", wdAud, "sts.*"))),
			want:   validate.Warn, wantCodes: []string{"BroadSubject"}},
		"StringEqualsIgnoreCase on aud": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringEquals", wdSub, tSub), cond("StringEqualsIgnoreCase", wdAud, "STS.AmazonAWS.com")))),
			want:   validate.Allow},
		"StringEqualsIgnoreCase on sub": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringEqualsIgnoreCase", wdSub, "System:ServiceAccount:Team:App"), cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want:   validate.Allow},
		"aud as a list of audiences": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", wdSub, tSub, wdAud, []string{"other", "sts.amazonaws.com", "third"}))),
			want:   validate.Allow},
		"sub as a list of several service accounts": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", wdSub, []string{"system:serviceaccount:a:b", tSub}, wdAud, "sts.amazonaws.com"))),
			want:   validate.Allow},
		"several operators on the same key": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(
				cond("StringLike", wdSub, "system:serviceaccount:team:*"),
				cond("StringNotEquals", wdSub, "system:serviceaccount:team:admin"),
				cond("StringNotLike", wdSub, "system:serviceaccount:kube-system:*"),
				cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want: validate.Warn, wantCodes: []string{"BroadSubject"}},
		"StringNotEquals on sub for another service account": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(
				cond("StringNotEquals", wdSub, "system:serviceaccount:team:other"),
				cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want: validate.Warn, wantCodes: []string{"NoSubCondition"}},
		"StringEqualsIfExists on sub": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEqualsIfExists", wdSub, tSub, wdAud, "sts.amazonaws.com"))),
			want:   validate.Allow},
		"ArnLike on the sub is unknown, not a denial": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("ArnLike", wdSub, "system:serviceaccount:team:app"), cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want:   validate.Warn},
		"Null sub false": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("Null", wdSub, "false", wdAud, "false")))),
			want:   validate.Allow},
		"Null on another provider's key true": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("Null", "accounts.google.com:aud", "true")))),
			want:   validate.Allow},
		"IfExists on another provider's key": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEqualsIfExists", "accounts.google.com:aud", "x")))),
			want:   validate.Allow},
		"amr claim key is unknown": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("ForAnyValue:StringLike", tHost+":amr", "authenticated")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"email claim key is unknown": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEquals", tHost+":email", "a@b.c")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
	})
}

// TestWrongDenyGlobalKeys: conditions on keys known only at call time are unknown (warn), never a denial.
func TestWrongDenyGlobalKeys(t *testing.T) {
	t.Parallel()
	runWrongDeny(t, map[string]wdCase{
		"Bool aws:SecureTransport": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("Bool", "aws:SecureTransport", true)))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"aws:SourceVpce": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"aws:RequestTag": {
			policy: wdTrust(statement("Allow", fed(tProvider), []string{wi, "sts:TagSession"}, merge(wdGood, cond("StringEquals", "aws:RequestTag/team", "payments")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"aws:RequestTag with a colon in the tag key": {
			// Fixed (was a wrong denial): subject.classify (explain.go) takes the text before the LAST ':' as the key's prefix;
			// "aws:RequestTag/project" contains '/', so the key is judged "another OIDC provider's" (known
			// absent) and the statement denied (ConditionOtherProvider). IAM tag keys may contain ':' (pattern
			// [\p{L}\p{Z}\p{N}_.:/=+\-@]+, https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html), and
			// aws:RequestTag/... is a global key that design.md says is unknown at admission ("tags").
			policy: wdTrust(statement("Allow", fed(tProvider), []string{wi, "sts:TagSession"}, merge(wdGood, cond("StringEquals", "aws:RequestTag/project:env", "prod")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"aws:ResourceTag with a colon in the tag key": {
			// Fixed (was a wrong denial): same as above: the role's own tag (e.g. one written by a tool as "team:owner") is judged
			// a key of another OIDC provider. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEquals", "aws:ResourceTag/team:owner", "payments")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"aws:PrincipalTag with a colon in the tag key": {
			// Fixed (was a wrong denial): same misclassification.
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEquals", "aws:PrincipalTag/kubernetes.io:namespace", "team")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"policy variable of a tag key with a colon": {
			// Fixed (was a wrong denial): the variable resolves through the same classification: "absent", so the value is null and
			// the StringLike false.
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringLike", wdSub, "system:serviceaccount:${aws:ResourceTag/k8s:namespace}:*"), cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want:   validate.Warn},
		"aws:PrincipalTag": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEquals", "aws:PrincipalTag/team", "payments")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"sts:RoleSessionName": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringLike", "sts:RoleSessionName", "botocore-session-*")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"aws:FederatedProvider StringEquals": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEquals", "aws:FederatedProvider", tProvider)))),
			want:   validate.Warn},
		"ArnLike on aws:FederatedProvider": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("ArnLike", "aws:FederatedProvider", "arn:aws:iam::*:oidc-provider/oidc.eks.*")))),
			want:   validate.Warn},
		"aws:SourceIp and a date": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("IpAddress", "aws:SourceIp", "10.0.0.0/8"), cond("DateLessThan", "aws:CurrentTime", "2099-01-01T00:00:00Z")))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"policy variable unknown at admission": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringLike", wdSub, "system:serviceaccount:${aws:PrincipalTag/ns}:*"), cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want:   validate.Warn},
		"policy variable of this issuer's aud": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringEquals", wdSub, tSub), cond("StringEquals", wdAud, "${"+wdAud+"}")))),
			want:   validate.Allow},
		"policy variable with a default": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringEquals", wdSub, "system:serviceaccount:${aws:PrincipalTag/ns, 'team'}:app"), cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want:   validate.Warn},
		"Version absent, ${...} literal, on a key that is unknown": {
			policy: map[string]any{"Statement": []any{statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringEquals", "aws:PrincipalTag/x", "${aws:username}")))}},
			want:   validate.Warn},
		"Version 2008 with a sub that has no variable": {
			policy: map[string]any{"Version": "2008-10-17", "Statement": []any{statement("Allow", fed(tProvider), wi, wdGood)}},
			want:   validate.Allow},
		"a Deny on a call-time key only": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, wdGood),
				statement("Deny", "*", wi, cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))),
			want: validate.Warn, wantCodes: []string{"Undetermined"}},
		"a Deny on a tag key with a colon": {
			// Fixed (was a wrong denial): the Deny's StringNotEquals on "aws:RequestTag/cost:center" is judged on an absent key
			// (another provider's), hence true, hence ExplicitDeny; the key is known only at call time.
			policy: wdTrust(statement("Allow", fed(tProvider), []string{wi, "sts:TagSession"}, wdGood),
				statement("Deny", "*", []string{wi, "sts:TagSession"}, cond("StringNotEqualsIfExists", "aws:RequestTag/cost:center", "1234"))),
			want: validate.Warn, wantCodes: []string{"Undetermined"}},
	})
}

// TestWrongDenyStatements: statement shapes (principals, actions, several statements) that let the subject in.
func TestWrongDenyStatements(t *testing.T) {
	t.Parallel()
	runWrongDeny(t, map[string]wdCase{
		"sts:*": {
			policy: wdTrust(statement("Allow", fed(tProvider), "sts:*", wdGood)), want: validate.Allow},
		"sts:AssumeRoleWith*": {
			policy: wdTrust(statement("Allow", fed(tProvider), "sts:AssumeRoleWith*", wdGood)), want: validate.Allow},
		"action in other case": {
			policy: wdTrust(statement("Allow", fed(tProvider), "STS:assumerolewithwebidentity", wdGood)), want: validate.Allow},
		"action list with TagSession": {
			policy: wdTrust(statement("Allow", fed(tProvider), []string{"sts:TagSession", wi}, wdGood)), want: validate.Allow},
		"action *": {
			policy: wdTrust(statement("Allow", fed(tProvider), "*", wdGood)), want: validate.Allow},
		"NotAction sts:AssumeRole": {
			policy: wdTrust(map[string]any{"Effect": "Allow", "Principal": fed(tProvider), "NotAction": "sts:AssumeRole", "Condition": wdGood}),
			want:   validate.Allow},
		"Federated as a list": {
			policy: wdTrust(statement("Allow", map[string]any{"Federated": []string{"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER", tProvider}}, wi, wdGood)),
			want:   validate.Allow},
		"Federated and AWS in one principal": {
			policy: wdTrust(statement("Allow", map[string]any{"AWS": "arn:aws:iam::111122223333:root", "Federated": tProvider}, wi, wdGood)),
			want:   validate.Allow},
		"Sids and an unrelated Deny": {
			policy: wdTrust(
				map[string]any{"Sid": "IRSA", "Effect": "Allow", "Principal": fed(tProvider), "Action": wi, "Condition": wdGood},
				map[string]any{"Sid": "NoEC2", "Effect": "Deny", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
				map[string]any{"Sid": "NoOtherNS", "Effect": "Deny", "Principal": fed(tProvider), "Action": wi, "Condition": cond("StringLike", wdSub, "system:serviceaccount:kube-system:*")}),
			want: validate.Allow},
		"a Deny with StringNotLike that does not match": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, wdGood),
				statement("Deny", fed(tProvider), wi, cond("StringNotLike", wdSub, "system:serviceaccount:team:*"))),
			want: validate.Allow},
		"a Deny for another cluster's provider": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, wdGood),
				statement("Deny", fed("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER"), wi, nil)),
			want: validate.Allow},
		"two Allows, one for another subject": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", wdSub, "system:serviceaccount:x:y", wdAud, "sts.amazonaws.com")),
				statement("Allow", fed(tProvider), wi, wdGood)),
			want: validate.Allow},
		"statement as an object, not a list": {
			policy: map[string]any{"Version": "2012-10-17", "Statement": statement("Allow", fed(tProvider), wi, wdGood)},
			want:   validate.Allow},
		"Principal star with good conditions": {
			policy: wdTrust(statement("Allow", "*", wi, wdGood)),
			want:   validate.Warn, wantCodes: []string{"PrincipalWildcard"}},
		"Federated star": {
			policy: wdTrust(statement("Allow", fed("*"), wi, wdGood)),
			want:   validate.Warn},
		"bool and number condition values as JSON literals": {
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + tProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + wdSub + `":"` + tSub + `","` + wdAud + `":"sts.amazonaws.com"},"Bool":{"aws:MultiFactorAuthPresent":false},"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}]}`,
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		"URL-encoded trust with + in a value (encoded %2B) and %20 whitespace": {
			annotations: map[string]string{irsa.AudienceAnnotation: "app+sts"},
			clientIDs:   []string{"app+sts"},
			policy: "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22" +
				url.PathEscape(tProvider) + "%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22" +
				url.PathEscape(wdSub) + "%22%3A%22" + tSub + "%22%2C%22" + url.PathEscape(wdAud) + "%22%3A%22app%2Bsts%22%7D%7D%7D%5D%7D",
			want: validate.Allow},
		"URL-encoded trust with a literal + in a value": {
			annotations: map[string]string{irsa.AudienceAnnotation: "app+sts"},
			clientIDs:   []string{"app+sts"},
			policy: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22" +
				url.PathEscape(tProvider) + "%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22" +
				url.PathEscape(wdSub) + "%22%3A%22" + tSub + "%22%2C%22" + url.PathEscape(wdAud) + "%22%3A%22app+sts%22%7D%7D%7D%5D%7D",
			want: validate.Allow},
	})
}

// TestWrongDenyIssuers: self-hosted, China and GovCloud issuers, role paths and custom audiences.
func TestWrongDenyIssuers(t *testing.T) {
	t.Parallel()
	selfHosted := wdCluster{issuer: "https://oidc.example.com/clusters/prod", partition: "aws", role: tRole}
	s3Issuer := wdCluster{issuer: "https://my-bucket.s3.us-west-2.amazonaws.com", partition: "aws", role: tRole}
	china := wdCluster{issuer: "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/AAAA1111BBBB2222CCCC3333DDDD4444", partition: "aws-cn",
		role: "arn:aws-cn:iam::111122223333:role/app"}
	gov := wdCluster{issuer: "https://oidc.eks.us-gov-west-1.amazonaws.com/id/AAAA1111BBBB2222CCCC3333DDDD4444", partition: "aws-us-gov",
		role: "arn:aws-us-gov:iam::111122223333:role/app"}
	crossAccount := wdCluster{issuer: tIssuer, partition: "aws", role: "arn:aws:iam::444455556666:role/app"}
	iso := wdCluster{issuer: "https://oidc.eks.us-iso-east-1.c2s.ic.gov/id/AAAA1111BBBB2222CCCC3333DDDD4444", partition: "aws-iso",
		role: "arn:aws-iso:iam::111122223333:role/app"}
	gke := wdCluster{issuer: "https://container.googleapis.com/v1/projects/p/locations/europe-west1/clusters/c", partition: "aws", role: tRole}
	s3Path := wdCluster{issuer: "https://s3.us-west-2.amazonaws.com/my-oidc-bucket/cluster-1", partition: "aws", role: tRole}
	trailingSlash := wdCluster{issuer: tIssuer + "/", partition: "aws", role: tRole}
	oddName := wdCluster{issuer: tIssuer, partition: "aws", role: "arn:aws:iam::111122223333:role/service-role/app+prod=1,x.y@team_-"}
	withPath := wdCluster{issuer: tIssuer, partition: "aws", role: "arn:aws:iam::111122223333:role/teams/payments/app"}
	good := func(c wdCluster) map[string]any {
		h := c.host()
		return wdTrust(statement("Allow", fed(c.provider()), wi, cond("StringEquals", h+":sub", tSub, h+":aud", "sts.amazonaws.com")))
	}
	runWrongDeny(t, map[string]wdCase{
		"self-hosted issuer with a path": {cluster: selfHosted, policy: good(selfHosted), want: validate.Allow},
		"self-hosted issuer, keys in upper case": {cluster: selfHosted, want: validate.Allow,
			policy: wdTrust(statement("Allow", fed(selfHosted.provider()), wi, cond("StringEquals", "OIDC.EXAMPLE.COM/clusters/prod:sub", tSub, "oidc.example.com/clusters/prod:AUD", "sts.amazonaws.com")))},
		"S3-hosted issuer": {cluster: s3Issuer, policy: good(s3Issuer), want: validate.Allow},
		"China":            {cluster: china, policy: good(china), want: validate.Allow},
		"GovCloud":         {cluster: gov, policy: good(gov), want: validate.Allow},
		"role with a path": {cluster: withPath, policy: good(withPath), want: validate.Allow},
		"role in another account with its own provider": {cluster: crossAccount, policy: good(crossAccount), want: validate.Allow},
		"ISO partition":                            {cluster: iso, policy: good(iso), want: validate.Allow},
		"GKE-style issuer with a long path":        {cluster: gke, policy: good(gke), want: validate.Allow},
		"S3 path-style issuer":                     {cluster: s3Path, policy: good(s3Path), want: validate.Allow},
		"issuer given with a trailing slash":       {cluster: trailingSlash, policy: good(trailingSlash), want: validate.Allow},
		"role name with every allowed punctuation": {cluster: oddName, policy: good(oddName), want: validate.Allow},
		"custom audience listed by the provider and trusted": {
			annotations: map[string]string{irsa.AudienceAnnotation: "my-app.example.com"},
			clientIDs:   []string{"sts.amazonaws.com", "my-app.example.com"},
			policy:      wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", wdSub, tSub, wdAud, "my-app.example.com"))),
			want:        validate.Allow},
		"custom audience under StringLike": {
			annotations: map[string]string{irsa.AudienceAnnotation: "my-app.example.com"},
			clientIDs:   []string{"my-app.example.com"},
			policy:      wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringEquals", wdSub, tSub), cond("StringLike", wdAud, "*.example.com")))),
			want:        validate.Allow},
	})
}

// TestWrongDenyMore: further shapes.
func TestWrongDenyMore(t *testing.T) {
	t.Parallel()
	runWrongDeny(t, map[string]wdCase{
		"same key twice in one block, differing in case": {
			// Fixed (was a wrong denial): condition key names are case-insensitive ("Context key names are not case-sensitive",
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html), so
			// ":sub" and ":SUB" in one StringEquals block are one key written twice. How IAM reads a duplicate
			// key is undocumented (Parse refuses exact duplicates for that very reason): last-wins or a merge of
			// the values lets this subject in, so the denial (the two are ANDed) is not certain.
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + tProvider + `"},"Action":"` + wi + `","Condition":{"StringEquals":{"` + wdSub + `":"system:serviceaccount:team:old","` + strings.ToUpper(tHost) + `:sub":"` + tSub + `","` + wdAud + `":"sts.amazonaws.com"}}}]}`,
			want:   validate.Warn},
		"StringNotEqualsIgnoreCase on sub for another": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("StringNotEqualsIgnoreCase", wdSub, "SYSTEM:SERVICEACCOUNT:TEAM:OTHER")))),
			want:   validate.Allow},
		"ForAnyValue:StringNotLike on sub": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("ForAnyValue:StringNotLike", wdSub, "system:serviceaccount:kube-system:*")))),
			want:   validate.Allow},
		"ForAllValues:StringLike on sub": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("ForAllValues:StringLike", wdSub, "system:serviceaccount:team:*"), cond("StringEquals", wdAud, "sts.amazonaws.com")))),
			want:   validate.Warn, wantCodes: []string{"BroadSubject"}},
		"StringLikeIfExists on sub": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringLikeIfExists", wdSub, "system:serviceaccount:team:app", wdAud, "sts.amazonaws.com"))),
			want:   validate.Allow},
		"ArnEquals with variable ${aws:FederatedProvider}": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("ArnEquals", "aws:FederatedProvider", "${aws:FederatedProvider}")))),
			want:   validate.Warn},
		"NotAction list of other actions": {
			policy: wdTrust(map[string]any{"Effect": "Allow", "Principal": fed(tProvider), "NotAction": []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML"}, "Condition": wdGood}),
			want:   validate.Allow},
		"a Deny with Null on a call-time key": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, wdGood), statement("Deny", "*", wi, cond("Null", "aws:SourceIp", "true"))),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}},
		// Not a wrong denial, pinned: another provider's key is absent from this cluster's requests, and a
		// negated ...IfExists operator on an absent key is true, so the Deny applies to every EKS caller.
		"a Deny on a GitHub provider's key with IfExists really denies": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, wdGood),
				statement("Deny", "*", wi, cond("StringNotLikeIfExists", "token.actions.githubusercontent.com:sub", "repo:org/*"))),
			want: validate.Deny, wantCodes: []string{"ExplicitDeny"}},
		"GitHub and EKS statements in one trust": {
			policy: wdTrust(statement("Allow", fed("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"), wi, cond("StringLike", "token.actions.githubusercontent.com:sub", "repo:org/*", "token.actions.githubusercontent.com:aud", "sts.amazonaws.com")),
				statement("Allow", fed(tProvider), wi, wdGood)),
			want: validate.Allow},
		"sub tested through a variable of this issuer": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(cond("StringLike", wdSub, "system:serviceaccount:team:*"), cond("StringEquals", wdAud, "sts.amazonaws.com"), cond("StringEquals", "aws:PrincipalTag/sub", "${"+wdSub+"}")))),
			want:   validate.Warn},
		"empty Condition element": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, map[string]any{})),
			want:   validate.Warn, wantCodes: []string{"NoSubCondition", "NoAudCondition"}},
		"empty operator block": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": map[string]any{}})),
			want:   validate.Warn, wantCodes: []string{"NoSubCondition", "NoAudCondition"}},
		"condition key with a stray trailing space is unknown, not a denial": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, cond("StringEquals", wdSub+" ", tSub, wdAud, "sts.amazonaws.com"))),
			want:   validate.Warn, wantCodes: []string{"Undetermined", "NoSubCondition"}},
		"a Deny for AWS star next to a good Allow": {
			// Fixed (message only, the verdict was right): the statement is Undetermined because of its principal
			// ({"AWS":"*"} for a web identity), not of a key, so UnknownKeys is empty and the warning reads
			// "role app also tests , known only when the pod calls STS".
			policy: wdTrust(statement("Allow", fed(tProvider), wi, wdGood), statement("Deny", map[string]any{"AWS": "*"}, wi, nil)),
			want:   validate.Warn, wantCodes: []string{"Undetermined"}, notText: []string{"tests , known"}},
		"an Allow with a call-time key next to one that certainly applies": {
			policy: wdTrust(statement("Allow", fed(tProvider), wi, merge(wdGood, cond("IpAddress", "aws:SourceIp", "10.0.0.0/8"))),
				statement("Allow", fed(tProvider), wi, wdGood)),
			want: validate.Allow},
		// Not a wrong denial, pinned: without Version (2008-10-17 rules) "${...}" is literal text
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html), so no subject
		// matches it.
		"Version absent: a variable in sub is literal and matches nothing": {
			policy: map[string]any{"Statement": []any{statement("Allow", fed(tProvider), wi, merge(
				cond("StringLike", wdSub, "system:serviceaccount:${aws:PrincipalTag/ns}:*"), cond("StringEquals", wdAud, "sts.amazonaws.com")))}},
			want: validate.Deny},
	})
}
