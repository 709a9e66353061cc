package check_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/check"
	"github.com/irsa-guard/irsa-guard/internal/testcases"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// writeCase lays a case out as a CI pipeline would have it: the IAM folder and a manifests file.
func writeCase(t *testing.T, c testcases.Case) (iamDir, manifests string) {
	t.Helper()
	root := t.TempDir()
	iamDir = filepath.Join(root, "iam")
	if err := c.WriteIAMDir(iamDir); err != nil {
		t.Fatal(err)
	}
	m, err := c.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	manifests = filepath.Join(root, "manifests", "manifests.yaml")
	if err := os.WriteFile(manifests, m, 0o644); err != nil {
		t.Fatal(err)
	}
	return iamDir, manifests
}

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = check.Main(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestCheckCases runs every shared case through `check -o json`: the ServiceAccount and its workload get the
// expected verdict, the findings name the case's defect, and the exit code says whether something is denied.
func TestCheckCases(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "testdata")
	cases, err := testcases.Load(filepath.Join(root, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	codes := testcases.ExpectedCodes(t, filepath.Join(root, "expected-codes.json"))
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			iamDir, manifests := writeCase(t, c)
			code, stdout, stderr := run(t, "", "--issuer", c.Cluster.Issuer, "--iam-dir", iamDir, "--iam-dir-complete",
				"-o", "json", manifests)
			var report check.Report
			if err := json.Unmarshal([]byte(stdout), &report); err != nil {
				t.Fatalf("exit %d, stdout is not JSON: %v\n%s\n%s", code, err, stdout, stderr)
			}
			wantCode := check.ExitOK
			if c.Expected.Verdict == "deny" {
				wantCode = check.ExitDenied
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d; stderr %s", code, wantCode, stderr)
			}
			want := 1
			if c.WorkloadSupported() {
				want = 2
			}
			if len(report.Results) != want {
				t.Fatalf("%d results, want %d: %s", len(report.Results), want, stdout)
			}
			for _, r := range report.Results {
				if string(r.Verdict) != c.Expected.Verdict {
					t.Errorf("%s %s/%s: verdict %s, want %s (%s)", r.Kind, r.Namespace, r.Name, r.Verdict,
						c.Expected.Verdict, c.Expected.Reason)
				}
				var got []string
				for _, f := range r.Findings {
					got = append(got, f.Code)
				}
				if strings.Join(got, ",") != strings.Join(codes[c.ID], ",") {
					t.Errorf("%s: codes %v, want %v", r.Kind, got, codes[c.ID])
				}
			}
		})
	}
}

// TestCheckText keeps the text output (what a CI log shows) in golden files.
func TestCheckText(t *testing.T) {
	t.Parallel()
	cases, err := testcases.Load(filepath.Join("..", "..", "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"001-correct-trust", "006-wrong-namespace", "010-deployment-uses-untrusted-sa",
		"920-source-ip-condition-unknown"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			var c testcases.Case
			for _, cc := range cases {
				if cc.ID == id {
					c = cc
				}
			}
			iamDir, manifests := writeCase(t, c)
			_, stdout, _ := run(t, "", "--issuer", c.Cluster.Issuer, "--iam-dir", iamDir, "--iam-dir-complete", manifests)
			path := filepath.Join("testdata", "golden", id+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if string(want) != stdout {
				t.Errorf("text output differs from %s:\n--- want\n%s--- got\n%s", path, want, stdout)
			}
		})
	}
}

const issuer = "https://oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"

// TestCheckInputs covers stdin, folders, incomplete IAM folders, ignored kinds and bad input.
func TestCheckInputs(t *testing.T) {
	t.Parallel()
	cases, err := testcases.Load(filepath.Join("..", "..", "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	var correct testcases.Case
	for _, c := range cases {
		if c.ID == "001-correct-trust" {
			correct = c
		}
	}
	iamDir, manifests := writeCase(t, correct)
	badYAML := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	saOtherRole := `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: team
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/not-in-the-folder
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ignored}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`
	tests := map[string]struct {
		stdin      string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		"folder": {args: []string{"--issuer", issuer, "--iam-dir", iamDir, filepath.Dir(manifests)},
			wantCode: check.ExitOK, wantStdout: []string{"ServiceAccount kube-system/aws-load-balancer-controller: allow", "1 checked: 0 denied"}},
		"stdin, role absent from a complete folder is denied": {stdin: saOtherRole,
			args:     []string{"--issuer", issuer, "--iam-dir", iamDir, "--iam-dir-complete", "-"},
			wantCode: check.ExitDenied, wantStdout: []string{"ServiceAccount team/app: deny", "does not exist",
				"Deployment team/web: warn", "service account team/default is not among the given manifests"}},
		"stdin, role absent from an incomplete folder is a warning": {stdin: saOtherRole,
			args:     []string{"--issuer", issuer, "--iam-dir", iamDir, "-"},
			wantCode: check.ExitOK, wantStdout: []string{"ServiceAccount team/app: warn", "not verified"}},
		"two manifests of one ServiceAccount are judged each": {stdin: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: aws-load-balancer-controller\n  namespace: kube-system\n  annotations: {eks.amazonaws.com/role-arn: " + correct.Role.ARN + "}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: aws-load-balancer-controller\n  namespace: kube-system\n  annotations: {eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/gone}\n",
			args:     []string{"--issuer", issuer, "--iam-dir", iamDir, "--iam-dir-complete", "-"},
			wantCode: check.ExitDenied, wantStdout: []string{"2 checked: 1 denied, 0 warned, 1 allowed"}},
		"flags after the paths": {args: []string{"--issuer", issuer, manifests, "--iam-dir", iamDir},
			wantCode: check.ExitOK, wantStdout: []string{"1 checked: 0 denied"}},
		"nothing to check says so": {stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", args: []string{"--issuer", issuer, "--iam-dir", iamDir, "-"},
			wantCode: check.ExitOK, wantStdout: []string{"0 checked"}, wantStderr: []string{"no ServiceAccount or workload in -"}},
		"malformed YAML names the file":      {args: []string{"--issuer", issuer, "--iam-dir", iamDir, badYAML}, wantCode: check.ExitUsage, wantStderr: []string{badYAML, "document 1"}},
		"missing file":                       {args: []string{"--issuer", issuer, "--iam-dir", iamDir, "/nonexistent.yaml"}, wantCode: check.ExitUsage, wantStderr: []string{"/nonexistent.yaml"}},
		"no issuer":                          {args: []string{"--iam-dir", iamDir, manifests}, wantCode: check.ExitUsage, wantStderr: []string{"--issuer is required"}},
		"bad issuer":                         {args: []string{"--issuer", "http://x", "--iam-dir", iamDir, manifests}, wantCode: check.ExitUsage, wantStderr: []string{"--issuer"}},
		"no paths":                           {args: []string{"--issuer", issuer, "--iam-dir", iamDir}, wantCode: check.ExitUsage, wantStderr: []string{"no manifests"}},
		"bad output":                         {args: []string{"--issuer", issuer, "--iam-dir", iamDir, "-o", "yaml", manifests}, wantCode: check.ExitUsage, wantStderr: []string{"-o \"yaml\""}},
		"unknown flag":                       {args: []string{"--bogus"}, wantCode: check.ExitUsage},
		"object without kind":                {stdin: "apiVersion: v1\nmetadata: {name: x}\n", args: []string{"--issuer", issuer, "--iam-dir", iamDir, "-"}, wantCode: check.ExitUsage, wantStderr: []string{"<stdin>: document 1: object has no kind"}},
		"not a Kubernetes object is skipped": {stdin: "name: my-chart\nversion: 1.0.0\n---\n# only a comment\n", args: []string{"--issuer", issuer, "--iam-dir", iamDir, "-"}, wantCode: check.ExitOK, wantStdout: []string{"0 checked"}},
		"iam-dir missing":                    {args: []string{"--issuer", issuer, "--iam-dir", "/nonexistent", manifests}, wantCode: check.ExitUsage, wantStderr: []string{"--iam-dir"}},
		"JSON manifests, List kind, empty":   {stdin: `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"plain"}}]}`, args: []string{"--issuer", issuer, "--iam-dir", iamDir, "-o", "json", "-"}, wantCode: check.ExitOK, wantStdout: []string{`"name": "plain"`, `"verdict": "allow"`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, tc.stdin, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, stdout, stderr)
			}
			for _, w := range tc.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestCheckFolderSkipsPipes: a named pipe inside a folder is not read (it would block forever), and an object
// with a kind but no apiVersion is an error rather than silently skipped.
func TestCheckFolderSkipsPipes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sa.yaml"), []byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: plain}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	iamDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(iamDir, "p.json"), []byte(`{"Url":"oidc.eks.us-west-2.amazonaws.com/id/X","ClientIDList":["sts.amazonaws.com"],"Arn":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/X"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "", "--issuer", issuer, "--iam-dir", iamDir, dir)
	if code != check.ExitOK || !strings.Contains(stdout, "1 checked") {
		t.Errorf("exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}
	code, _, stderr = run(t, "kind: Deployment\nmetadata: {name: web}\n", "--issuer", issuer, "--iam-dir", iamDir, "-")
	if code != check.ExitUsage || !strings.Contains(stderr, `Deployment "web" has no apiVersion`) {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}
