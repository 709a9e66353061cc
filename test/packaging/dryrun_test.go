//go:build e2e

package packaging

import (
	"context"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irsa-guard/irsa-guard/test/manifests"
)

// warnings collects the API server's warnings (Pod Security "warn" mode reports violations of workloads this way).
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeaderWithContext(_ context.Context, code int, _ string, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := w.list
	w.list = nil
	return l
}

// newClient returns a client of the test API server whose warnings go to w.
func newClient(t testing.TB, w *warnings) client.Client {
	t.Helper()
	cfg := cluster(t)
	if w != nil {
		cfg.WarningHandlerWithContext = w
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return c
}

// ensureNamespace creates the namespace for real (dry-run needs it to exist) with at least the given labels,
// adding them when another test created it first.
func ensureNamespace(t testing.TB, c client.Client, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	err := c.Create(t.Context(), ns)
	if err == nil {
		return
	}
	if !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Get(t.Context(), client.ObjectKey{Name: name}, ns); err != nil {
			return err
		}
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		changed := false
		for k, v := range labels {
			if ns.Labels[k] != v {
				ns.Labels[k], changed = v, true
			}
		}
		if !changed {
			return nil
		}
		return c.Update(t.Context(), ns)
	})
	if err != nil {
		t.Fatalf("label namespace %s: %v", name, err)
	}
}

// restricted labels a namespace to enforce the restricted Pod Security Standard, as deploy/namespace.yaml does, and
// to warn about it, so that a dry-run of the shipped Deployment reports any violation.

var restricted = map[string]string{
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/warn":    "restricted",
}

// Every rendering is accepted by a real API server (built-in schemas, CEL matchConditions, the cert-manager and
// ServiceMonitor CRDs) with server-side apply in dry-run mode, without a Pod Security warning.
func TestServerSideDryRun(t *testing.T) {
	t.Parallel()
	tests := map[string]func(t *testing.T) []*unstructured.Unstructured{
		"kustomize": func(t *testing.T) []*unstructured.Unstructured { return kustomize(t) },
		"kustomize with every component": func(t *testing.T) []*unstructured.Unstructured {
			return kustomize(t, "components/pods", "components/networkpolicy", "components/servicemonitor",
				"components/fail-closed")
		},
		"helm": func(t *testing.T) []*unstructured.Unstructured { return helm(t, manifests.HelmOptions{}) },
		"helm with every option": func(t *testing.T) []*unstructured.Unstructured {
			return helm(t, manifests.HelmOptions{Values: map[string]any{
				"webhook":       map[string]any{"validatePods": true, "failurePolicy": "Fail"},
				"networkPolicy": map[string]any{"enabled": true, "apiServerPort": 6443},
				"metrics":       map[string]any{"serviceMonitor": map[string]any{"enabled": true, "labels": map[string]any{"release": "prom"}}},
				"iam":           map[string]any{"accountRoles": map[string]any{"444455556666": "arn:aws:iam::444455556666:role/r"}},
				"serviceAccount": map[string]any{"annotations": map[string]any{
					"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/irsa-guard"}},
				"priorityClassName": "system-cluster-critical",
			}})
		},
		"helm with its own TLS secret": func(t *testing.T) []*unstructured.Unstructured {
			return helm(t, manifests.HelmOptions{Values: map[string]any{"tls": map[string]any{
				"certManager": map[string]any{"enabled": false}, "existingSecret": "my-tls", "caBundle": "Zm9vCg==",
			}}})
		},
	}
	for name, render := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objs := render(t)
			w := &warnings{}
			c := newClient(t, w)
			ensureNamespace(t, c, manifests.Namespace, restricted)
			if len(objs) < 7 {
				t.Fatalf("only %d objects rendered", len(objs))
			}
			for _, o := range objs {
				what := o.GetKind() + " " + o.GetName()
				err := c.Apply(t.Context(), client.ApplyConfigurationFromUnstructured(o), client.DryRunAll,
					client.FieldOwner("irsa-guard-packaging-test"), client.ForceOwnership)
				if err != nil {
					t.Errorf("dry-run apply %s: %v", what, err)
				}
				if got := w.take(); len(got) > 0 {
					t.Errorf("dry-run apply %s: warnings %q", what, got)
				}
			}
		})
	}
}

// The Pod Security check above can fail: the same Deployment without its container securityContext draws
// warnings from the same API server.
func TestServerSideDryRunReportsPodSecurityViolations(t *testing.T) {
	t.Parallel()
	d := manifests.Find(kustomize(t), "Deployment", "irsa-guard-webhook")
	if d == nil {
		t.Fatal("no Deployment irsa-guard-webhook")
	}
	containers, _, err := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if err != nil || len(containers) != 1 {
		t.Fatalf("containers: %v (%d)", err, len(containers))
	}
	delete(containers[0].(map[string]any), "securityContext")
	if err := unstructured.SetNestedSlice(d.Object, containers, "spec", "template", "spec", "containers"); err != nil {
		t.Fatal(err)
	}
	w := &warnings{}
	c := newClient(t, w)
	ensureNamespace(t, c, manifests.Namespace, restricted)
	if err := c.Apply(t.Context(), client.ApplyConfigurationFromUnstructured(d), client.DryRunAll,
		client.FieldOwner("irsa-guard-packaging-test"), client.ForceOwnership); err != nil {
		t.Fatalf("dry-run apply: %v", err)
	}
	got := strings.Join(w.take(), "\n")
	if !strings.Contains(got, "allowPrivilegeEscalation") || !strings.Contains(got, "restricted") {
		t.Errorf("warnings = %q, want a restricted Pod Security warning about allowPrivilegeEscalation", got)
	}
}
