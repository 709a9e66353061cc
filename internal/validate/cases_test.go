package validate_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/testcases"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// engineFor builds the engine a case's cluster would run offline: IAM from the case's state as a complete
// folder, where a role that is absent does not exist (denied, as check does).
func engineFor(t testing.TB, c testcases.Case) *validate.Engine {
	t.Helper()
	e := c.Engine(t)
	e.MissingRole = validate.ActionDeny
	return e
}

// TestCases runs every shared case through the engine: the verdict must be the expected one, and the exact
// messages are kept in golden files so a change of wording shows in review.
func TestCases(t *testing.T) {
	t.Parallel()
	cases, err := testcases.Load(filepath.Join("..", "..", "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 39 {
		t.Fatalf("loaded %d cases, want at least 39", len(cases))
	}
	codes := testcases.ExpectedCodes(t, filepath.Join("..", "..", "testdata", "expected-codes.json"))
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			e := engineFor(t, c)
			sa := validate.ServiceAccount{Namespace: c.ServiceAccount.Namespace, Name: c.ServiceAccount.Name,
				Annotations: c.ServiceAccount.Annotations}
			d := e.Diagnose(t.Context(), sa)
			if string(d.Verdict) != c.Expected.Verdict {
				t.Errorf("verdict %s, want %s (%s)\n%s", d.Verdict, c.Expected.Verdict, c.Expected.Reason, render(d))
			}
			// The findings must name the defect the case's reason names (reviewed by hand, case by case).
			var got []string
			for _, f := range d.Findings {
				got = append(got, f.Code)
			}
			if want, ok := codes[c.ID]; !ok || strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("finding codes %v, want %v (%s)", got, want, c.Expected.Reason)
			}
			golden(t, filepath.Join("testdata", "golden", c.ID+".txt"), render(d))
		})
	}
}

func render(d validate.Diagnosis) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s\n", d.Verdict)
	for _, f := range d.Findings {
		fmt.Fprintf(&b, "%s %s: %s\n", f.Severity, f.Code, f.String())
		if f.Fix != "" {
			fmt.Fprintf(&b, "  fix: %s\n", f.Fix)
		}
	}
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n--- want\n%s--- got\n%s", path, want, got)
	}
}
