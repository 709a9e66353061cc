//go:build e2e

package e2e

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
)

// biReview builds an AdmissionReview request for the ServiceAccount path.
func biReview(uid, op, kind string, object string) string {
	obj := "null"
	if object != "" {
		obj = object
	}
	return fmt.Sprintf(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":%q,`+
		`"kind":{"group":"","version":"v1","kind":%q},"resource":{"group":"","version":"v1","resource":"serviceaccounts"},`+
		`"namespace":"kube-system","name":"aws-load-balancer-controller","operation":%q,"userInfo":{"username":"e2e"},"object":%s}}`, uid, kind, op, obj)
}

func biSA(annotations map[string]string) string {
	b, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "ServiceAccount",
		"metadata": map[string]any{"name": "aws-load-balancer-controller", "namespace": "kube-system", "annotations": annotations}})
	return string(b)
}

// TestBadInputWebhookHTTP posts malformed admission requests straight to the webhook's TLS endpoint: each gets
// an HTTP 200 with an AdmissionReview whose response is an error (code 400) or a clean allow/deny, within the
// client's deadline, and the webhook keeps serving.
func TestBadInputWebhookHTTP(t *testing.T) {
	c := loadCase(t, "001-correct-trust")
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	webhookFor(t, c, srv, nil)

	w := cp.Env.WebhookInstallOptions
	base := "https://" + net.JoinHostPort(w.LocalServingHost, strconv.Itoa(w.LocalServingPort))
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // local test server
	t.Cleanup(hc.CloseIdleConnections)

	roleARN := c.ServiceAccount.Annotations["eks.amazonaws.com/role-arn"]
	manyAnnotations := map[string]string{"eks.amazonaws.com/role-arn": roleARN}
	for i := range 5000 {
		manyAnnotations[fmt.Sprintf("example.com/a-%d", i)] = strings.Repeat("v", 20)
	}
	deep := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)

	const (
		errorReply = "error"       // response.allowed false with result.code 400 (or another 4xx/5xx code)
		allowReply = "allow"       // response.allowed true
		denyReply  = "deny"        // response.allowed false with code 403
		anyReply   = "any"         // a well-formed AdmissionReview with a response
		notAllow   = "not allowed" // an error or a denial
	)
	tests := []struct {
		name        string
		path        string
		contentType string
		body        string
		want        string
	}{
		{"empty body", "", "", "", errorReply},
		{"not JSON", "", "", "not json at all", errorReply},
		{"wrong content type", "", "text/plain", biReview("u1", "CREATE", "ServiceAccount", biSA(nil)), errorReply},
		{"JSON that is not an AdmissionReview", "", "", `{"hello":"world"}`, errorReply},
		{"a JSON list", "", "", `[1,2,3]`, errorReply},
		{"JSON null", "", "", `null`, errorReply},
		// controller-runtime is lenient about the review's own type (it judges the request and echoes the type);
		// what matters is that a broken role-arn is not allowed.
		{"wrong apiVersion", "", "", strings.Replace(biReview("u2", "CREATE", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": "nope"})), "admission.k8s.io/v1", "admission.k8s.io/v0", 1), notAllow},
		{"wrong kind", "", "", strings.Replace(biReview("u3", "CREATE", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": "nope"})), `"kind":"AdmissionReview"`, `"kind":"Pod"`, 1), notAllow},
		{"missing request", "", "", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, errorReply},
		{"missing uid", "", "", biReview("", "CREATE", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": roleARN})), anyReply},
		{"missing object", "", "", biReview("u4", "CREATE", "ServiceAccount", ""), errorReply},
		{"body over 10 MiB", "", "", biReview("u5", "CREATE", "ServiceAccount", biSA(map[string]string{"x": strings.Repeat("a", 11<<20)})), errorReply},
		{"deeply nested object", "", "", biReview("u6", "CREATE", "ServiceAccount", deep), errorReply},
		{"a Deployment sent to the ServiceAccount path", "", "", biReview("u7", "CREATE", "Deployment",
			`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"team"},"spec":{"replicas":1}}`), anyReply},
		{"fields of the wrong type", "", "", biReview("u8", "CREATE", "ServiceAccount",
			`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"app","namespace":"team","annotations":["a"]}}`), errorReply},
		{"annotation value a number", "", "", biReview("u9", "CREATE", "ServiceAccount",
			`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"app","namespace":"team","annotations":{"eks.amazonaws.com/role-arn":42}}}`), errorReply},
		{"unknown operation", "", "", biReview("u10", "FROBNICATE", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": "nope"})), anyReply},
		{"CONNECT", "", "", biReview("u11", "CONNECT", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": "nope"})), anyReply},
		{"DELETE", "", "", strings.Replace(biReview("u12", "DELETE", "ServiceAccount", ""), `"object":null`, `"oldObject":`+biSA(map[string]string{"eks.amazonaws.com/role-arn": "nope"}), 1), allowReply},
		{"role-arn with invalid UTF-8", "", "", biReview("u13", "CREATE", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": roleARN + "\xff"})), denyReply},
		{"role-arn with raw invalid UTF-8 bytes", "", "", strings.Replace(biReview("u14", "CREATE", "ServiceAccount",
			biSA(map[string]string{"eks.amazonaws.com/role-arn": roleARN + "@@"})), "@@", "\xff\xfe", 1), denyReply},
		{"role-arn with NUL", "", "", biReview("u15", "CREATE", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": roleARN + "\x00"})), denyReply},
		{"role-arn of 100 KB", "", "", biReview("u16", "CREATE", "ServiceAccount", biSA(map[string]string{"eks.amazonaws.com/role-arn": roleARN + strings.Repeat("a", 100<<10)})), denyReply},
		{"5,000 annotations", "", "", biReview("u17", "CREATE", "ServiceAccount", biSA(manyAnnotations)), allowReply},
		{"control: the case's ServiceAccount", "", "", biReview("u18", "CREATE", "ServiceAccount", biSA(c.ServiceAccount.Annotations)), allowReply},
		{"unknown path", "/validate-v1-nothing", "", biReview("u19", "CREATE", "ServiceAccount", biSA(nil)), "404"},
	}
	post := func(t *testing.T, path, ctype, body string) (int, []byte) {
		t.Helper()
		if path == "" {
			path = "/validate-v1-serviceaccount"
		}
		if ctype == "" {
			ctype = "application/json"
		}
		start := time.Now()
		resp, err := hc.Post(base+path, ctype, strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s (%d bytes) after %v: %v", path, len(body), time.Since(start).Round(time.Millisecond), err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			t.Fatalf("read the reply: %v", err)
		}
		return resp.StatusCode, b
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, tc.path, tc.contentType, tc.body)
			if tc.want == "404" {
				if status != http.StatusNotFound {
					t.Errorf("status %d, want 404", status)
				}
				return
			}
			if status != http.StatusOK {
				t.Fatalf("status %d, want 200 with an AdmissionReview; body %.300s", status, body)
			}
			var rev admissionv1.AdmissionReview
			if err := json.NewDecoder(bytes.NewReader(body)).Decode(&rev); err != nil {
				t.Fatalf("reply is not an AdmissionReview: %v; body %.300s", err, body)
			}
			r := rev.Response
			if r == nil {
				t.Fatalf("AdmissionReview without a response: %.300s", body)
			}
			code := int32(0)
			msg := ""
			if r.Result != nil {
				code, msg = r.Result.Code, r.Result.Message
			}
			t.Logf("allowed=%v code=%d warnings=%d message=%.200q reply=%.300s", r.Allowed, code, len(r.Warnings), msg, bytes.ReplaceAll(body, []byte(strings.Repeat("a", 64)), nil))
			switch tc.want {
			case errorReply:
				if r.Allowed || code < 400 || code == http.StatusForbidden {
					t.Errorf("want an error (code 400), got allowed=%v code=%d message %.200q", r.Allowed, code, msg)
				}
			case allowReply:
				if !r.Allowed {
					t.Errorf("want allowed, got code %d message %.300q", code, msg)
				}
			case notAllow:
				if r.Allowed {
					t.Errorf("want an error or a denial, got allowed")
				}
			case denyReply:
				if r.Allowed || code != http.StatusForbidden || !strings.Contains(msg, "not a role ARN") {
					t.Errorf("want a 403 denial saying \"not a role ARN\", got allowed=%v code=%d message %.300q", r.Allowed, code, msg)
				}
				if len(msg) > 1024 {
					t.Errorf("denial is %d bytes long: the annotation is echoed whole", len(msg))
				}
			}
			if strings.Contains(msg, "panic") {
				t.Errorf("reply mentions a panic: %.300q", msg)
			}
		})
	}
	// Still serving after all of that: the control admission is answered as before.
	status, body := post(t, "", "", biReview("after", "CREATE", "ServiceAccount", biSA(c.ServiceAccount.Annotations)))
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"allowed":true`)) {
		t.Fatalf("after the bad input the webhook answers %d: %.300s", status, body)
	}
}
