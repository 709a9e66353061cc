//go:build e2e

package packaging

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/irsa-guard/irsa-guard/test/manifests"
)

// call is one admission review the recorder received.
type call struct {
	Path, Operation, Namespace, Name string
}

func (c call) String() string {
	return fmt.Sprintf("%s %s %s/%s", c.Operation, c.Path, c.Namespace, c.Name)
}

// recorder is an HTTPS admission webhook that allows everything and remembers what it was sent.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 3<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil || review.Request == nil {
		http.Error(w, fmt.Sprintf("decode admission review: %v", err), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.calls = append(r.calls, call{
		// envtest joins host and path with an extra slash.
		Path:      path.Clean("/" + req.URL.Path),
		Operation: string(review.Request.Operation),
		Namespace: review.Request.Namespace,
		Name:      review.Request.Name,
	})
	r.mu.Unlock()
	review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	review.Request = nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&review)
}

// callsIn returns the calls about objects of one namespace, in arrival order.
func (r *recorder) callsIn(namespace string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.Namespace == namespace {
			out = append(out, c)
		}
	}
	return out
}

// installRecorder installs the shipped webhook configuration (kustomize, with the pods and fail-closed
// components) into the test API server, pointed at a recording webhook. Fail, not Ignore: a CEL error in a
// matchCondition then rejects the request and the test sees it, instead of the webhook being silently skipped.
func installRecorder(t *testing.T) (*recorder, client.Client) {
	t.Helper()
	cfg := cluster(t)
	vwc, err := manifests.ValidatingWebhookConfiguration(kustomize(t, "components/pods", "components/fail-closed"))
	if err != nil {
		t.Fatal(err)
	}
	vwc.Name = "irsa-guard-matchconditions-test"
	vwc.Annotations = nil // no cert-manager here: envtest sets the CA bundle
	opts := &envtest.WebhookInstallOptions{
		ValidatingWebhooks: []*admissionregistrationv1.ValidatingWebhookConfiguration{vwc},
		LocalServingHost:   "127.0.0.1",
	}
	if err := opts.PrepWithoutInstalling(); err != nil {
		t.Fatalf("prepare webhook: %v", err)
	}
	t.Cleanup(func() { _ = opts.Cleanup() })

	cert, err := tls.LoadX509KeyPair(filepath.Join(opts.LocalServingCertDir, "tls.crt"),
		filepath.Join(opts.LocalServingCertDir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(opts.LocalServingHost, strconv.Itoa(opts.LocalServingPort)))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv := &http.Server{
		Handler:           rec,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })

	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := opts.Install(cfg); err != nil {
		t.Fatalf("install webhook configuration: %v", err)
	}
	t.Cleanup(func() {
		// Fail closed: remove it before the recorder stops, or the rest of the suite would be blocked.
		if err := c.Delete(context.WithoutCancel(t.Context()), vwc); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete webhook configuration: %v", err)
		}
	})

	// The API server picks the configuration up asynchronously: wait until a request reaches the recorder.
	ensureNamespace(t, c, "mc-probe", nil)
	var n int
	err = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true,
		func(ctx context.Context) (bool, error) {
			n++
			sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "mc-probe", Name: fmt.Sprintf("probe-%d", n),
				Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/probe"}}}
			if err := c.Create(ctx, sa, client.DryRunAll); err != nil {
				return false, nil //nolint:nilerr // the webhook may be half-registered; try again
			}
			return len(rec.callsIn("mc-probe")) > 0, nil
		})
	if err != nil {
		t.Fatalf("the webhook configuration never took effect: %v", err)
	}
	return rec, c
}

const (
	roleARN    = "arn:aws:iam::111122223333:role/app"
	pathSA     = "/validate-v1-serviceaccount"
	pathDeploy = "/validate-apps-v1-deployment"
)

func serviceAccount(annotations map[string]string) client.Object {
	return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "app", Annotations: annotations}}
}

func podSpec(serviceAccountName string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "app"}},
		Spec: corev1.PodSpec{
			ServiceAccountName: serviceAccountName,
			RestartPolicy:      corev1.RestartPolicyAlways,
			Containers:         []corev1.Container{{Name: "app", Image: "registry.example/app:1"}},
		},
	}
}

func jobSpec(serviceAccountName string) batchv1.JobSpec {
	tmpl := podSpec(serviceAccountName)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	return batchv1.JobSpec{Template: tmpl}
}

var selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "app"}}

func deployment(serviceAccountName string) client.Object {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "app"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1), Selector: selector, Template: podSpec(serviceAccountName)}}
}

func cronJob(serviceAccountName string) client.Object {
	return &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "app"}, Spec: batchv1.CronJobSpec{
		Schedule: "0 * * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: jobSpec(serviceAccountName)}}}
}

func setLabel(o client.Object) { o.SetLabels(map[string]string{"touched": "yes"}) }

func setAnnotation(key, value string) func(client.Object) {
	return func(o client.Object) {
		a := o.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[key] = value
		o.SetAnnotations(a)
	}
}

func deleteAnnotation(key string) func(client.Object) {
	return func(o client.Object) {
		a := o.GetAnnotations()
		delete(a, key)
		o.SetAnnotations(a)
	}
}

func templateOf(o client.Object) *corev1.PodSpec {
	switch o := o.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template.Spec
	}
	panic(fmt.Sprintf("no pod template in %T", o))
}

func setServiceAccountName(name string) func(client.Object) {
	return func(o client.Object) { templateOf(o).ServiceAccountName = name }
}

// The matchConditions, namespaceSelector and rules of the shipped configuration, on a real API server: exactly
// these requests reach the webhook. Every object is written for real (CREATE, then each UPDATE in order).
func TestMatchConditions(t *testing.T) {
	t.Parallel()
	rec, c := installRecorder(t)
	run := runs.Add(1) // -count=N reuses the API server: names must not repeat

	tests := map[string]struct {
		namespace string            // default: one of its own
		nsLabels  map[string]string // labels of its own namespace
		obj       client.Object
		updates   []func(client.Object)
		want      []string // "OPERATION path", in order
	}{
		"SA with role-arn is sent": {
			obj:  serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN}),
			want: []string{"CREATE " + pathSA},
		},
		"SA without annotations is not sent": {
			obj: serviceAccount(nil),
		},
		"SA with unrelated annotations is not sent": {
			obj: serviceAccount(map[string]string{"example.com/owner": "team-a", "eks.amazonaws.com/role": roleARN}),
		},
		"SA with near-miss key role_arn is sent": {
			obj:  serviceAccount(map[string]string{"eks.amazonaws.com/role_arn": roleARN}),
			want: []string{"CREATE " + pathSA},
		},
		"SA with near-miss key roleArn (case) is sent": {
			obj:  serviceAccount(map[string]string{"eks.amazonaws.com/roleArn": roleARN}),
			want: []string{"CREATE " + pathSA},
		},
		"SA with near-miss key ROLE-ARN in another prefix is sent": {
			obj:  serviceAccount(map[string]string{"eks.amazon.com/ROLE-ARN": roleARN}),
			want: []string{"CREATE " + pathSA},
		},
		"SA with kiam key is sent": {
			obj:  serviceAccount(map[string]string{"iam.amazonaws.com/role": roleARN}),
			want: []string{"CREATE " + pathSA},
		},
		"label-only update of an SA with role-arn is not sent": {
			obj:     serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN}),
			updates: []func(client.Object){setLabel, setAnnotation("example.com/owner", "b")},
			want:    []string{"CREATE " + pathSA},
		},
		"update changing the role-arn is sent": {
			obj:     serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN}),
			updates: []func(client.Object){setAnnotation("eks.amazonaws.com/role-arn", roleARN+"-v2")},
			want:    []string{"CREATE " + pathSA, "UPDATE " + pathSA},
		},
		"update adding an audience is sent": {
			obj:     serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN}),
			updates: []func(client.Object){setAnnotation("eks.amazonaws.com/audience", "irsa")},
			want:    []string{"CREATE " + pathSA, "UPDATE " + pathSA},
		},
		"update adding a role-arn to an SA without annotations is sent": {
			obj:     serviceAccount(nil),
			updates: []func(client.Object){setAnnotation("eks.amazonaws.com/role-arn", roleARN)},
			want:    []string{"UPDATE " + pathSA},
		},
		"update removing the role-arn is not sent": {
			obj:     serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN, "example.com/owner": "a"}),
			updates: []func(client.Object){deleteAnnotation("eks.amazonaws.com/role-arn")},
			want:    []string{"CREATE " + pathSA},
		},
		"SA in the webhook's own namespace is not sent": {
			namespace: manifests.Namespace,
			obj:       serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN}),
			updates:   []func(client.Object){setAnnotation("eks.amazonaws.com/role-arn", roleARN+"-v2")},
		},
		"SA in a namespace labelled mode=off is not sent": {
			nsLabels: map[string]string{"irsa-guard.io/mode": "off"},
			obj:      serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN}),
		},
		"SA in a namespace labelled mode=warn is sent": {
			nsLabels: map[string]string{"irsa-guard.io/mode": "warn"},
			obj:      serviceAccount(map[string]string{"eks.amazonaws.com/role-arn": roleARN}),
			want:     []string{"CREATE " + pathSA},
		},
		"Deployment create without serviceAccountName is sent, replicas update is not": {
			obj:     deployment(""),
			updates: []func(client.Object){func(o client.Object) { o.(*appsv1.Deployment).Spec.Replicas = ptr.To[int32](3) }},
			want:    []string{"CREATE " + pathDeploy},
		},
		"Deployment setting serviceAccountName where it was absent is sent": {
			obj:     deployment(""),
			updates: []func(client.Object){setServiceAccountName("app")},
			want:    []string{"CREATE " + pathDeploy, "UPDATE " + pathDeploy},
		},
		"Deployment with serviceAccountName: replicas, image and label updates are not sent": {
			obj: deployment("app"),
			updates: []func(client.Object){
				func(o client.Object) { o.(*appsv1.Deployment).Spec.Replicas = ptr.To[int32](3) },
				func(o client.Object) { templateOf(o).Containers[0].Image = "registry.example/app:2" },
				setLabel,
			},
			want: []string{"CREATE " + pathDeploy},
		},
		"Deployment changing serviceAccountName is sent": {
			obj:     deployment("app"),
			updates: []func(client.Object){setServiceAccountName("other")},
			want:    []string{"CREATE " + pathDeploy, "UPDATE " + pathDeploy},
		},
		"Deployment changing the deprecated serviceAccount is sent": {
			obj: deployment("app"),
			updates: []func(client.Object){func(o client.Object) {
				templateOf(o).ServiceAccountName = ""
				templateOf(o).DeprecatedServiceAccount = "other"
			}},
			want: []string{"CREATE " + pathDeploy, "UPDATE " + pathDeploy},
		},
		"Deployment in the webhook's own namespace is not sent": {
			namespace: manifests.Namespace,
			obj:       deployment(""),
			updates:   []func(client.Object){setServiceAccountName("app")},
		},
		"Deployment in a namespace labelled mode=off is not sent": {
			nsLabels: map[string]string{"irsa-guard.io/mode": "off"},
			obj:      deployment("app"),
			updates:  []func(client.Object){setServiceAccountName("other")},
		},
		"StatefulSet create is sent, replicas update is not": {
			obj: &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "app"},
				Spec: appsv1.StatefulSetSpec{ServiceName: "app", Selector: selector, Template: podSpec("app")}},
			updates: []func(client.Object){func(o client.Object) { o.(*appsv1.StatefulSet).Spec.Replicas = ptr.To[int32](3) }},
			want:    []string{"CREATE /validate-apps-v1-statefulset"},
		},
		"DaemonSet create and serviceAccountName change are sent": {
			obj: &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "app"},
				Spec: appsv1.DaemonSetSpec{Selector: selector, Template: podSpec("")}},
			updates: []func(client.Object){setLabel, func(o client.Object) { o.(*appsv1.DaemonSet).Spec.Template.Spec.ServiceAccountName = "app" }},
			want:    []string{"CREATE /validate-apps-v1-daemonset", "UPDATE /validate-apps-v1-daemonset"},
		},
		"ReplicaSet create is sent": {
			obj: &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "app"},
				Spec: appsv1.ReplicaSetSpec{Selector: selector, Template: podSpec("app")}},
			updates: []func(client.Object){func(o client.Object) { o.(*appsv1.ReplicaSet).Spec.Replicas = ptr.To[int32](0) }},
			want:    []string{"CREATE /validate-apps-v1-replicaset"},
		},
		"a ReplicaSet a Deployment controls is not sent": {
			obj: &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "owned", OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "0d5f2a4e-1c1b-4c55-9a57-3c1f7c2f0a11", Controller: ptr.To(true)}}},
				Spec: appsv1.ReplicaSetSpec{Selector: selector, Template: podSpec("app")}},
			want: nil,
		},
		"a Job a CronJob controls is not sent": {
			obj: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "owned", OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: "5b7d1c2e-8f3a-4d6b-9c0e-2a4f6b8d0c13", Controller: ptr.To(true)}}},
				Spec: jobSpec("")},
			want: nil,
		},
		"a Job with a non-controller owner is sent": {
			obj: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "tracked", OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "ConfigMap", Name: "cm", UID: "7c9e2d4f-1a3b-4c5d-8e6f-0a1b2c3d4e5f"}}},
				Spec: jobSpec("")},
			want: []string{"CREATE /validate-batch-v1-job"},
		},
		"Job create is sent, label update is not": {
			obj:     &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "app"}, Spec: jobSpec("")},
			updates: []func(client.Object){setLabel},
			want:    []string{"CREATE /validate-batch-v1-job"},
		},
		"CronJob create is sent, schedule update is not, serviceAccountName change is": {
			obj: cronJob(""),
			updates: []func(client.Object){
				func(o client.Object) { o.(*batchv1.CronJob).Spec.Schedule = "30 * * * *" },
				setServiceAccountName("app"),
			},
			want: []string{"CREATE /validate-batch-v1-cronjob", "UPDATE /validate-batch-v1-cronjob"},
		},
		"Pod create is sent (pods component), label update is not": {
			obj:     &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app"}, Spec: podSpec("app").Spec},
			updates: []func(client.Object){setLabel},
			want:    []string{"CREATE /validate-v1-pod"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ns := tc.namespace
			if ns == "" {
				ns = fmt.Sprintf("mc-%d-%08x", run, fnvOf(name))
				ensureNamespace(t, c, ns, tc.nsLabels)
			} else {
				ensureNamespace(t, c, ns, restricted)
			}
			obj := tc.obj
			obj.SetNamespace(ns)
			obj.SetName(fmt.Sprintf("app-%d-%08x", run, fnvOf(name)))
			if err := c.Create(t.Context(), obj); err != nil {
				t.Fatalf("create: %v", err)
			}
			for i, update := range tc.updates {
				update(obj)
				if err := c.Update(t.Context(), obj); err != nil {
					t.Fatalf("update %d: %v", i, err)
				}
			}
			var got []string
			for _, call := range rec.callsIn(ns) {
				if call.Name != obj.GetName() {
					continue
				}
				got = append(got, call.Operation+" "+call.Path)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("requests sent to the webhook:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

var runs atomic.Int64

func fnvOf(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}
