package validate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/irsa-guard/irsa-guard/internal/irsa"
)

// Mode says what a denial does.
type Mode string

const (
	// ModeEnforce rejects what IAM would certainly refuse.
	ModeEnforce Mode = "enforce"
	// ModeWarn admits it with the denial as a warning.
	ModeWarn Mode = "warn"
	// ModeOff skips the check.
	ModeOff Mode = "off"
)

// ModeLabel on a namespace overrides the webhook's mode for the objects in it.
const ModeLabel = "irsa-guard.io/mode"

// ParseMode parses a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModeEnforce, ModeWarn, ModeOff:
		return m, nil
	}
	return "", fmt.Errorf("mode %q is not enforce, warn or off", s)
}

// Admission holds what every validator needs.
type Admission struct {
	Engine *Engine
	// Reader reads ServiceAccounts and Namespaces (the manager's cache).
	Reader client.Reader
	// Mode is the default mode; the namespace label overrides it.
	Mode Mode
	// OwnNamespace is never judged, so a webhook outage cannot block its own repair.
	OwnNamespace string
	// Metrics records decisions; nil records nothing.
	Metrics *Metrics
	// ReviewTimeout bounds one review, detached from the server's shutdown: a review in flight when the
	// webhook is asked to stop still completes (its IAM calls are not cancelled), within this bound. Zero: 4s,
	// under the API server's 5 s webhook timeout.
	ReviewTimeout time.Duration
}

// reviewContext detaches a review from the server's cancellation (graceful shutdown finishes it) and bounds it.
func (a *Admission) reviewContext(ctx context.Context) (context.Context, context.CancelFunc) {
	timeout := a.ReviewTimeout
	if timeout <= 0 {
		timeout = 4 * time.Second
	}
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// decision is what one admission request is about.
type decision struct {
	kind, namespace, name string
	// unchanged: an UPDATE that changes neither the role annotations nor the ServiceAccount reference. Its
	// denial becomes a warning, so a later IAM change never blocks unrelated edits.
	unchanged bool
}

// mode is the mode for objects in the namespace (off for the webhook's own), with warnings about the label.
func (a *Admission) mode(ctx context.Context, namespace string) (Mode, []string) {
	if namespace == a.OwnNamespace && a.OwnNamespace != "" {
		return ModeOff, nil
	}
	var ns corev1.Namespace
	if err := a.Reader.Get(ctx, types.NamespacedName{Name: namespace}, &ns); err != nil {
		if !apierrors.IsNotFound(err) {
			logr.FromContextOrDiscard(ctx).Error(err, "read namespace", "namespace", namespace)
		}
		return a.Mode, nil
	}
	v, ok := ns.Labels[ModeLabel]
	if !ok {
		return a.Mode, nil
	}
	m, err := ParseMode(v)
	if err != nil {
		return a.Mode, []string{fmt.Sprintf("namespace %s: label %s=%q is not enforce, warn or off; using %s",
			namespace, ModeLabel, v, a.Mode)}
	}
	return m, nil
}

// judge turns a diagnosis into the admission answer: an error for a denial that stands, warnings otherwise.
func (a *Admission) judge(ctx context.Context, dec decision, mode Mode, extra []string, d Diagnosis) (admission.Warnings, error) {
	warnings := append(admission.Warnings{}, extra...)
	enforced := d.Verdict == Deny && mode == ModeEnforce && !dec.unchanged
	if d.Verdict == Deny && !enforced {
		why := "namespace mode warn"
		if mode == ModeEnforce {
			why = "this update does not change the role or service account"
		}
		for _, f := range d.Errors() {
			warnings = append(warnings, fmt.Sprintf("would be denied (%s): %s", why, f.String()))
		}
	}
	warnings = append(warnings, d.WarningMessages()...)

	req, _ := admission.RequestFromContext(ctx)
	codes := make([]string, 0, len(d.Findings))
	for _, f := range d.Findings {
		codes = append(codes, f.Code)
	}
	// controller-runtime's request logger already carries the object's namespace and name.
	logr.FromContextOrDiscard(ctx).Info("decision", "kind", dec.kind, "operation", req.Operation, "dryRun", req.DryRun != nil && *req.DryRun, "roleARN", d.RoleARN,
		"verdict", d.Verdict, "enforced", enforced, "mode", mode, "findings", codes)
	a.Metrics.record(dec.kind, d, enforced)

	if enforced {
		return warnings, errors.New(d.DenialMessage())
	}
	return warnings, nil
}

// serviceAccountOf diagnoses the ServiceAccount pods of a workload run as, re-homing the findings on the
// workload's serviceAccountName field.
func (a *Admission) serviceAccountOf(ctx context.Context, namespace, saName, fieldPath string) Diagnosis {
	var sa corev1.ServiceAccount
	err := a.Reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: saName}, &sa)
	switch {
	case apierrors.IsNotFound(err):
		d := Diagnosis{Findings: []Finding{{Code: "ServiceAccountNotFound", Severity: SeverityWarning, Field: fieldPath,
			Message: fmt.Sprintf("service account %s/%s does not exist yet; its role was not checked", namespace, saName)}}}
		d.finish()
		return d
	case err != nil:
		d := Diagnosis{Findings: []Finding{{Code: "NotVerified", Severity: SeverityWarning, Field: fieldPath,
			Message: fmt.Sprintf("service account %s/%s could not be read; its role was not checked: %v", namespace, saName, err)}}}
		d.finish()
		return d
	}
	return ForWorkload(a.Engine.Diagnose(ctx, ServiceAccount{Namespace: sa.Namespace, Name: sa.Name,
		Annotations: sa.Annotations}), saName, fieldPath)
}

// ForWorkload re-homes a ServiceAccount's findings on the workload field that names it. Annotation typos are
// left to the ServiceAccount's own admission.
func ForWorkload(d Diagnosis, saName, fieldPath string) Diagnosis {
	out := Diagnosis{RoleARN: d.RoleARN}
	for _, f := range d.Findings {
		if f.Code == "Annotation" {
			continue
		}
		f.Message = fmt.Sprintf("service account %s: %s", saName, f.Message)
		f.Field = fieldPath
		out.Findings = append(out.Findings, f)
	}
	out.finish()
	return out
}

// roleAnnotationsEqual reports whether an update leaves the IRSA annotations that decide the verdict as they were.
func roleAnnotationsEqual(oldAnn, newAnn map[string]string) bool {
	for _, k := range []string{irsa.RoleARNAnnotation, irsa.AudienceAnnotation} {
		ov, ook := oldAnn[k]
		nv, nok := newAnn[k]
		if ov != nv || ook != nok {
			return false
		}
	}
	return true
}
