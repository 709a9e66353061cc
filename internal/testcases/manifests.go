package testcases

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// PauseImage is the one container image of every workload Manifests renders.
const PauseImage = "registry.k8s.io/pause:3.10"

// WorkloadLabel labels the pods of a rendered workload (its value is the workload name, cut to a valid
// label value) and is the key of its selector.
const WorkloadLabel = "app.kubernetes.io/name"

// supportedKinds are the workload kinds Manifests renders, with their apiVersion.
var supportedKinds = map[string]string{
	"Deployment":  "apps/v1",
	"StatefulSet": "apps/v1",
	"DaemonSet":   "apps/v1",
	"ReplicaSet":  "apps/v1",
	"Job":         "batch/v1",
	"CronJob":     "batch/v1",
	"Pod":         "v1",
}

// existingNamespaces exist in every cluster and are not rendered.
var existingNamespaces = map[string]bool{
	"default": true, "kube-system": true, "kube-public": true, "kube-node-lease": true,
}

// WorkloadSupported reports whether the case has a workload Manifests renders (Deployment, StatefulSet,
// DaemonSet, ReplicaSet, Job, CronJob or Pod). Other kinds, such as an Argo Workflow, are left out.
func (c Case) WorkloadSupported() bool {
	if c.Workload == nil {
		return false
	}
	_, ok := supportedKinds[c.Workload.Kind]
	return ok
}

// Manifests renders the case's Kubernetes objects as multi-document YAML, ready for kubectl apply:
// the Namespace (unless it always exists: default, kube-system, kube-public, kube-node-lease), the
// ServiceAccount with its annotations, and the workload when WorkloadSupported.
func (c Case) Manifests() ([]byte, error) {
	var objs []any
	namespaces := []string{c.ServiceAccount.Namespace}
	if c.WorkloadSupported() && c.Workload.Namespace != c.ServiceAccount.Namespace {
		namespaces = append(namespaces, c.Workload.Namespace)
	}
	for _, ns := range namespaces {
		if !existingNamespaces[ns] {
			objs = append(objs, &corev1.Namespace{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
				ObjectMeta: metav1.ObjectMeta{Name: ns},
			})
		}
	}
	objs = append(objs, &corev1.ServiceAccount{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        c.ServiceAccount.Name,
			Namespace:   c.ServiceAccount.Namespace,
			Annotations: c.ServiceAccount.Annotations,
		},
	})
	if c.WorkloadSupported() {
		objs = append(objs, workloadObject(*c.Workload))
	}
	var buf bytes.Buffer
	for i, obj := range objs {
		doc, err := toYAML(obj)
		if err != nil {
			return nil, fmt.Errorf("case %s: render manifests: %w", c.ID, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(doc)
	}
	return buf.Bytes(), nil
}

// workloadObject builds a minimal valid object of a supported kind whose pods run as the workload's
// ServiceAccount.
func workloadObject(w Workload) any {
	labels := map[string]string{WorkloadLabel: labelValue(w.Name)}
	meta := metav1.ObjectMeta{Name: w.Name, Namespace: w.Namespace}
	tm := metav1.TypeMeta{APIVersion: supportedKinds[w.Kind], Kind: w.Kind}
	spec := corev1.PodSpec{
		ServiceAccountName: w.ServiceAccountName,
		Containers:         []corev1.Container{{Name: "app", Image: PauseImage}},
	}
	template := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
	selector := &metav1.LabelSelector{MatchLabels: labels}
	jobTemplate := func() corev1.PodTemplateSpec {
		t := *template.DeepCopy()
		t.Spec.RestartPolicy = corev1.RestartPolicyNever
		return t
	}
	switch w.Kind {
	case "Deployment":
		return &appsv1.Deployment{TypeMeta: tm, ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{Selector: selector, Template: template}}
	case "StatefulSet":
		return &appsv1.StatefulSet{TypeMeta: tm, ObjectMeta: meta,
			Spec: appsv1.StatefulSetSpec{Selector: selector, Template: template}}
	case "DaemonSet":
		return &appsv1.DaemonSet{TypeMeta: tm, ObjectMeta: meta,
			Spec: appsv1.DaemonSetSpec{Selector: selector, Template: template}}
	case "ReplicaSet":
		return &appsv1.ReplicaSet{TypeMeta: tm, ObjectMeta: meta,
			Spec: appsv1.ReplicaSetSpec{Selector: selector, Template: template}}
	case "Job":
		return &batchv1.Job{TypeMeta: tm, ObjectMeta: meta,
			Spec: batchv1.JobSpec{Template: jobTemplate()}}
	case "CronJob":
		return &batchv1.CronJob{TypeMeta: tm, ObjectMeta: meta,
			Spec: batchv1.CronJobSpec{Schedule: "0 0 * * *",
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jobTemplate()}}}}
	default: // "Pod"
		meta.Labels = labels
		return &corev1.Pod{TypeMeta: tm, ObjectMeta: meta, Spec: spec}
	}
}

// labelValue cuts s to a valid label value: at most 63 characters, ending with a letter or digit.
func labelValue(s string) string {
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimRight(s, "-_.")
}

// toYAML renders obj without the empty fields the typed structs always carry (status,
// metadata.creationTimestamp), which are noise in a manifest.
func toYAML(obj any) ([]byte, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	prune(m)
	return yaml.Marshal(m)
}

// emptyNoise are members the typed structs render as {} that a manifest leaves out.
var emptyNoise = map[string]bool{"metadata": true, "resources": true, "strategy": true, "updateStrategy": true}

// prune removes "status" and null "creationTimestamp" members at every level, and the objects left
// empty by that.
func prune(m map[string]any) {
	delete(m, "status")
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			if k == "creationTimestamp" {
				delete(m, k)
			}
		case map[string]any:
			prune(v)
			if len(v) == 0 && emptyNoise[k] {
				delete(m, k)
			}
		case []any:
			for _, e := range v {
				if em, ok := e.(map[string]any); ok {
					prune(em)
					if r, ok := em["resources"].(map[string]any); ok && len(r) == 0 {
						delete(em, "resources")
					}
				}
			}
		}
	}
}
