package validate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

const (
	tIssuer   = "https://oidc.eks.us-east-1.amazonaws.com/id/AAAA1111BBBB2222CCCC3333DDDD4444"
	tHost     = "oidc.eks.us-east-1.amazonaws.com/id/AAAA1111BBBB2222CCCC3333DDDD4444"
	tProvider = "arn:aws:iam::111122223333:oidc-provider/" + tHost
	tRole     = "arn:aws:iam::111122223333:role/app"
	tSub      = "system:serviceaccount:team:app"
)

// statement builds a trust statement for this cluster's provider with the given conditions.
func statement(effect string, principal any, action any, cond map[string]any) map[string]any {
	st := map[string]any{"Effect": effect, "Principal": principal, "Action": action}
	if cond != nil {
		st["Condition"] = cond
	}
	return st
}

func fed(arn string) map[string]any { return map[string]any{"Federated": arn} }

func eq(kv ...string) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// writeIAM writes a folder with the role (trust = policy, raw JSON if it is a string) and the provider.
func writeIAM(t *testing.T, policy any, clientIDs []string) string {
	t.Helper()
	dir := t.TempDir()
	var doc any = policy
	if s, ok := policy.(string); ok {
		doc = json.RawMessage(s)
	}
	role := map[string]any{"Role": map[string]any{"Path": "/", "RoleName": "app", "RoleId": "AROAEXAMPLE",
		"Arn": tRole, "CreateDate": "2024-01-01T00:00:00Z", "AssumeRolePolicyDocument": doc}}
	files := map[string]any{"role-app.json": role}
	if clientIDs != nil {
		files["provider.json"] = map[string]any{"Url": tHost, "ClientIDList": clientIDs, "ThumbprintList": []string{},
			"CreateDate": "2024-01-01T00:00:00Z", "Arn": tProvider}
	}
	for name, v := range files {
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

// TestExplain covers the explanations the shared cases do not reach, and the rule that what cannot be
// known is a warning, never a denial.
func TestExplain(t *testing.T) {
	t.Parallel()
	sub, aud := tHost+":sub", tHost+":aud"
	good := eq(sub, tSub, aud, "sts.amazonaws.com")
	wi := "sts:AssumeRoleWithWebIdentity"
	trust := func(sts ...map[string]any) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": sts}
	}
	tests := map[string]struct {
		policy      any
		annotations map[string]string
		clientIDs   []string // nil: no provider in the folder
		complete    bool
		wantVerdict validate.Verdict
		wantCodes   []string
		wantText    []string
	}{
		"condition on another provider's key": {
			policy:      trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": eq("oidc.eks.us-east-1.amazonaws.com/id/OTHER:sub", tSub)})),
			wantVerdict: validate.Deny, wantCodes: []string{"ConditionOtherProvider"},
			wantText: []string{"a key of another OIDC provider", "fix: use " + tHost + ":sub"}},
		"this provider but sts:AssumeRole": {
			policy:      trust(statement("Allow", fed(tProvider), "sts:AssumeRole", map[string]any{"StringEquals": good})),
			wantVerdict: validate.Deny, wantCodes: []string{"ActionMismatch"}, wantText: []string{"for sts:AssumeRole, not sts:AssumeRoleWithWebIdentity"}},
		"web identity for a Service principal": {
			policy:      trust(statement("Allow", map[string]any{"Service": "ec2.amazonaws.com"}, wi, nil)),
			wantVerdict: validate.Deny, wantCodes: []string{"NotFederated"}, wantText: []string{"for Service ec2.amazonaws.com, not Federated"}},
		"provider in another partition": {
			policy:      trust(statement("Allow", fed("arn:aws-cn:iam::111122223333:oidc-provider/"+tHost), wi, map[string]any{"StringEquals": good})),
			wantVerdict: validate.Deny, wantCodes: []string{"ProviderOtherPartition"}},
		"sub differs in case": {
			policy:      trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": eq(sub, "system:serviceaccount:Team:App", aud, "sts.amazonaws.com")})),
			wantVerdict: validate.Deny, wantCodes: []string{"SubCase"}},
		"sub excluded by StringNotEquals": {
			policy:      trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringNotEquals": eq(sub, tSub)})),
			wantVerdict: validate.Deny, wantCodes: []string{"SubExcluded"}},
		"another subject entirely": {
			policy:      trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": eq(sub, "system:serviceaccount:other:thing")})),
			wantVerdict: validate.Deny, wantCodes: []string{"SubMismatch"}},
		"provider ARN differing only in case: not documented, warn": {
			policy:      trust(statement("Allow", fed(strings.ToLower(tProvider)), wi, map[string]any{"StringEquals": good})),
			wantVerdict: validate.Warn, wantCodes: []string{"ProviderCase"}},
		"provider ARN differing in case and a wrong sub: denied for the sub": {
			policy: trust(statement("Allow", fed(strings.ToLower(tProvider)), wi, map[string]any{"StringEquals": eq(sub, "system:serviceaccount:other:thing")}),
				statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": eq(sub, "system:serviceaccount:other:thing")})),
			wantVerdict: validate.Deny, wantCodes: []string{"SubMismatch"}},
		"provider ARN differing only in case, and a wrong sub in that statement": {
			policy:      trust(statement("Allow", fed(strings.ToLower(tProvider)), wi, map[string]any{"StringEquals": eq(sub, "system:serviceaccount:other:thing")})),
			wantVerdict: validate.Deny, wantCodes: []string{"ProviderCase"}},
		"only Deny statements": {
			policy:      trust(statement("Deny", fed(tProvider), "sts:AssumeRole", nil)),
			wantVerdict: validate.Deny, wantCodes: []string{"NoAllowStatement"}},
		"Principal star with sub and aud": {
			policy:      trust(statement("Allow", "*", wi, map[string]any{"StringEquals": good})),
			wantVerdict: validate.Warn, wantCodes: []string{"PrincipalWildcard"}},
		"AWS star principal is not documented for web identity: warn, never deny": {
			policy:      trust(statement("Allow", map[string]any{"AWS": "*"}, wi, map[string]any{"StringEquals": good})),
			wantVerdict: validate.Warn, wantCodes: []string{"Undetermined", "PrincipalWildcard"}},
		"a Deny on a call-time key next to a good Allow": {
			policy: trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": good}),
				statement("Deny", fed(tProvider), wi, map[string]any{"Bool": eq("aws:SecureTransport", "false")})),
			wantVerdict: validate.Warn, wantCodes: []string{"Undetermined"}, wantText: []string{"aws:SecureTransport"}},
		"a condition on session name only": {
			policy:      trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": good, "StringLike": eq("sts:RoleSessionName", "app-*")})),
			wantVerdict: validate.Warn, wantCodes: []string{"Undetermined"}},
		"URL-encoded trust as GetRole returns it": {
			policy:      `"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22` + strings.ReplaceAll(tProvider, "/", "%2F") + `%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22` + strings.ReplaceAll(sub, "/", "%2F") + `%22%3A%22` + tSub + `%22%2C%22` + strings.ReplaceAll(aud, "/", "%2F") + `%22%3A%22sts.amazonaws.com%22%7D%7D%7D%5D%7D"`,
			wantVerdict: validate.Allow},
		"a trust IAM would refuse is not evaluated": {
			policy:      trust(statement("allow", fed(tProvider), wi, map[string]any{"StringEquals": good})),
			wantVerdict: validate.Warn, wantCodes: []string{"TrustInvalid"}},
		"role in another partition than the cluster": {
			policy: trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": good})), complete: true,
			annotations: map[string]string{irsa.RoleARNAnnotation: "arn:aws-cn:iam::111122223333:role/app"},
			wantVerdict: validate.Deny, wantCodes: []string{"PartitionMismatch"}},
		"role absent from an incomplete folder": {
			policy:      trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": good})),
			annotations: map[string]string{irsa.RoleARNAnnotation: "arn:aws:iam::111122223333:role/other"},
			wantVerdict: validate.Warn, wantCodes: []string{"NotVerified"}},
		"provider absent from an incomplete folder": {
			policy: trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": good})), clientIDs: nil,
			wantVerdict: validate.Warn, wantCodes: []string{"ProviderNotVerified"}},
		"annotation typo next to a good role": {
			policy:      trust(statement("Allow", fed(tProvider), wi, map[string]any{"StringEquals": good})),
			annotations: map[string]string{irsa.RoleARNAnnotation: tRole, "eks.amazonaws.com/role_arn": tRole},
			wantVerdict: validate.Warn, wantCodes: []string{"Annotation"}},
		"no role annotation at all": {
			policy: trust(), annotations: map[string]string{}, wantVerdict: validate.Allow},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clientIDs := tc.clientIDs
			if clientIDs == nil && !strings.HasPrefix(name, "provider absent") {
				clientIDs = []string{"sts.amazonaws.com"}
			}
			src, err := iam.NewDir(writeIAM(t, tc.policy, clientIDs), tc.complete)
			if err != nil {
				t.Fatal(err)
			}
			issuer, err := irsa.ParseIssuer(tIssuer)
			if err != nil {
				t.Fatal(err)
			}
			e := &validate.Engine{Cluster: validate.Cluster{Issuer: issuer, Partition: "aws"}, Source: src}
			ann := tc.annotations
			if ann == nil {
				ann = map[string]string{irsa.RoleARNAnnotation: tRole}
			}
			d := e.Diagnose(t.Context(), validate.ServiceAccount{Namespace: "team", Name: "app", Annotations: ann})
			var codes, lines []string
			for _, f := range d.Findings {
				codes = append(codes, f.Code)
				lines = append(lines, f.String())
			}
			if d.Verdict != tc.wantVerdict || strings.Join(codes, ",") != strings.Join(tc.wantCodes, ",") {
				t.Errorf("verdict %s codes %v, want %s %v\n%s", d.Verdict, codes, tc.wantVerdict, tc.wantCodes,
					strings.Join(lines, "\n"))
			}
			for _, w := range tc.wantText {
				if !strings.Contains(strings.Join(lines, "\n"), w) {
					t.Errorf("findings lack %q:\n%s", w, strings.Join(lines, "\n"))
				}
			}
		})
	}
}
