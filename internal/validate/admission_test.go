package validate_test

import (
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/irsa-guard/irsa-guard/internal/testcases"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

func loadCase(t testing.TB, id string) testcases.Case {
	t.Helper()
	return testcases.Find(t, filepath.Join("..", "..", "testdata", "cases"), id)
}

func deployment(ns, name, sa string) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	d.Spec.Template.Spec.ServiceAccountName = sa
	return d
}

// TestAdmission covers what the admission layer adds to the engine: modes, the unchanged-update rule, the
// webhook's own namespace and workloads whose ServiceAccount is missing.
func TestAdmission(t *testing.T) {
	t.Parallel()
	broken := loadCase(t, "006-wrong-namespace") // denied: the trust expects kube-system, the SA is in aws-lb
	brokenSA := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: broken.ServiceAccount.Namespace,
		Name: broken.ServiceAccount.Name, Annotations: broken.ServiceAccount.Annotations}}
	relabelled := brokenSA.DeepCopy()
	relabelled.Labels = map[string]string{"team": "x"}
	retargeted := brokenSA.DeepCopy()
	retargeted.Annotations = map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/other"}

	objects := []client.Object{
		brokenSA,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "aws-lb"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "warn-ns", Labels: map[string]string{validate.ModeLabel: "warn"}}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "typo-ns", Labels: map[string]string{validate.ModeLabel: "enforcing"}}},
	}
	warnSA := brokenSA.DeepCopy()
	warnSA.Namespace = "warn-ns"
	typoSA := brokenSA.DeepCopy()
	typoSA.Namespace = "typo-ns"
	ownSA := brokenSA.DeepCopy()
	ownSA.Namespace = "irsa-guard-system"

	newAdmission := func(t *testing.T) *validate.Admission {
		return &validate.Admission{
			Engine:       engineFor(t, broken),
			Reader:       fake.NewClientBuilder().WithObjects(objects...).Build(),
			Mode:         validate.ModeEnforce,
			OwnNamespace: "irsa-guard-system",
		}
	}
	type call func(t *testing.T, a *validate.Admission) ([]string, error)
	saCreate := func(sa *corev1.ServiceAccount) call {
		return func(t *testing.T, a *validate.Admission) ([]string, error) {
			return validate.ServiceAccountValidator{Admission: a}.ValidateCreate(t.Context(), sa)
		}
	}
	saUpdate := func(old, sa *corev1.ServiceAccount) call {
		return func(t *testing.T, a *validate.Admission) ([]string, error) {
			return validate.ServiceAccountValidator{Admission: a}.ValidateUpdate(t.Context(), old, sa)
		}
	}
	deploy := func(old, d *appsv1.Deployment) call {
		return func(t *testing.T, a *validate.Admission) ([]string, error) {
			v := validate.WorkloadValidator[*appsv1.Deployment]{Admission: a, Kind: "Deployment"}
			if old == nil {
				return v.ValidateCreate(t.Context(), d)
			}
			return v.ValidateUpdate(t.Context(), old, d)
		}
	}
	tests := map[string]struct {
		call      call
		mode      validate.Mode
		wantDeny  string
		wantWarns []string
	}{
		"create denied in enforce mode": {call: saCreate(brokenSA),
			wantDeny: "metadata.annotations[eks.amazonaws.com/role-arn]: Forbidden: role arn:aws:iam::111122223333:role/AmazonEKSLoadBalancerControllerRole does not trust system:serviceaccount:aws-lb:aws-load-balancer-controller"},
		"create in warn mode is a warning": {call: saCreate(brokenSA), mode: validate.ModeWarn,
			wantWarns: []string{"would be denied (namespace mode warn): metadata.annotations[eks.amazonaws.com/role-arn]: Forbidden: role "}},
		"namespace label warn": {call: saCreate(warnSA),
			wantWarns: []string{"would be denied (namespace mode warn): "}},
		"namespace label with a typo keeps the default and says so": {call: saCreate(typoSA),
			wantDeny:  "Forbidden: role ",
			wantWarns: []string{`namespace typo-ns: label irsa-guard.io/mode="enforcing" is not enforce, warn or off; using enforce`}},
		"own namespace is never judged": {call: saCreate(ownSA)},
		"update that leaves the role annotations alone only warns": {call: saUpdate(brokenSA, relabelled),
			wantWarns: []string{"would be denied (this update does not change the role or service account): metadata.annotations[eks.amazonaws.com/role-arn]: Forbidden: "}},
		"update that changes the role is judged": {call: saUpdate(brokenSA, retargeted), // engineFor: --missing-role=deny
			wantDeny: "role arn:aws:iam::111122223333:role/other does not exist (yet)"},
		"deployment running as the broken service account is denied": {call: deploy(nil, deployment("aws-lb", "web", broken.ServiceAccount.Name)),
			wantDeny: "spec.template.spec.serviceAccountName: Forbidden: service account aws-load-balancer-controller: role "},
		"deployment update keeping its service account only warns": {
			call:      deploy(deployment("aws-lb", "web", broken.ServiceAccount.Name), deployment("aws-lb", "web", broken.ServiceAccount.Name)),
			wantWarns: []string{"would be denied (this update does not change the role or service account): spec.template.spec.serviceAccountName: Forbidden: "}},
		"deployment switching to the broken service account is denied": {
			call:     deploy(deployment("aws-lb", "web", ""), deployment("aws-lb", "web", broken.ServiceAccount.Name)),
			wantDeny: "spec.template.spec.serviceAccountName: Forbidden: "},
		"deployment whose service account does not exist yet": {call: deploy(nil, deployment("aws-lb", "web", "later")),
			wantWarns: []string{"spec.template.spec.serviceAccountName: service account aws-lb/later does not exist yet; its role was not checked"}},
		"a ReplicaSet its Deployment controls is not judged again": {call: func(t *testing.T, a *validate.Admission) ([]string, error) {
			rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "aws-lb", Name: "web-1",
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "u1", Controller: ptr(true)}}}}
			rs.Spec.Template.Spec.ServiceAccountName = broken.ServiceAccount.Name
			return validate.WorkloadValidator[*appsv1.ReplicaSet]{Admission: a, Kind: "ReplicaSet"}.ValidateCreate(t.Context(), rs)
		}},
		"a bare ReplicaSet is judged": {call: func(t *testing.T, a *validate.Admission) ([]string, error) {
			rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "aws-lb", Name: "web-1"}}
			rs.Spec.Template.Spec.ServiceAccountName = broken.ServiceAccount.Name
			return validate.WorkloadValidator[*appsv1.ReplicaSet]{Admission: a, Kind: "ReplicaSet"}.ValidateCreate(t.Context(), rs)
		}, wantDeny: "spec.template.spec.serviceAccountName: Forbidden: "},
		"the deprecated serviceAccount field is named as such": {call: func(t *testing.T, a *validate.Admission) ([]string, error) {
			d := deployment("aws-lb", "web", "")
			d.Spec.Template.Spec.DeprecatedServiceAccount = broken.ServiceAccount.Name
			return validate.WorkloadValidator[*appsv1.Deployment]{Admission: a, Kind: "Deployment"}.ValidateCreate(t.Context(), d)
		}, wantDeny: "spec.template.spec.serviceAccount: Forbidden: service account aws-load-balancer-controller: "},
		"deployment with the default service account": {call: deploy(nil, deployment("aws-lb", "web", "")),
			wantWarns: []string{"service account aws-lb/default does not exist yet"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := newAdmission(t)
			if tc.mode != "" {
				a.Mode = tc.mode
			}
			warns, err := tc.call(t, a)
			switch {
			case tc.wantDeny == "" && err != nil:
				t.Errorf("denied: %v", err)
			case tc.wantDeny != "" && err == nil:
				t.Errorf("admitted, want a denial containing %q (warnings %q)", tc.wantDeny, warns)
			case tc.wantDeny != "" && !strings.Contains(err.Error(), tc.wantDeny):
				t.Errorf("denial %q lacks %q", err, tc.wantDeny)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("denial spans lines: %q", err)
			}
			for _, w := range tc.wantWarns {
				found := false
				for _, got := range warns {
					found = found || strings.Contains(got, w)
				}
				if !found {
					t.Errorf("warnings %q lack %q", warns, w)
				}
			}
			if len(tc.wantWarns) == 0 && len(warns) > 0 {
				t.Errorf("unexpected warnings %q", warns)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
