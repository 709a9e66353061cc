package validate

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// ServiceAccountValidator checks a ServiceAccount's role-arn (and audience) on create and update.
type ServiceAccountValidator struct{ *Admission }

var _ admission.Validator[*corev1.ServiceAccount] = ServiceAccountValidator{}

// ValidateCreate implements admission.Validator.
func (v ServiceAccountValidator) ValidateCreate(ctx context.Context, sa *corev1.ServiceAccount) (admission.Warnings, error) {
	return v.validate(ctx, sa, false)
}

// ValidateUpdate implements admission.Validator.
func (v ServiceAccountValidator) ValidateUpdate(ctx context.Context, old, sa *corev1.ServiceAccount) (admission.Warnings, error) {
	return v.validate(ctx, sa, roleAnnotationsEqual(old.Annotations, sa.Annotations))
}

// ValidateDelete implements admission.Validator; deleting is always fine.
func (v ServiceAccountValidator) ValidateDelete(context.Context, *corev1.ServiceAccount) (admission.Warnings, error) {
	return nil, nil
}

func (v ServiceAccountValidator) validate(ctx context.Context, sa *corev1.ServiceAccount, unchanged bool) (admission.Warnings, error) {
	mode, extra := v.mode(ctx, sa.Namespace)
	if mode == ModeOff {
		return nil, nil
	}
	ctx, cancel := v.reviewContext(ctx)
	defer cancel()
	d := v.Engine.Diagnose(ctx, ServiceAccount{Namespace: sa.Namespace, Name: sa.Name, Annotations: sa.Annotations})
	return v.judge(ctx, decision{kind: "ServiceAccount", namespace: sa.Namespace, name: sa.Name, unchanged: unchanged},
		mode, extra, d)
}
