package testcases

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// decoded is what a Manifests() output holds, decoded into the typed Kubernetes objects.
type decoded struct {
	namespaces []string
	sa         *corev1.ServiceAccount
	workload   metav1.Object
	kind       string
	podSpec    *corev1.PodSpec
	podLabels  map[string]string
	selector   *metav1.LabelSelector
}

func decodeManifests(t *testing.T, data []byte) decoded {
	t.Helper()
	var d decoded
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			t.Fatalf("document %q: %v", doc, err)
		}
		strict := func(obj any) {
			t.Helper()
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s: %v", tm.Kind, err)
			}
		}
		want := map[string]string{"Namespace": "v1", "ServiceAccount": "v1", "Pod": "v1",
			"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
			"Job": "batch/v1", "CronJob": "batch/v1"}[tm.Kind]
		if want == "" || tm.APIVersion != want {
			t.Fatalf("document of kind %q apiVersion %q", tm.Kind, tm.APIVersion)
		}
		switch tm.Kind {
		case "Namespace":
			var ns corev1.Namespace
			strict(&ns)
			d.namespaces = append(d.namespaces, ns.Name)
			continue
		case "ServiceAccount":
			d.sa = &corev1.ServiceAccount{}
			strict(d.sa)
			continue
		}
		if d.workload != nil {
			t.Fatalf("a second workload (%s)", tm.Kind)
		}
		d.kind = tm.Kind
		switch tm.Kind {
		case "Deployment":
			var o appsv1.Deployment
			strict(&o)
			d.workload, d.podSpec, d.podLabels, d.selector = &o, &o.Spec.Template.Spec, o.Spec.Template.Labels, o.Spec.Selector
		case "StatefulSet":
			var o appsv1.StatefulSet
			strict(&o)
			d.workload, d.podSpec, d.podLabels, d.selector = &o, &o.Spec.Template.Spec, o.Spec.Template.Labels, o.Spec.Selector
		case "DaemonSet":
			var o appsv1.DaemonSet
			strict(&o)
			d.workload, d.podSpec, d.podLabels, d.selector = &o, &o.Spec.Template.Spec, o.Spec.Template.Labels, o.Spec.Selector
		case "ReplicaSet":
			var o appsv1.ReplicaSet
			strict(&o)
			d.workload, d.podSpec, d.podLabels, d.selector = &o, &o.Spec.Template.Spec, o.Spec.Template.Labels, o.Spec.Selector
		case "Job":
			var o batchv1.Job
			strict(&o)
			d.workload, d.podSpec, d.podLabels = &o, &o.Spec.Template.Spec, o.Spec.Template.Labels
		case "CronJob":
			var o batchv1.CronJob
			strict(&o)
			if o.Spec.Schedule == "" {
				t.Error("CronJob without a schedule")
			}
			d.workload, d.podSpec, d.podLabels = &o, &o.Spec.JobTemplate.Spec.Template.Spec, o.Spec.JobTemplate.Spec.Template.Labels
		case "Pod":
			var o corev1.Pod
			strict(&o)
			d.workload, d.podSpec, d.podLabels = &o, &o.Spec, o.Labels
		}
	}
	return d
}

// checkManifests checks the decoded objects against the case.
func checkManifests(t *testing.T, c Case, d decoded) {
	t.Helper()
	var wantNS []string
	if !existingNamespaces[c.ServiceAccount.Namespace] {
		wantNS = append(wantNS, c.ServiceAccount.Namespace)
	}
	if !reflect.DeepEqual(d.namespaces, wantNS) {
		t.Errorf("namespaces = %q, want %q", d.namespaces, wantNS)
	}
	if d.sa == nil {
		t.Fatal("no ServiceAccount")
	}
	if d.sa.Name != c.ServiceAccount.Name || d.sa.Namespace != c.ServiceAccount.Namespace ||
		!(reflect.DeepEqual(d.sa.Annotations, c.ServiceAccount.Annotations) ||
			len(d.sa.Annotations) == 0 && len(c.ServiceAccount.Annotations) == 0) {
		t.Errorf("ServiceAccount %s/%s %q, want %s/%s %q", d.sa.Namespace, d.sa.Name, d.sa.Annotations,
			c.ServiceAccount.Namespace, c.ServiceAccount.Name, c.ServiceAccount.Annotations)
	}
	if !c.WorkloadSupported() {
		if d.workload != nil {
			t.Errorf("rendered a %s for an unsupported workload", d.kind)
		}
		return
	}
	w := c.Workload
	if d.workload == nil {
		t.Fatalf("no %s", w.Kind)
	}
	if d.kind != w.Kind || d.workload.GetName() != w.Name || d.workload.GetNamespace() != w.Namespace {
		t.Errorf("workload %s %s/%s, want %s %s/%s", d.kind, d.workload.GetNamespace(), d.workload.GetName(), w.Kind, w.Namespace, w.Name)
	}
	if d.podSpec.ServiceAccountName != w.ServiceAccountName {
		t.Errorf("serviceAccountName = %q, want %q", d.podSpec.ServiceAccountName, w.ServiceAccountName)
	}
	if len(d.podSpec.Containers) != 1 || d.podSpec.Containers[0].Image != PauseImage || d.podSpec.Containers[0].Name == "" {
		t.Errorf("containers = %+v", d.podSpec.Containers)
	}
	if len(d.podLabels) == 0 {
		t.Error("pods carry no labels")
	}
	if d.selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(d.selector)
		if err != nil || sel.Empty() || !sel.Matches(labelSet(d.podLabels)) {
			t.Errorf("selector %v does not select the pod labels %v (%v)", d.selector, d.podLabels, err)
		}
	}
	if (d.kind == "Job" || d.kind == "CronJob") && d.podSpec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("%s restartPolicy = %q, want Never", d.kind, d.podSpec.RestartPolicy)
	}
}

type labelSet map[string]string

func (l labelSet) Has(k string) bool              { _, ok := l[k]; return ok }
func (l labelSet) Get(k string) string            { return l[k] }
func (l labelSet) Lookup(k string) (string, bool) { v, ok := l[k]; return v, ok }

func TestManifestsCases(t *testing.T) {
	t.Parallel()
	cases, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	supported := 0
	for _, c := range cases {
		if c.WorkloadSupported() {
			supported++
		}
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			data, err := c.Manifests()
			if err != nil {
				t.Fatalf("Manifests: %v", err)
			}
			checkManifests(t, c, decodeManifests(t, data))
		})
	}
	if supported == 0 {
		t.Error("no case has a supported workload")
	}
}

func TestManifestsKinds(t *testing.T) {
	t.Parallel()
	base, err := Decode([]byte(validCase))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		kind, namespace string
		supported       bool
	}{
		"Deployment":      {"Deployment", "team-a", true},
		"StatefulSet":     {"StatefulSet", "team-a", true},
		"DaemonSet":       {"DaemonSet", "team-a", true},
		"ReplicaSet":      {"ReplicaSet", "team-a", true},
		"Job":             {"Job", "team-a", true},
		"CronJob":         {"CronJob", "team-a", true},
		"Pod":             {"Pod", "team-a", true},
		"in kube-system":  {"Deployment", "kube-system", true},
		"in default":      {"Job", "default", true},
		"Argo Workflow":   {"Workflow", "team-a", false},
		"lower-case kind": {"deployment", "team-a", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := base
			c.ServiceAccount = ServiceAccount{Namespace: tc.namespace, Name: "sa",
				Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/r"}}
			c.Workload = &Workload{Kind: tc.kind, Namespace: tc.namespace, Name: "app-" + strings.Repeat("x", 70), ServiceAccountName: "sa"}
			if got := c.WorkloadSupported(); got != tc.supported {
				t.Fatalf("WorkloadSupported() = %v, want %v", got, tc.supported)
			}
			data, err := c.Manifests()
			if err != nil {
				t.Fatalf("Manifests: %v", err)
			}
			d := decodeManifests(t, data)
			checkManifests(t, c, d)
			for _, v := range d.podLabels {
				if len(v) > 63 {
					t.Errorf("label value of %d characters", len(v))
				}
			}
		})
	}
	t.Run("no workload", func(t *testing.T) {
		t.Parallel()
		if base.WorkloadSupported() {
			t.Fatal("WorkloadSupported() with no workload")
		}
		data, err := base.Manifests()
		if err != nil {
			t.Fatal(err)
		}
		checkManifests(t, base, decodeManifests(t, data))
	})
}
