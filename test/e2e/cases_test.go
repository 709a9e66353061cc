//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
	"github.com/irsa-guard/irsa-guard/internal/testcases"
	"github.com/irsa-guard/irsa-guard/internal/validate"
	"github.com/irsa-guard/irsa-guard/test/harness"
)

const ownNamespace = "irsa-guard-system"

// caseWebhook starts an IAM server holding the case's IAM state and irsa-guard configured as the case's
// cluster would run it (see webhookFor).
func caseWebhook(t *testing.T, c testcases.Case) (*iamtest.Server, *prometheus.Registry) {
	t.Helper()
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	return srv, webhookFor(t, c, srv, nil)
}

// expectedFor is what the engine says for the case, read from the same IAM state as a folder: the e2e then
// checks that kubectl shows users exactly these lines.
func expectedFor(t *testing.T, c testcases.Case) validate.Diagnosis {
	t.Helper()
	return c.Engine(t).Diagnose(t.Context(), c.Subject())
}

// splitManifests separates the case's Namespace, ServiceAccount and workload documents.
func splitManifests(t *testing.T, c testcases.Case) (namespaces, sa, workload []byte) {
	t.Helper()
	all, err := c.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range bytes.Split(all, []byte("\n---\n")) {
		doc = append(bytes.TrimSpace(doc), '\n')
		switch {
		case bytes.Contains(doc, []byte("\nkind: Namespace\n")):
			namespaces = append(namespaces, append([]byte("---\n"), doc...)...)
		case bytes.Contains(doc, []byte("\nkind: ServiceAccount\n")):
			sa = doc
		default:
			workload = doc
		}
	}
	return namespaces, sa, workload
}

// assertOutcome checks what kubectl printed against the verdict and the engine's exact lines.
func assertOutcome(t *testing.T, how string, r harness.Result, webhookName string, d validate.Diagnosis) {
	t.Helper()
	switch d.Verdict {
	case validate.Deny:
		want := fmt.Sprintf("admission webhook %q denied the request: %s", webhookName, d.DenialMessage())
		if r.ExitCode == 0 || !strings.Contains(r.Stderr, want) {
			t.Errorf("%s: want a denial (exit != 0) with\n  %s\ngot exit %d, stderr:\n%s", how, want, r.ExitCode, r.Stderr)
		}
	default:
		if r.ExitCode != 0 {
			t.Errorf("%s: want admitted, got exit %d, stderr:\n%s", how, r.ExitCode, r.Stderr)
		}
	}
	for _, w := range d.WarningMessages() {
		if !strings.Contains(r.Stderr, "Warning: "+w) {
			t.Errorf("%s: stderr lacks the warning line\n  Warning: %s\nstderr:\n%s", how, w, r.Stderr)
		}
	}
	if d.Verdict == validate.Allow && (strings.Contains(r.Stderr, "Warning: metadata.") || strings.Contains(r.Stderr, "Warning: spec.")) {
		t.Errorf("%s: an allowed object got warnings:\n%s", how, r.Stderr)
	}
}

// decisions is how many decisions the webhook counted for kind.
func decisions(t *testing.T, reg *prometheus.Registry, kind string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "irsa_guard_decisions_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if labelValue(m, "kind") == kind {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// TestCasesThroughKubectl applies every shared case with kubectl: server-side dry-run, server-side apply and
// client-side apply of the ServiceAccount, then the workload that runs as it. A denial must appear on kubectl's
// stderr with our exact line, warnings as "Warning:" lines, and allowed objects must be created.
func TestCasesThroughKubectl(t *testing.T) {
	cases, err := testcases.Load(filepath.Join("..", "..", "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			ctx := t.Context()
			_, reg := caseWebhook(t, c)
			want := expectedFor(t, c)
			if string(want.Verdict) != c.Expected.Verdict {
				t.Fatalf("engine verdict %s, case expects %s", want.Verdict, c.Expected.Verdict)
			}
			namespaces, sa, workload := splitManifests(t, c)
			ns, name := c.ServiceAccount.Namespace, c.ServiceAccount.Name
			if len(namespaces) > 0 {
				if r := cp.Kubectl(ctx, namespaces, "apply", "-f", "-"); r.ExitCode != 0 {
					t.Fatalf("create namespaces: %s", r.Stderr)
				}
			}
			t.Cleanup(func() {
				ctx := context.Background()
				cp.Kubectl(ctx, nil, "delete", "serviceaccount", "-n", ns, name, "--ignore-not-found")
				if c.WorkloadSupported() {
					cp.Kubectl(ctx, nil, "delete", strings.ToLower(c.Workload.Kind), "-n", c.Workload.Namespace,
						c.Workload.Name, "--ignore-not-found")
				}
				cp.Kubectl(ctx, nil, "label", "namespace", ns, "irsa-guard.io/mode-")
			})

			for _, step := range []struct {
				how  string
				args []string
				real bool
			}{
				{"kubectl apply --dry-run=server", []string{"apply", "--dry-run=server", "-f", "-"}, false},
				{"kubectl apply --server-side --dry-run=server", []string{"apply", "--server-side", "--dry-run=server", "-f", "-"}, false},
				{"kubectl apply --server-side", []string{"apply", "--server-side", "-f", "-"}, true},
				{"kubectl apply", []string{"apply", "-f", "-"}, true},
			} {
				before := decisions(t, reg, "ServiceAccount")
				r := cp.Kubectl(ctx, sa, step.args...)
				assertOutcome(t, step.how, r, "serviceaccounts.irsa-guard.io", want)
				if got := decisions(t, reg, "ServiceAccount"); got != before+1 {
					t.Errorf("%s: the webhook counted %v decisions, want 1 (was the request sent?)", step.how, got-before)
				}
				exists := cp.Kubectl(ctx, nil, "get", "serviceaccount", "-n", ns, name).ExitCode == 0
				if created := step.real && want.Verdict != validate.Deny; exists != created {
					t.Errorf("%s: service account exists=%v, want %v", step.how, exists, created)
				}
				if exists {
					cp.Kubectl(ctx, nil, "delete", "serviceaccount", "-n", ns, name)
				}
				applied++
			}

			if !c.WorkloadSupported() {
				return
			}
			// The workload runs as the ServiceAccount, which must exist first: create it in a namespace whose
			// mode is off, as it would exist from before irsa-guard or a later IAM change.
			cp.Kubectl(ctx, nil, "label", "namespace", ns, "irsa-guard.io/mode=off", "--overwrite")
			if r := cp.Kubectl(ctx, sa, "apply", "-f", "-"); r.ExitCode != 0 {
				t.Fatalf("create the service account with mode off: %s", r.Stderr)
			}
			cp.Kubectl(ctx, nil, "label", "namespace", ns, "irsa-guard.io/mode-")
			wantW := validate.ForWorkload(want, c.Workload.ServiceAccountName, "spec.template.spec.serviceAccountName")
			hook := strings.ToLower(c.Workload.Kind) + "s.irsa-guard.io"
			for _, step := range []struct {
				how  string
				args []string
			}{
				{"kubectl apply --dry-run=server (workload)", []string{"apply", "--dry-run=server", "-f", "-"}},
				{"kubectl apply (workload)", []string{"apply", "-f", "-"}},
			} {
				r := cp.Kubectl(ctx, workload, step.args...)
				assertOutcome(t, step.how, r, hook, wantW)
				applied++
			}
		})
	}
	t.Logf("applied %d times through kubectl for %d cases", applied, len(cases))
	if os.Getenv("E2E_REPORT") != "" {
		fmt.Printf("e2e: %d kubectl applies for %d cases\n", applied, len(cases))
	}
}
