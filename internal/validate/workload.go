package validate

import (
	"context"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

const templateField = "spec.template.spec.serviceAccountName"

// workloadKinds are the kinds whose pods run as a ServiceAccount, with a constructor for each.
var workloadKinds = map[schema.GroupKind]func() client.Object{
	{Group: "apps", Kind: "Deployment"}:  func() client.Object { return &appsv1.Deployment{} },
	{Group: "apps", Kind: "StatefulSet"}: func() client.Object { return &appsv1.StatefulSet{} },
	{Group: "apps", Kind: "DaemonSet"}:   func() client.Object { return &appsv1.DaemonSet{} },
	{Group: "apps", Kind: "ReplicaSet"}:  func() client.Object { return &appsv1.ReplicaSet{} },
	{Group: "batch", Kind: "Job"}:        func() client.Object { return &batchv1.Job{} },
	{Group: "batch", Kind: "CronJob"}:    func() client.Object { return &batchv1.CronJob{} },
	{Group: "", Kind: "Pod"}:             func() client.Object { return &corev1.Pod{} },
}

// NewWorkload returns an empty object of a workload kind, or false for any other kind.
func NewWorkload(gk schema.GroupKind) (client.Object, bool) {
	newObj, ok := workloadKinds[gk]
	if !ok {
		return nil, false
	}
	return newObj(), true
}

// PodSpecOf returns the pod spec of a workload and the path of the field that names its ServiceAccount
// (serviceAccountName, or the deprecated serviceAccount when only that is set).
func PodSpecOf(obj client.Object) (*corev1.PodSpec, string, bool) {
	spec, field, ok := podSpecOf(obj)
	if ok && spec.ServiceAccountName == "" && spec.DeprecatedServiceAccount != "" {
		field = strings.TrimSuffix(field, "Name")
	}
	return spec, field, ok
}

func podSpecOf(obj client.Object) (*corev1.PodSpec, string, bool) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec, templateField, true
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec, templateField, true
	case *appsv1.DaemonSet:
		return &o.Spec.Template.Spec, templateField, true
	case *appsv1.ReplicaSet:
		return &o.Spec.Template.Spec, templateField, true
	case *batchv1.Job:
		return &o.Spec.Template.Spec, templateField, true
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template.Spec, "spec.jobTemplate.spec.template.spec.serviceAccountName", true
	case *corev1.Pod:
		return &o.Spec, "spec.serviceAccountName", true
	}
	return nil, "", false
}

// ServiceAccountName is the ServiceAccount pods of the spec run as: serviceAccountName, else the deprecated
// serviceAccount, else "default".
func ServiceAccountName(spec *corev1.PodSpec) string {
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount
	}
	return "default"
}

// WorkloadValidator checks that the ServiceAccount a workload's pods run as can assume its role.
type WorkloadValidator[T client.Object] struct {
	*Admission
	Kind string
}

var _ admission.Validator[*appsv1.Deployment] = WorkloadValidator[*appsv1.Deployment]{}

// ValidateCreate implements admission.Validator.
func (v WorkloadValidator[T]) ValidateCreate(ctx context.Context, obj T) (admission.Warnings, error) {
	return v.validate(ctx, obj, false)
}

// ValidateUpdate implements admission.Validator. A Pod's ServiceAccount cannot change, so the unchanged rule
// covers Pods as well.
func (v WorkloadValidator[T]) ValidateUpdate(ctx context.Context, old, obj T) (admission.Warnings, error) {
	oldSpec, _, _ := PodSpecOf(old)
	newSpec, _, _ := PodSpecOf(obj)
	return v.validate(ctx, obj, oldSpec != nil && newSpec != nil && ServiceAccountName(oldSpec) == ServiceAccountName(newSpec))
}

// ValidateDelete implements admission.Validator; deleting is always fine.
func (v WorkloadValidator[T]) ValidateDelete(context.Context, T) (admission.Warnings, error) {
	return nil, nil
}

func (v WorkloadValidator[T]) validate(ctx context.Context, obj T, unchanged bool) (admission.Warnings, error) {
	// A ReplicaSet of a Deployment, a Job of a CronJob, a Pod of a ReplicaSet: its owner was judged when it
	// was applied. Denying the controller's object would stall a rollout where no user sees the reason.
	if metav1.GetControllerOf(obj) != nil {
		return nil, nil
	}
	mode, extra := v.mode(ctx, obj.GetNamespace())
	if mode == ModeOff {
		return nil, nil
	}
	spec, fieldPath, ok := PodSpecOf(obj)
	if !ok {
		return nil, nil
	}
	ctx, cancel := v.reviewContext(ctx)
	defer cancel()
	d := v.serviceAccountOf(ctx, obj.GetNamespace(), ServiceAccountName(spec), fieldPath)
	return v.judge(ctx, decision{kind: v.Kind, namespace: obj.GetNamespace(), name: obj.GetName(),
		unchanged: unchanged}, mode, extra, d)
}
