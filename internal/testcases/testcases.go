// Package testcases loads the shared IRSA situations of testdata/cases (format: testdata/cases/README.md)
// for the tests of other packages, and renders each as the inputs irsa-guard reads: the IAM state as the
// AWS CLI prints it (WriteIAMDir) and the Kubernetes objects (Manifests).
package testcases

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// dirs are the case folders under the root, in sort order.
var dirs = []string{"real", "seed", "synthetic"}

// Dirs returns the case folders under the root: real, seed and synthetic.
func Dirs() []string { return append([]string(nil), dirs...) }

// Verdicts a case may expect.
const (
	VerdictAllow = "allow"
	VerdictWarn  = "warn"
	VerdictDeny  = "deny"
)

// Case is one situation: a cluster, the IAM state it sees, a ServiceAccount (and maybe a workload
// using it), and the verdict irsa-guard must reach.
type Case struct {
	ID             string         `json:"id"`
	Source         string         `json:"source"`
	Summary        string         `json:"summary"`
	Cluster        Cluster        `json:"cluster"`
	OIDCProviders  []OIDCProvider `json:"oidc_providers"`
	Role           Role           `json:"role"`
	ServiceAccount ServiceAccount `json:"service_account"`
	Workload       *Workload      `json:"workload,omitempty"`
	Expected       Expected       `json:"expected"`

	Dir  string `json:"-"` // "seed", "real" or "synthetic"
	Path string `json:"-"` // the file it was read from
}

// Cluster is the cluster whose ServiceAccount is judged.
type Cluster struct {
	Issuer    string `json:"issuer"`
	Account   string `json:"account"`
	Partition string `json:"partition"`
}

// OIDCProvider is an IAM OIDC identity provider that exists.
type OIDCProvider struct {
	ARN       string   `json:"arn"`
	ClientIDs []string `json:"client_ids"`
}

// Role is the IAM role that exists (the annotation may name another).
type Role struct {
	ARN         string          `json:"arn"`
	TrustPolicy json.RawMessage `json:"trust_policy"`
}

// ServiceAccount is the ServiceAccount under review.
type ServiceAccount struct {
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations"`
}

// Workload is an object whose pods run as a ServiceAccount.
type Workload struct {
	Kind               string `json:"kind"`
	Namespace          string `json:"namespace"`
	Name               string `json:"name"`
	ServiceAccountName string `json:"serviceAccountName"`
}

// Expected is the verdict irsa-guard must reach and the defect a good message names.
type Expected struct {
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
}

// Load reads every *.json file directly under root/real, root/seed and root/synthetic, sorted by folder
// then ID. Decoding is strict (unknown fields, trailing data, a missing required field, an ID that is
// not the file name, an unknown verdict or a duplicate ID are errors) so that a format change is noticed.
// A missing folder is skipped; finding no case at all is an error.
func Load(root string) ([]Case, error) {
	var cases []Case
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("list cases in %s: %w", dir, err)
		}
		for _, path := range files {
			c, err := loadFile(path)
			if err != nil {
				return nil, err
			}
			c.Dir, c.Path = dir, path
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("no cases under %s (expected *.json in %s)", root, strings.Join(dirs, ", "))
	}
	sort.Slice(cases, func(i, j int) bool {
		if cases[i].Dir != cases[j].Dir {
			return cases[i].Dir < cases[j].Dir
		}
		return cases[i].ID < cases[j].ID
	})
	seen := map[string]string{}
	for _, c := range cases {
		if other, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("case %s: id %q is also used by %s", c.Path, c.ID, other)
		}
		seen[c.ID] = c.Path
	}
	return cases, nil
}

func loadFile(path string) (Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Case{}, fmt.Errorf("read case: %w", err)
	}
	c, err := Decode(data)
	if err != nil {
		return Case{}, fmt.Errorf("case %s: %w", path, err)
	}
	if want := strings.TrimSuffix(filepath.Base(path), ".json"); c.ID != want {
		return Case{}, fmt.Errorf("case %s: id %q differs from the file name %q", path, c.ID, want)
	}
	return c, nil
}

// Decode strictly decodes one case and checks its required fields.
func Decode(data []byte) (Case, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Case
	if err := dec.Decode(&c); err != nil {
		return Case{}, fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Case{}, errors.New("decode: data after the case object")
	}
	if err := c.check(); err != nil {
		return Case{}, err
	}
	return c, nil
}

// check reports the first missing required field or unknown verdict.
func (c *Case) check() error {
	required := []struct{ name, value string }{
		{"id", c.ID},
		{"cluster.issuer", c.Cluster.Issuer},
		{"cluster.account", c.Cluster.Account},
		{"cluster.partition", c.Cluster.Partition},
		{"role.arn", c.Role.ARN},
		{"service_account.namespace", c.ServiceAccount.Namespace},
		{"service_account.name", c.ServiceAccount.Name},
		{"expected.verdict", c.Expected.Verdict},
	}
	for _, r := range required {
		if r.value == "" {
			return fmt.Errorf("missing %s", r.name)
		}
	}
	if len(c.Role.TrustPolicy) == 0 || string(c.Role.TrustPolicy) == "null" {
		return errors.New("missing role.trust_policy")
	}
	for i, p := range c.OIDCProviders {
		if p.ARN == "" {
			return fmt.Errorf("missing oidc_providers[%d].arn", i)
		}
	}
	if w := c.Workload; w != nil {
		if w.Kind == "" || w.Namespace == "" || w.Name == "" || w.ServiceAccountName == "" {
			return errors.New("workload needs kind, namespace, name and serviceAccountName")
		}
	}
	switch c.Expected.Verdict {
	case VerdictAllow, VerdictWarn, VerdictDeny:
	default:
		return fmt.Errorf("expected.verdict %q is not allow, warn or deny", c.Expected.Verdict)
	}
	return nil
}

// ExpectedCodes reads testdata/expected-codes.json: for every case, the finding codes that name its defect,
// in order. It is ours, not part of the shared cases: each entry was checked against the case's reason.
func ExpectedCodes(t testing.TB, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var codes map[string][]string
	if err := json.Unmarshal(data, &codes); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return codes
}

// Find loads the cases under root and returns the one with id, failing the test when there is none.
func Find(t testing.TB, root, id string) Case {
	t.Helper()
	cases, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no case %s under %s", id, root)
	return Case{}
}
