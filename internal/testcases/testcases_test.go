package testcases

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const root = "../../testdata/cases"

func TestLoad(t *testing.T) {
	t.Parallel()
	cases, err := Load(root)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	counts := map[string]int{}
	for _, c := range cases {
		counts[c.Dir]++
		if c.Path != filepath.Join(root, c.Dir, c.ID+".json") {
			t.Errorf("case %s: Path %q", c.ID, c.Path)
		}
	}
	// Every *.json file of the three folders is a case: none may be dropped silently.
	for _, dir := range Dirs() {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 || counts[dir] != len(files) {
			t.Errorf("%s: loaded %d cases from %d files", dir, counts[dir], len(files))
		}
	}
	t.Logf("loaded %d cases: %v", len(cases), counts)
	if !sort.SliceIsSorted(cases, func(i, j int) bool {
		return cases[i].Dir < cases[j].Dir || cases[i].Dir == cases[j].Dir && cases[i].ID < cases[j].ID
	}) {
		t.Error("cases are not sorted by folder then ID")
	}
	byID := map[string]Case{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	c := byID["914-custom-audience-not-in-provider"]
	if c.ServiceAccount.Annotations["eks.amazonaws.com/audience"] != "internal-gateway" || c.Expected.Verdict != VerdictDeny {
		t.Errorf("case 914 decoded as %+v", c)
	}
	if w := byID["022-pod-identity-trust-annotated-for-irsa"].Workload; w == nil || w.Kind != "Workflow" {
		t.Errorf("case 022 workload = %+v", w)
	}
	if byID["001-correct-trust"].Workload != nil {
		t.Error("case 001-correct-trust has no workload, got one")
	}
	var policy map[string]any
	if err := json.Unmarshal(byID["001-correct-trust"].Role.TrustPolicy, &policy); err != nil || policy["Version"] != "2012-10-17" {
		t.Errorf("trust policy of 001-correct-trust = %v, %v", policy, err)
	}
}

// validCase is the smallest case Decode accepts.
const validCase = `{"id":"x","source":"s","summary":"s",
 "cluster":{"issuer":"https://oidc.eks.us-east-1.amazonaws.com/id/A","account":"111122223333","partition":"aws"},
 "oidc_providers":[],
 "role":{"arn":"arn:aws:iam::111122223333:role/r","trust_policy":{"Version":"2012-10-17","Statement":[]}},
 "service_account":{"namespace":"n","name":"sa","annotations":{}},
 "expected":{"verdict":"allow","reason":"r"}}`

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		data string
		want string // substring of the error; "" means no error
	}{
		"valid":                     {validCase, ""},
		"unknown field":             {strings.Replace(validCase, `"source"`, `"sources"`, 1), `unknown field "sources"`},
		"unknown nested":            {strings.Replace(validCase, `"partition":"aws"`, `"partition":"aws","region":"x"`, 1), `unknown field "region"`},
		"unknown in policy is fine": {strings.Replace(validCase, `"Statement":[]`, `"Statement":[],"Whatever":1`, 1), ""},
		"trailing data":             {validCase + "{}", "data after the case object"},
		"not JSON":                  {"{", "decode"},
		"missing issuer":            {strings.Replace(validCase, `"issuer":"https://oidc.eks.us-east-1.amazonaws.com/id/A",`, "", 1), "missing cluster.issuer"},
		"missing policy":            {strings.Replace(validCase, `,"trust_policy":{"Version":"2012-10-17","Statement":[]}`, "", 1), "missing role.trust_policy"},
		"null policy":               {strings.Replace(validCase, `{"Version":"2012-10-17","Statement":[]}`, "null", 1), "missing role.trust_policy"},
		"bad verdict":               {strings.Replace(validCase, `"allow"`, `"permit"`, 1), `expected.verdict "permit"`},
		"provider without arn":      {strings.Replace(validCase, `"oidc_providers":[]`, `"oidc_providers":[{"client_ids":[]}]`, 1), "missing oidc_providers[0].arn"},
		"partial workload":          {strings.Replace(validCase, `"expected"`, `"workload":{"kind":"Deployment"},"expected"`, 1), "workload needs"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode([]byte(tc.data))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Decode: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Decode error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, dir, name, data string) string {
		t.Helper()
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return root
	}
	tests := map[string]struct {
		root func(t *testing.T) string
		want string
	}{
		"no folder":                  {func(t *testing.T) string { return t.TempDir() }, "no cases under"},
		"id not the name":            {func(t *testing.T) string { return write(t, "seed", "y.json", validCase) }, `id "x" differs from the file name "y"`},
		"bad case":                   {func(t *testing.T) string { return write(t, "real", "x.json", "[]") }, "x.json: decode"},
		"other folders are not read": {func(t *testing.T) string { return write(t, "other", "x.json", validCase) }, "no cases under"},
		"duplicate id": {func(t *testing.T) string {
			root := write(t, "seed", "x.json", validCase)
			if err := os.MkdirAll(filepath.Join(root, "real"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "real", "x.json"), []byte(validCase), 0o644); err != nil {
				t.Fatal(err)
			}
			return root
		}, `id "x" is also used by`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tc.root(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("a valid one loads", func(t *testing.T) {
		t.Parallel()
		cases, err := Load(write(t, "synthetic", "x.json", validCase))
		if err != nil || len(cases) != 1 || cases[0].Dir != "synthetic" || cases[0].ID != "x" {
			t.Errorf("Load = %+v, %v", cases, err)
		}
	})
}
