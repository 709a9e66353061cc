package manifests

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    []string // kind/name
		wantErr string
	}{
		"empty stream": {in: "", want: nil},
		"empty documents and comments are skipped": {
			in:   "---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n",
			want: []string{"Namespace/a"},
		},
		"several documents keep their order": {
			in: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n---\n" +
				"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n",
			want: []string{"ServiceAccount/b", "Namespace/a"},
		},
		"a List is flattened": {
			in: `{"apiVersion":"v1","kind":"List","items":[` +
				`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}},` +
				`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"y"}}]}`,
			want: []string{"Namespace/x", "Namespace/y"},
		},
		"a document without kind is an error": {
			in:      "apiVersion: v1\nmetadata:\n  name: a\n",
			wantErr: "document 0: apiVersion and kind are required",
		},
		"invalid YAML is an error": {
			in:      "apiVersion: v1\nkind: [\n",
			wantErr: "document 0",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objs, err := Decode([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Decode() error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Decode() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidatingWebhookConfiguration(t *testing.T) {
	t.Parallel()
	const vwc = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: irsa-guard
webhooks:
  - name: serviceaccounts.irsa-guard.io
    admissionReviewVersions: ["v1"]
    sideEffects: None
    clientConfig:
      service: {name: irsa-guard-webhook, namespace: irsa-guard-system, path: /validate-v1-serviceaccount}
`
	const ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: irsa-guard-system\n"
	tests := map[string]struct {
		in       string
		wantHook string
		wantErr  string
	}{
		"found among other objects": {in: ns + "---\n" + vwc, wantHook: "serviceaccounts.irsa-guard.io"},
		"none":                      {in: ns, wantErr: "no ValidatingWebhookConfiguration"},
		"two":                       {in: vwc + "---\n" + strings.Replace(vwc, "name: irsa-guard\n", "name: other\n", 1), wantErr: "two ValidatingWebhookConfigurations"},
		"unknown field is an error": {in: strings.Replace(vwc, "sideEffects: None", "sideEffects: None\n    sideEffect: None", 1), wantErr: "sideEffect"},
		"other apiVersion":          {in: strings.Replace(vwc, "/v1\n", "/v1beta1\n", 1), wantErr: "want admissionregistration.k8s.io/v1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objs, err := Decode([]byte(tc.in))
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			got, err := ValidatingWebhookConfiguration(objs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ValidatingWebhookConfiguration() error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ValidatingWebhookConfiguration() error = %v", err)
			}
			if len(got.Webhooks) != 1 || got.Webhooks[0].Name != tc.wantHook {
				t.Fatalf("webhooks = %+v, want one named %s", got.Webhooks, tc.wantHook)
			}
			if p := got.Webhooks[0].ClientConfig.Service.Path; p == nil || *p != "/validate-v1-serviceaccount" {
				t.Errorf("service path = %v, want /validate-v1-serviceaccount", p)
			}
		})
	}
}

func TestTool(t *testing.T) {
	abs, err := filepath.Abs("manifests.go")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		value    string
		wantErr  string
		wantIsTU bool
	}{
		"unset":         {value: "", wantErr: "set IRSA_GUARD_TEST_TOOL to the absolute path", wantIsTU: true},
		"relative":      {value: "bin/kustomize", wantErr: "want an absolute path"},
		"missing file":  {value: filepath.Join(t.TempDir(), "nope"), wantErr: "no such file"},
		"existing file": {value: abs},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv("IRSA_GUARD_TEST_TOOL", tc.value)
			got, err := Tool("IRSA_GUARD_TEST_TOOL")
			if tc.wantErr == "" {
				if err != nil || got != tc.value {
					t.Fatalf("Tool() = %q, %v; want %q", got, err, tc.value)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Tool() error = %v, want one containing %q", err, tc.wantErr)
			}
			if errors.Is(err, ErrToolUnset) != tc.wantIsTU {
				t.Errorf("errors.Is(err, ErrToolUnset) = %v, want %v", !tc.wantIsTU, tc.wantIsTU)
			}
		})
	}
}

func TestRepoRoot(t *testing.T) {
	t.Parallel()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Dir(filepath.Dir(mustAbs(t, "."))); root != want {
		t.Errorf("RepoRoot() = %s, want %s", root, want)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
