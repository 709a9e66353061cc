//go:build e2e

package packaging

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/irsa-guard/irsa-guard/test/manifests"
)

// The two renderings must agree on what the API server and the authorizer see: every webhook, field by field,
// and the RBAC rules and bindings.
func TestKustomizeAndHelmRenderTheSameWebhooksAndRBAC(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		components []string
		helm       manifests.HelmOptions
		wantHooks  int
		wantPolicy admissionregistrationv1.FailurePolicyType
	}{
		"defaults": {wantHooks: 7, wantPolicy: admissionregistrationv1.Ignore},
		"pods": {
			components: []string{"components/pods"},
			helm:       manifests.HelmOptions{Set: []string{"webhook.validatePods=true"}},
			wantHooks:  8, wantPolicy: admissionregistrationv1.Ignore,
		},
		"pods, fail-closed": {
			components: []string{"components/pods", "components/fail-closed"},
			helm:       manifests.HelmOptions{Set: []string{"webhook.validatePods=true", "webhook.failurePolicy=Fail"}},
			wantHooks:  8, wantPolicy: admissionregistrationv1.Fail,
		},
		"fail-closed": {
			components: []string{"components/fail-closed"},
			helm:       manifests.HelmOptions{Set: []string{"webhook.failurePolicy=Fail"}},
			wantHooks:  7, wantPolicy: admissionregistrationv1.Fail,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := kustomize(t, tc.components...)
			h := helm(t, tc.helm)

			kv, err := manifests.ValidatingWebhookConfiguration(k)
			if err != nil {
				t.Fatalf("kustomize: %v", err)
			}
			hv, err := manifests.ValidatingWebhookConfiguration(h)
			if err != nil {
				t.Fatalf("helm: %v", err)
			}
			if len(kv.Webhooks) != tc.wantHooks {
				t.Errorf("kustomize renders %d webhooks, want %d", len(kv.Webhooks), tc.wantHooks)
			}
			for _, w := range kv.Webhooks {
				if w.FailurePolicy == nil || *w.FailurePolicy != tc.wantPolicy {
					t.Errorf("kustomize: webhook %s failurePolicy = %v, want %s", w.Name, deref(w.FailurePolicy), tc.wantPolicy)
				}
			}
			if !reflect.DeepEqual(kv.Webhooks, hv.Webhooks) {
				t.Errorf("webhooks differ\nkustomize: %s\nhelm:      %s", asJSON(t, kv.Webhooks), asJSON(t, hv.Webhooks))
			}
			if kv.Name != hv.Name || !reflect.DeepEqual(kv.Annotations, withoutHelm(hv.Annotations)) {
				t.Errorf("webhook configuration metadata differ: kustomize %s %v, helm %s %v", kv.Name, kv.Annotations,
					hv.Name, hv.Annotations)
			}

			var kr, hr rbacv1.ClusterRole
			convert(t, k, "ClusterRole", "irsa-guard", &kr)
			convert(t, h, "ClusterRole", "irsa-guard", &hr)
			if !reflect.DeepEqual(kr.Rules, hr.Rules) {
				t.Errorf("ClusterRole rules differ\nkustomize: %s\nhelm:      %s", asJSON(t, kr.Rules), asJSON(t, hr.Rules))
			}
			var kb, hb rbacv1.ClusterRoleBinding
			convert(t, k, "ClusterRoleBinding", "irsa-guard", &kb)
			convert(t, h, "ClusterRoleBinding", "irsa-guard", &hb)
			if !reflect.DeepEqual(kb.Subjects, hb.Subjects) || kb.RoleRef != hb.RoleRef {
				t.Errorf("ClusterRoleBinding differs\nkustomize: %s %s\nhelm:      %s %s", asJSON(t, kb.Subjects),
					asJSON(t, kb.RoleRef), asJSON(t, hb.Subjects), asJSON(t, hb.RoleRef))
			}
			if n := count(k, "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding"); n != 2 {
				t.Errorf("kustomize renders %d RBAC objects, want 2 (one ClusterRole, one binding)", n)
			}
			if n := count(h, "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding"); n != 2 {
				t.Errorf("helm renders %d RBAC objects, want 2 (one ClusterRole, one binding)", n)
			}
		})
	}
}

// The wire contract of docs/design.md, checked on the kustomize rendering (the Helm one is equal, see above).
func TestWebhookContract(t *testing.T) {
	t.Parallel()
	vwc, err := manifests.ValidatingWebhookConfiguration(kustomize(t, "components/pods"))
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ path, group, resource string }
	want := map[string]row{
		"serviceaccounts.irsa-guard.io": {"/validate-v1-serviceaccount", "", "serviceaccounts"},
		"deployments.irsa-guard.io":     {"/validate-apps-v1-deployment", "apps", "deployments"},
		"statefulsets.irsa-guard.io":    {"/validate-apps-v1-statefulset", "apps", "statefulsets"},
		"daemonsets.irsa-guard.io":      {"/validate-apps-v1-daemonset", "apps", "daemonsets"},
		"replicasets.irsa-guard.io":     {"/validate-apps-v1-replicaset", "apps", "replicasets"},
		"jobs.irsa-guard.io":            {"/validate-batch-v1-job", "batch", "jobs"},
		"cronjobs.irsa-guard.io":        {"/validate-batch-v1-cronjob", "batch", "cronjobs"},
		"pods.irsa-guard.io":            {"/validate-v1-pod", "", "pods"},
	}
	if got := vwc.Annotations["cert-manager.io/inject-ca-from"]; got != "irsa-guard-system/irsa-guard-serving-cert" {
		t.Errorf("inject-ca-from = %q, want irsa-guard-system/irsa-guard-serving-cert", got)
	}
	wantSelector := `{"matchExpressions":[` +
		`{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["irsa-guard-system"]},` +
		`{"key":"irsa-guard.io/mode","operator":"NotIn","values":["off"]}]}`
	seen := map[string]bool{}
	for _, w := range vwc.Webhooks {
		t.Run(w.Name, func(t *testing.T) {
			r, ok := want[w.Name]
			if !ok {
				t.Fatalf("unexpected webhook %s", w.Name)
			}
			seen[w.Name] = true
			svc := w.ClientConfig.Service
			if svc == nil || svc.Name != "irsa-guard-webhook" || svc.Namespace != "irsa-guard-system" ||
				deref(svc.Path) != r.path || deref(svc.Port) != 443 || w.ClientConfig.URL != nil {
				t.Errorf("clientConfig = %s, want service irsa-guard-system/irsa-guard-webhook:443%s", asJSON(t, w.ClientConfig), r.path)
			}
			wantOps := []admissionregistrationv1.OperationType{"CREATE", "UPDATE"}
			if r.resource == "pods" {
				wantOps = wantOps[:1]
			}
			if len(w.Rules) != 1 || !slices.Equal(w.Rules[0].APIGroups, []string{r.group}) ||
				!slices.Equal(w.Rules[0].APIVersions, []string{"v1"}) ||
				!slices.Equal(w.Rules[0].Resources, []string{r.resource}) ||
				!slices.Equal(w.Rules[0].Operations, wantOps) ||
				deref(w.Rules[0].Scope) != admissionregistrationv1.NamespacedScope {
				t.Errorf("rules = %s, want %s/v1 %s %v, Namespaced", asJSON(t, w.Rules), r.group, r.resource, wantOps)
			}
			if !slices.Equal(w.AdmissionReviewVersions, []string{"v1"}) ||
				deref(w.SideEffects) != admissionregistrationv1.SideEffectClassNone ||
				deref(w.TimeoutSeconds) != 5 || deref(w.FailurePolicy) != admissionregistrationv1.Ignore ||
				deref(w.MatchPolicy) != admissionregistrationv1.Equivalent {
				t.Errorf("settings = versions %v sideEffects %v timeout %v failurePolicy %v matchPolicy %v; want [v1] None 5 Ignore Equivalent",
					w.AdmissionReviewVersions, deref(w.SideEffects), deref(w.TimeoutSeconds), deref(w.FailurePolicy), deref(w.MatchPolicy))
			}
			if got := asJSON(t, w.NamespaceSelector); got != wantSelector {
				t.Errorf("namespaceSelector = %s, want %s", got, wantSelector)
			}
			if w.ObjectSelector != nil {
				t.Errorf("objectSelector = %s, want none", asJSON(t, w.ObjectSelector))
			}
			var names []string
			for _, c := range w.MatchConditions {
				names = append(names, c.Name)
			}
			wantConds := map[string][]string{
				"serviceaccounts": {"role-arn-annotation", "role-arn-or-audience-changed"},
				"replicasets":     {"service-account-changed", "not-controller-owned"},
				"jobs":            {"service-account-changed", "not-controller-owned"},
				"pods":            {"not-controller-owned"},
			}
			wc, ok := wantConds[r.resource]
			if !ok {
				wc = []string{"service-account-changed"}
			}
			if !slices.Equal(names, wc) {
				t.Errorf("matchConditions = %v, want %v", names, wc)
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("webhook %s is missing", name)
		}
	}
}

// Both renderings create the objects that docs/design.md names, with the settings the webhook relies on.
func TestRenderedWorkload(t *testing.T) {
	t.Parallel()
	tests := map[string]func(t *testing.T) []*unstructured.Unstructured{
		"kustomize": func(t *testing.T) []*unstructured.Unstructured { return kustomize(t) },
		"helm":      func(t *testing.T) []*unstructured.Unstructured { return helm(t, manifests.HelmOptions{}) },
	}
	for name, render := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objs := render(t)
			for _, kn := range []string{
				"ServiceAccount/irsa-guard", "Deployment/irsa-guard-webhook", "Service/irsa-guard-webhook",
				"PodDisruptionBudget/irsa-guard-webhook", "Issuer/irsa-guard-selfsigned",
				"Certificate/irsa-guard-serving-cert", "ClusterRole/irsa-guard", "ClusterRoleBinding/irsa-guard",
				"ValidatingWebhookConfiguration/irsa-guard",
			} {
				kind, objName, _ := strings.Cut(kn, "/")
				o := manifests.Find(objs, kind, objName)
				if o == nil {
					t.Errorf("%s is missing", kn)
					continue
				}
				if ns := o.GetNamespace(); kind != "ClusterRole" && kind != "ClusterRoleBinding" &&
					kind != "ValidatingWebhookConfiguration" && ns != manifests.Namespace {
					t.Errorf("%s is in namespace %q, want %s", kn, ns, manifests.Namespace)
				}
			}

			var d appsv1.Deployment
			convert(t, objs, "Deployment", "irsa-guard-webhook", &d)
			if deref(d.Spec.Replicas) != 2 {
				t.Errorf("replicas = %v, want 2", deref(d.Spec.Replicas))
			}
			ps := d.Spec.Template.Spec
			if ps.ServiceAccountName != "irsa-guard" {
				t.Errorf("serviceAccountName = %q, want irsa-guard", ps.ServiceAccountName)
			}
			if ps.SecurityContext == nil || !deref(ps.SecurityContext.RunAsNonRoot) || deref(ps.SecurityContext.RunAsUser) != 65532 ||
				ps.SecurityContext.SeccompProfile == nil || ps.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("pod securityContext = %s, want runAsNonRoot, UID 65532, seccomp RuntimeDefault", asJSON(t, ps.SecurityContext))
			}
			if ps.TerminationGracePeriodSeconds == nil {
				t.Error("terminationGracePeriodSeconds is not set")
			}
			var keys []string
			for _, c := range ps.TopologySpreadConstraints {
				keys = append(keys, c.TopologyKey)
				if c.LabelSelector == nil || !reflect.DeepEqual(c.LabelSelector.MatchLabels, d.Spec.Selector.MatchLabels) {
					t.Errorf("topology spread %s selects %s, want the Deployment's selector %v", c.TopologyKey,
						asJSON(t, c.LabelSelector), d.Spec.Selector.MatchLabels)
				}
			}
			if !slices.Equal(keys, []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"}) {
				t.Errorf("topology spread keys = %v, want zone and hostname", keys)
			}
			if len(ps.Containers) != 1 {
				t.Fatalf("%d containers, want 1", len(ps.Containers))
			}
			c := ps.Containers[0]
			if !strings.HasPrefix(c.Image, "ghcr.io/irsa-guard/irsa-guard:") {
				t.Errorf("image = %s, want ghcr.io/irsa-guard/irsa-guard:TAG", c.Image)
			}
			if len(c.Args) == 0 || c.Args[0] != "serve" {
				t.Errorf("args = %v, want serve first", c.Args)
			}
			sc := c.SecurityContext
			if sc == nil || deref(sc.AllowPrivilegeEscalation) || !deref(sc.ReadOnlyRootFilesystem) ||
				sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
				t.Errorf("container securityContext = %s, want no privilege escalation, read-only root, drop ALL", asJSON(t, sc))
			}
			ports := map[string]int32{}
			for _, p := range c.Ports {
				ports[p.Name] = p.ContainerPort
			}
			if !reflect.DeepEqual(ports, map[string]int32{"webhook": 9443, "metrics": 8080, "health": 8081}) {
				t.Errorf("ports = %v, want webhook 9443, metrics 8080, health 8081", ports)
			}
			if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.String() != "health" {
				t.Errorf("livenessProbe = %s, want GET /healthz on health", asJSON(t, p))
			}
			if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" || p.HTTPGet.Port.String() != "health" {
				t.Errorf("readinessProbe = %s, want GET /readyz on health", asJSON(t, p))
			}
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
				t.Errorf("resources = %s, want cpu and memory requests and a memory limit", asJSON(t, c.Resources))
			}
			var podNS bool
			for _, e := range c.Env {
				podNS = podNS || (e.Name == "POD_NAMESPACE" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
					e.ValueFrom.FieldRef.FieldPath == "metadata.namespace")
			}
			if !podNS {
				t.Errorf("env = %s, want POD_NAMESPACE from metadata.namespace", asJSON(t, c.Env))
			}
			var secret string
			for _, v := range ps.Volumes {
				for _, m := range c.VolumeMounts {
					if m.Name == v.Name && m.MountPath == "/tmp/k8s-webhook-server/serving-certs" && v.Secret != nil {
						secret = v.Secret.SecretName
					}
				}
			}
			if secret != "irsa-guard-webhook-tls" {
				t.Errorf("serving-certs volume from secret %q, want irsa-guard-webhook-tls", secret)
			}

			var svc corev1.Service
			convert(t, objs, "Service", "irsa-guard-webhook", &svc)
			if len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].Port != 443 || svc.Spec.Ports[0].TargetPort.String() != "webhook" {
				t.Errorf("service ports = %s, want 443 -> webhook first", asJSON(t, svc.Spec.Ports))
			}
			if !reflect.DeepEqual(svc.Spec.Selector, d.Spec.Selector.MatchLabels) {
				t.Errorf("service selector %v, want the Deployment's %v", svc.Spec.Selector, d.Spec.Selector.MatchLabels)
			}
			cert := manifests.Find(objs, "Certificate", "irsa-guard-serving-cert")
			if cert != nil {
				dns, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
				secretName, _, _ := unstructured.NestedString(cert.Object, "spec", "secretName")
				if !slices.Contains(dns, "irsa-guard-webhook.irsa-guard-system.svc") || secretName != "irsa-guard-webhook-tls" {
					t.Errorf("certificate dnsNames %v secretName %q, want irsa-guard-webhook.irsa-guard-system.svc and irsa-guard-webhook-tls",
						dns, secretName)
				}
			}
		})
	}
}

func convert(t testing.TB, objs []*unstructured.Unstructured, kind, name string, into any) {
	t.Helper()
	if err := manifests.Convert(objs, kind, name, into); err != nil {
		t.Fatal(err)
	}
}

func count(objs []*unstructured.Unstructured, kinds ...string) int {
	n := 0
	for _, o := range objs {
		if slices.Contains(kinds, o.GetKind()) {
			n++
		}
	}
	return n
}

func withoutHelm(annotations map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range annotations {
		if !strings.HasPrefix(k, "meta.helm.sh/") {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
