package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/check"
	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/testcases"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

var update = flag.Bool("update", false, "rewrite examples/iam from the seed cases")

// exampleRoles gives each distinct trust policy of the seed cases its own role name in examples/iam: the seed
// cases all call their role AmazonEKSLoadBalancerControllerRole, one cluster holds them all side by side.
var exampleRoles = map[string]string{
	"alb-controller":              "001-correct-trust", // also 006 (wrong namespace) and 009 (malformed ARN)
	"alb-assumerole-ec2":          "002-assumerole-service-principal",
	"alb-space-in-sub":            "003-space-in-sub",
	"alb-other-cluster":           "004-other-cluster-provider",
	"alb-wrong-name":              "005-wrong-sa-name",
	"alb-missing-aud":             "007-missing-aud",
	"alb-two-clusters":            "008-two-clusters-second-matches",
	"alb-region-mismatch":         "011-region-mismatch",
	"alb-two-clusters-space-typo": "012-second-cluster-space-typo",
}

// TestExampleIAM checks that examples/iam holds exactly the seed's trust policies under the example role names,
// as `aws iam get-role` prints them (written by the seed cases' WriteIAMDir). -update rewrites the folder.
func TestExampleIAM(t *testing.T) {
	root := repoRoot(t)
	cases, err := testcases.Load(filepath.Join(root, "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]testcases.Case{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	want := t.TempDir()
	for name, id := range exampleRoles {
		c, ok := byID[id]
		if !ok {
			t.Fatalf("role %s: no seed case %s", name, id)
		}
		if c.Cluster.Issuer != exampleIssuer {
			t.Fatalf("case %s: issuer %s, the examples' cluster is %s", id, c.Cluster.Issuer, exampleIssuer)
		}
		c.Role.ARN = "arn:aws:iam::" + c.Cluster.Account + ":role/" + name
		if err := c.WriteIAMDir(want); err != nil { // every case writes the same oidc-provider-1.json
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, "examples", "iam")
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(dir, os.DirFS(want)); err != nil {
			t.Fatal(err)
		}
	}
	wantFiles, gotFiles := jsonFiles(t, want), jsonFiles(t, dir)
	if !slices.Equal(wantFiles, gotFiles) {
		t.Fatalf("examples/iam holds %v, want %v (go test ./test/demo -update)", gotFiles, wantFiles)
	}
	for _, f := range wantFiles {
		w, _ := os.ReadFile(filepath.Join(want, f))
		g, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Equal(w, g) {
			t.Errorf("examples/iam/%s differs from the seed (go test ./test/demo -update)", f)
		}
	}
}

// TestExamplesOffline runs the offline engine (what `webhook check` runs) over examples/manifests and checks
// that every file gives the outcome its "# Expect:" line promises, as the demo checks through kubectl.
func TestExamplesOffline(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	examples, err := loadExamples(filepath.Join(root, "examples", "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := iam.NewDir(filepath.Join(root, "examples", "iam"), true)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := irsa.ParseIssuer(exampleIssuer)
	if err != nil {
		t.Fatal(err)
	}
	engine := &validate.Engine{
		Cluster:     validate.Cluster{Issuer: issuer, Partition: "aws", DefaultAudience: irsa.DefaultAudience},
		Source:      src,
		MissingRole: validate.ActionDeny, OnLookupError: validate.ActionWarn,
	}
	verdictOf := map[outcome]validate.Verdict{admitted: validate.Allow, warned: validate.Warn, rejected: validate.Deny}
	rank := map[validate.Verdict]int{validate.Allow: 0, validate.Warn: 1, validate.Deny: 2}
	for _, ex := range examples {
		// Each file on its own (the examples reuse names), after the files its "Run first:" lines apply.
		var paths []string
		for _, args := range ex.before {
			if len(args) == 3 && args[0] == "apply" && args[1] == "-f" {
				paths = append(paths, filepath.Join(root, args[2]))
			}
		}
		file := filepath.Join(root, "examples", "manifests", ex.file)
		objs, err := check.Load(append(paths, file), nil, "default")
		if err != nil {
			t.Fatal(err)
		}
		report := check.Run(t.Context(), engine, objs)
		got, seen := validate.Allow, false
		for i, res := range report.Results {
			if strings.HasPrefix(objs[i].Source, file+":") {
				seen = true
				if rank[res.Verdict] > rank[got] {
					got = res.Verdict
				}
			}
		}
		if want := verdictOf[ex.expect]; !seen || got != want {
			t.Errorf("%s: check says %q (objects judged: %v), its header expects %s (%s)", ex.file, got, seen, ex.expect, want)
		}
	}
	if len(examples) < 10 {
		t.Errorf("only %d examples in examples/manifests", len(examples))
	}
}

func TestParseExample(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		text    string
		want    example
		wantErr string
	}{
		"all headers": {
			text: "# 13: a Deployment.\n# Expect: rejected\n# Run first: kubectl label namespace kube-system a=b\napiVersion: v1\n",
			want: example{file: "13-x.yaml", title: "a Deployment.", expect: rejected,
				before: [][]string{{"label", "namespace", "kube-system", "a=b"}}},
		},
		"warned":           {text: "# 01: missing aud.\n# Expect: warned\n", want: example{file: "13-x.yaml", title: "missing aud.", expect: warned}},
		"no expect":        {text: "# 01: x\napiVersion: v1\n", wantErr: `no "# Expect: admitted|warned|rejected" line`},
		"unknown outcome":  {text: "# 01: x\n# Expect: maybe\n", wantErr: `"maybe"`},
		"not kubectl":      {text: "# 01: x\n# Expect: admitted\n# Run first: rm -rf /\n", wantErr: "not a kubectl command"},
		"headers end":      {text: "# 01: x\napiVersion: v1\n# Expect: admitted\n", wantErr: `no "# Expect: admitted|warned|rejected" line`},
		"no title":         {text: "# Expect: admitted\n", wantErr: `no "# NN: what it shows" line`},
		"title of another": {text: "# 02: x\n# Expect: admitted\n", wantErr: `no "# NN: what it shows" line`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parseExample("13-x.yaml", []byte(strings.ReplaceAll(tc.text, "# 01", "# 13")))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.file != tc.want.file || got.title != tc.want.title || got.expect != tc.want.expect ||
				!slices.EqualFunc(got.before, tc.want.before, slices.Equal) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func jsonFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files
}
