package irsa_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/testcases"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const casesRoot = "../../testdata/cases"

func loadCases(tb testing.TB) []testcases.Case {
	tb.Helper()
	cases, err := testcases.Load(casesRoot)
	if err != nil {
		tb.Fatalf("load cases: %v", err)
	}
	return cases
}

// TestCases checks the IRSA facts of every shared case: the cluster's issuer parses and maps to one of
// its providers' ARNs, the role ARN that exists parses, and the annotation parses exactly when it names
// that role (seed 009 and real 018 carry malformed ones).
func TestCases(t *testing.T) {
	t.Parallel()
	malformed := map[string]bool{"009-malformed-role-arn": true, "018-velero-nested-role-arn": true}
	for _, c := range loadCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			iss, err := irsa.ParseIssuer(c.Cluster.Issuer)
			if err != nil {
				t.Fatalf("issuer: %v", err)
			}
			if !iss.IsEKS() {
				t.Errorf("issuer %q not recognised as EKS", c.Cluster.Issuer)
			}
			if got := irsa.PartitionForRegion(iss.EKSRegion); got != c.Cluster.Partition {
				t.Errorf("PartitionForRegion(%q) = %q, case says %q", iss.EKSRegion, got, c.Cluster.Partition)
			}
			for _, p := range c.OIDCProviders {
				if _, err := irsa.ParseProviderARN(p.ARN); err != nil {
					t.Errorf("provider %q: %v", p.ARN, err)
				}
			}
			role, err := irsa.ParseRoleARN(c.Role.ARN)
			if err != nil {
				t.Fatalf("role.arn: %v", err)
			}
			ann := c.ServiceAccount.Annotations[irsa.RoleARNAnnotation]
			annRole, err := irsa.ParseRoleARN(ann)
			switch {
			case malformed[c.ID]:
				var ae *irsa.ARNError
				if !errors.As(err, &ae) {
					t.Errorf("annotation %q parsed as %+v, want an *ARNError", ann, annRole)
				}
			case err != nil:
				t.Errorf("annotation %q: %v", ann, err)
			case annRole != role:
				t.Errorf("annotation names %v, the role that exists is %v", annRole, role)
			}
		})
	}
}

// TestCasesGolden pins the exact wording of every problem the shared cases produce: the role-arn
// annotation, the other annotations, and each Federated principal of the trust policy read as a
// provider ARN. Refresh with go test ./internal/irsa -run TestCasesGolden -update.
func TestCasesGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, c := range loadCases(t) {
		fmt.Fprintf(&b, "== %s/%s\n", c.Dir, c.ID)
		if _, err := irsa.ParseRoleARN(c.ServiceAccount.Annotations[irsa.RoleARNAnnotation]); err != nil {
			fmt.Fprintf(&b, "role-arn: %v\n", err)
		}
		for _, p := range irsa.CheckAnnotations(c.ServiceAccount.Annotations) {
			fmt.Fprintf(&b, "annotation %s (%s): %s\n", p.Key, p.Severity, p.Msg)
		}
		for _, f := range federated(t, c.Role.TrustPolicy) {
			p, err := irsa.ParseProviderARN(f)
			switch {
			case err != nil:
				fmt.Fprintf(&b, "federated %q: %v\n", f, err)
			default:
				fmt.Fprintf(&b, "federated %s: account %s, region %q, id %q\n", p.Partition, p.Account, p.EKSRegion, p.EKSID)
			}
		}
	}
	golden(t, "cases.golden", b.String())
}

// federated returns the Federated principals of a trust policy, sorted.
func federated(t *testing.T, policy json.RawMessage) []string {
	t.Helper()
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(policy, &doc); err != nil {
		t.Fatalf("trust policy: %v", err)
	}
	var stmts []struct{ Principal json.RawMessage }
	if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
		var one struct{ Principal json.RawMessage }
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			t.Fatalf("trust policy statements: %v", err)
		}
		stmts = append(stmts, one)
	}
	var out []string
	for _, s := range stmts {
		var p struct{ Federated json.RawMessage }
		if json.Unmarshal(s.Principal, &p) != nil || p.Federated == nil {
			continue
		}
		var list []string
		if json.Unmarshal(p.Federated, &list) != nil {
			var one string
			if err := json.Unmarshal(p.Federated, &one); err != nil {
				t.Fatalf("Federated: %v", err)
			}
			list = []string{one}
		}
		out = append(out, list...)
	}
	sort.Strings(out)
	return out
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
