package iam_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
)

// irsaCase is the part of a testdata/cases file this package needs.
type irsaCase struct {
	ID            string `json:"id"`
	OIDCProviders []struct {
		ARN       string   `json:"arn"`
		ClientIDs []string `json:"client_ids"`
	} `json:"oidc_providers"`
	Role struct {
		ARN         string          `json:"arn"`
		TrustPolicy json.RawMessage `json:"trust_policy"`
	} `json:"role"`
	ServiceAccount struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"service_account"`
}

func loadCases(t *testing.T) []irsaCase {
	t.Helper()
	files, err := filepath.Glob("../../testdata/cases/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases found: %v", err)
	}
	var cases []irsaCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c irsaCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases = append(cases, c)
	}
	return cases
}

// TestCasesAWSAndDirAgree replays every recorded case through the AWS source (real SDK against the iamtest
// server) and through the folder source (the same IAM state written as `aws iam get-role` outputs), and checks
// that both return the role's trust policy unchanged for the annotated ARN, or the same ErrNotFound when the
// annotation names another role.
func TestCasesAWSAndDirAgree(t *testing.T) {
	t.Parallel()
	for _, c := range loadCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			account := strings.Split(c.Role.ARN, ":")[4]
			var want bytes.Buffer
			if err := json.Compact(&want, c.Role.TrustPolicy); err != nil {
				t.Fatal(err)
			}

			srv := iamtest.NewServer()
			t.Cleanup(srv.Close)
			srv.SetHomeAccount(account)
			srv.PutRole(c.Role.ARN, want.String())
			dir := t.TempDir()
			writeJSON(t, filepath.Join(dir, "role.json"), map[string]any{"Role": map[string]any{
				"Arn": c.Role.ARN, "AssumeRolePolicyDocument": c.Role.TrustPolicy}})
			provs := []map[string]any{}
			for _, p := range c.OIDCProviders {
				url := p.ARN[strings.Index(p.ARN, ":oidc-provider/")+len(":oidc-provider/"):]
				srv.PutOIDCProvider(p.ARN, url, p.ClientIDs)
				provs = append(provs, map[string]any{"Arn": p.ARN, "Url": url, "ClientIDList": p.ClientIDs})
			}
			writeJSON(t, filepath.Join(dir, "providers.json"), provs)

			a, err := iam.NewAWS(t.Context(), iam.AWSOptions{Region: "us-east-1", IAMEndpoint: srv.URL(),
				HomeAccount: account, Credentials: staticCreds()})
			if err != nil {
				t.Fatal(err)
			}
			d, err := iam.NewDir(dir, true)
			if err != nil {
				t.Fatal(err)
			}
			annotated := c.ServiceAccount.Annotations["eks.amazonaws.com/role-arn"]
			for name, src := range map[string]iam.Source{"aws": a, "dir": d} {
				r, err := src.GetRole(t.Context(), annotated, 0)
				switch {
				case strings.EqualFold(annotated, c.Role.ARN):
					if err != nil {
						t.Fatalf("%s: GetRole(%s): %v", name, annotated, err)
					}
					var got bytes.Buffer
					if err := json.Compact(&got, []byte(r.TrustPolicy)); err != nil || got.String() != want.String() {
						t.Errorf("%s: trust policy = %s, want %s", name, r.TrustPolicy, want.String())
					}
				case annotated != "":
					if !errors.Is(err, iam.ErrNotFound) {
						t.Errorf("%s: GetRole(%s) error = %v, want ErrNotFound (the role is %s)", name, annotated, err, c.Role.ARN)
					}
				}
				for _, p := range c.OIDCProviders {
					got, err := src.GetOIDCProvider(t.Context(), p.ARN, 0)
					if name == "aws" && !strings.Contains(p.ARN, "::"+account+":") {
						// Only the role's account is allowed: another account is never looked up.
						if !errors.Is(err, iam.ErrNotAllowed) {
							t.Errorf("aws: GetOIDCProvider(%s) error = %v, want ErrNotAllowed", p.ARN, err)
						}
						continue
					}
					if err != nil || strings.Join(got.ClientIDs, ",") != strings.Join(p.ClientIDs, ",") {
						t.Errorf("%s: GetOIDCProvider(%s) = %+v, %v", name, p.ARN, got, err)
					}
				}
			}
		})
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
