//go:build e2e

package packaging

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/irsa-guard/irsa-guard/test/manifests"
)

// The optional ServiceMonitor and NetworkPolicy select what they are meant to (TestServerSideDryRun applies them).
func TestOptionalComponents(t *testing.T) {
	t.Parallel()
	tests := map[string]func(t *testing.T) []*unstructured.Unstructured{
		"kustomize": func(t *testing.T) []*unstructured.Unstructured {
			return kustomize(t, "components/servicemonitor", "components/networkpolicy")
		},
		"helm": func(t *testing.T) []*unstructured.Unstructured {
			return helm(t, manifests.HelmOptions{Set: []string{"metrics.serviceMonitor.enabled=true", "networkPolicy.enabled=true"}})
		},
	}
	for name, render := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objs := render(t)
			var d appsv1.Deployment
			convert(t, objs, "Deployment", "irsa-guard-webhook", &d)
			var svc corev1.Service
			convert(t, objs, "Service", "irsa-guard-webhook", &svc)

			sm := manifests.Find(objs, "ServiceMonitor", "irsa-guard-webhook")
			if sm == nil {
				t.Fatal("no ServiceMonitor irsa-guard-webhook")
			}
			if sm.GetAPIVersion() != "monitoring.coreos.com/v1" || sm.GetNamespace() != manifests.Namespace {
				t.Errorf("ServiceMonitor is %s in %q", sm.GetAPIVersion(), sm.GetNamespace())
			}
			matchLabels, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
			if len(matchLabels) == 0 || !labels.SelectorFromSet(matchLabels).Matches(labels.Set(svc.Labels)) {
				t.Errorf("ServiceMonitor selects %v, which does not match the Service's labels %v", matchLabels, svc.Labels)
			}
			endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
			if len(endpoints) != 1 || endpoints[0].(map[string]any)["port"] != "metrics" {
				t.Errorf("ServiceMonitor endpoints = %v, want the metrics port", endpoints)
			}

			var np networkingv1.NetworkPolicy
			convert(t, objs, "NetworkPolicy", "irsa-guard-webhook", &np)
			sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				t.Errorf("NetworkPolicy selects %s (%v), which does not match the webhook pods %v", sel, err, d.Spec.Template.Labels)
			}
			ingress := map[int32]bool{}
			for _, r := range np.Spec.Ingress {
				for _, p := range r.Ports {
					// 9443 and 8081 must be open to any source: the API server and the kubelet cannot be selected.
					ingress[p.Port.IntVal] = len(r.From) == 0
				}
			}
			if !ingress[9443] || !ingress[8081] {
				t.Errorf("ingress %v: want 9443 and 8081 from anywhere", ingress)
			}
			if open, ok := ingress[8080]; !ok || open {
				t.Errorf("ingress %v: want 8080 only from selected namespaces", ingress)
			}
			egress := map[int32]bool{}
			for _, r := range np.Spec.Egress {
				for _, p := range r.Ports {
					egress[p.Port.IntVal] = true
				}
			}
			if !egress[53] || !egress[443] {
				t.Errorf("egress ports %v: want DNS (53) and 443", egress)
			}
		})
	}
}
