package iampolicy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// caseFile is the part of testdata/cases/*/*.json this package needs (format: testdata/cases/README.md).
type caseFile struct {
	ID      string `json:"id"`
	Cluster struct {
		Issuer    string `json:"issuer"`
		Partition string `json:"partition"`
	} `json:"cluster"`
	Role struct {
		ARN         string          `json:"arn"`
		TrustPolicy json.RawMessage `json:"trust_policy"`
	} `json:"role"`
	ServiceAccount struct {
		Namespace   string            `json:"namespace"`
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations"`
	} `json:"service_account"`
}

const casesGlob = "../../testdata/cases/*/*.json"

func loadCases(t testing.TB) map[string]caseFile {
	t.Helper()
	files, err := filepath.Glob(casesGlob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases under %s (err %v)", casesGlob, err)
	}
	out := make(map[string]caseFile, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c caseFile
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[c.ID] = c
	}
	return out
}

// requestFor builds the web-identity request the pod of the case would make, against the role that exists
// (role.arn): the provider lives in the role's account; sub and aud come from the ServiceAccount; every
// other key is only known at call time.
func requestFor(c caseFile) *Request {
	host := strings.TrimPrefix(c.Cluster.Issuer, "https://")
	account := strings.Split(c.Role.ARN, ":")[4]
	aud := c.ServiceAccount.Annotations["eks.amazonaws.com/audience"]
	if aud == "" {
		aud = "sts.amazonaws.com"
	}
	return &Request{
		PrincipalType: PrincipalFederated,
		Principal:     "arn:" + c.Cluster.Partition + ":iam::" + account + ":oidc-provider/" + host,
		Action:        "sts:AssumeRoleWithWebIdentity",
		Resource:      c.Role.ARN,
		Context: map[string][]string{
			host + ":sub": {"system:serviceaccount:" + c.ServiceAccount.Namespace + ":" + c.ServiceAccount.Name},
			host + ":aud": {aud},
		},
		Unknown: func(key string) bool { return !strings.HasPrefix(strings.ToLower(key), strings.ToLower(host)+":") },
	}
}

// TestCases evaluates every real case's trust policy. The expected decision is the trust policy's own
// answer; cases whose defect lies elsewhere (no provider, malformed annotation, provider client IDs) have a
// trust policy that allows.
func TestCases(t *testing.T) {
	t.Parallel()
	want := map[string]struct {
		decision Decision
		mismatch string // FirstMismatch.Element of the last statement when the policy does not allow
	}{
		"001-ca-sub-copied-from-other-controller":         {ImplicitDeny, "Condition"},
		"002-crossplane-stringequals-wildcard":            {ImplicitDeny, "Condition"},
		"004-kes-aud-key-holds-subject":                   {ImplicitDeny, "Condition"},
		"009-no-oidc-provider-registered":                 {Allow, ""},
		"012-crossplane-federated-in-source-account":      {ImplicitDeny, "Principal"},
		"013-blueprints-federated-bare-issuer":            {ImplicitDeny, "Principal"},
		"015-ca-helm-release-prefixed-sa":                 {ImplicitDeny, "Condition"},
		"016-ca-installed-wrong-namespace":                {ImplicitDeny, "Condition"},
		"018-velero-nested-role-arn":                      {Allow, ""},
		"021-irsa-cfn-provider-client-id-typo":            {Allow, ""},
		"022-pod-identity-trust-annotated-for-irsa":       {ImplicitDeny, "Principal"},
		"023-external-dns-trust-replaced-with-assumerole": {ImplicitDeny, "Principal"},
		"025-alb-console-role-aud-only":                   {Allow, ""},
		"026-cert-manager-issuer-role-self-assume":        {Allow, ""},
		"028-velero-token-file-permission-denied":         {Allow, ""},
		"030-kes-cross-account-secondary-role":            {Allow, ""},
		"001-correct-trust":                               {Allow, ""},
		"002-assumerole-service-principal":                {ImplicitDeny, "Principal"},
		"003-space-in-sub":                                {ImplicitDeny, "Condition"},
		"004-other-cluster-provider":                      {ImplicitDeny, "Principal"},
		"005-wrong-sa-name":                               {ImplicitDeny, "Condition"},
		"006-wrong-namespace":                             {ImplicitDeny, "Condition"},
		"007-missing-aud":                                 {Allow, ""},
		"008-two-clusters-second-matches":                 {Allow, ""},
		"009-malformed-role-arn":                          {Allow, ""},
		"010-deployment-uses-untrusted-sa":                {ImplicitDeny, "Condition"},
		"011-region-mismatch":                             {ImplicitDeny, "Principal"},
		"012-second-cluster-space-typo":                   {ImplicitDeny, "Condition"},
		"900-stringlike-team-namespace-wildcard":          {Allow, ""},
		"902-condition-key-case-insensitive":              {Allow, ""},
		"903-federated-principal-list":                    {Allow, ""},
		"905-explicit-deny-matches":                       {ExplicitDeny, ""},
		"908-foranyvalue-stringlike-sub":                  {Allow, ""},
		"910-stringequalsignorecase":                      {Allow, ""},
		"912-null-only-sub-present":                       {Allow, ""},
		"914-custom-audience-not-in-provider":             {ImplicitDeny, "Condition"},
		"916-role-arn-with-path":                          {Allow, ""},
		"917-aws-us-gov-partition-ok":                     {Allow, ""},
		"920-source-ip-condition-unknown":                 {Undetermined, ""},
	}
	cases := loadCases(t)
	for id := range cases {
		if _, ok := want[id]; !ok {
			t.Errorf("case %s has no expected decision here; add it", id)
		}
	}
	for id, w := range want {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, ok := cases[id]
			if !ok {
				t.Fatalf("case %s not found under %s", id, casesGlob)
			}
			p, err := Parse(c.Role.TrustPolicy)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if probs := p.TrustProblems(); len(probs) != 0 {
				t.Fatalf("TrustProblems = %v, want none (the role exists)", probs)
			}
			res := Evaluate(p, requestFor(c))
			if res.Decision != w.decision {
				t.Fatalf("Decision = %v, want %v; statements %+v", res.Decision, w.decision, res.Statements)
			}
			if w.mismatch != "" {
				last := res.Statements[len(res.Statements)-1]
				if last.FirstMismatch == nil || last.FirstMismatch.Element != w.mismatch {
					t.Errorf("FirstMismatch = %+v, want element %s", last.FirstMismatch, w.mismatch)
				}
			}
			if w.decision == Undetermined && len(res.UnknownKeys) == 0 {
				t.Errorf("Undetermined without UnknownKeys")
			}
		})
	}
}
