//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
	"github.com/irsa-guard/irsa-guard/internal/server"
)

// writeCert writes a self-signed serving certificate for 127.0.0.1 as tls.crt/tls.key and returns its serial.
func writeCert(t *testing.T, dir string) *big.Int {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "irsa-guard-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// Write both, then rename into place, as the kubelet swaps a mounted Secret.
	for name, block := range map[string]*pem.Block{"tls.crt": {Type: "CERTIFICATE", Bytes: der},
		"tls.key": {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		tmp := filepath.Join(dir, "."+name)
		if err := os.WriteFile(tmp, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return serial
}

func freeAddr(t *testing.T) (string, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String(), l.Addr().(*net.TCPAddr).Port
}

func servedSerial(addr string) (*big.Int, error) {
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // we inspect the cert
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber, nil
}

func review(t testing.TB, sa *corev1.ServiceAccount) []byte {
	t.Helper()
	raw, err := json.Marshal(sa)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: types.UID("e2e-1"), Operation: admissionv1.Create,
			Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"},
			Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"},
			Namespace: sa.Namespace, Name: sa.Name, Object: runtime.RawExtension{Raw: raw}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestServing: TLS 1.2 minimum, no HTTP/2 by default, health and readiness, metrics, the serving certificate
// reloaded on rotation without a restart, and a graceful shutdown that finishes the review in flight.
func TestServing(t *testing.T) {
	c := loadCase(t, "001-correct-trust")
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	iamDir := t.TempDir()
	if err := c.WriteIAMDir(iamDir); err != nil {
		t.Fatal(err)
	}
	srv.SetHomeAccount(c.Cluster.Account)
	if err := srv.LoadDir(iamDir); err != nil {
		t.Fatal(err)
	}
	certDir := t.TempDir()
	first := writeCert(t, certDir)
	webhookAddr, port := freeAddr(t)
	healthAddr, _ := freeAddr(t)
	metricsAddr, _ := freeAddr(t)

	opts := server.DefaultOptions()
	opts.Issuer, opts.Account = c.Cluster.Issuer, c.Cluster.Account
	opts.IAMEndpoint, opts.STSEndpoint, opts.Region = srv.URL(), srv.URL(), "us-east-1"
	opts.Host, opts.Port, opts.CertDir = "127.0.0.1", port, certDir
	opts.HealthAddr, opts.MetricsAddr = healthAddr, metricsAddr
	opts.OwnNamespace = ownNamespace
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx, cp.Config, opts) }()

	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}} //nolint:gosec
	waitFor(t, "readyz", func() error {
		resp, err := hc.Get("http://" + healthAddr + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz %s", resp.Status)
		}
		return nil
	})
	if resp, err := hc.Get("http://" + healthAddr + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %v %v", resp, err)
	}

	t.Run("TLS 1.2 minimum, HTTP/1.1 only", func(t *testing.T) {
		conn, err := tls.Dial("tcp", webhookAddr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}}) //nolint:gosec
		if err != nil {
			t.Fatal(err)
		}
		if p := conn.ConnectionState().NegotiatedProtocol; p == "h2" {
			t.Errorf("negotiated %q, want HTTP/2 off", p)
		}
		conn.Close()
		if _, err := tls.Dial("tcp", webhookAddr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}); err == nil { //nolint:gosec
			t.Error("a TLS 1.1 handshake succeeded, want TLS 1.2 minimum")
		}
	})

	sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Namespace: c.ServiceAccount.Namespace, Name: c.ServiceAccount.Name,
			Annotations: c.ServiceAccount.Annotations}}
	post := func() (*admissionv1.AdmissionReview, error) {
		resp, err := hc.Post("https://"+webhookAddr+server.PathServiceAccount, "application/json", bytes.NewReader(review(t, sa)))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var out admissionv1.AdmissionReview
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return nil, err
		}
		return &out, nil
	}
	t.Run("review and metrics", func(t *testing.T) {
		out, err := post()
		if err != nil {
			t.Fatal(err)
		}
		if out.Response == nil || !out.Response.Allowed || out.Response.UID != "e2e-1" {
			t.Fatalf("response %+v, want allowed with the request's UID", out.Response)
		}
		resp, err := hc.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, m := range []string{`irsa_guard_decisions_total{enforced="false",kind="ServiceAccount",verdict="allow"} 1`,
			`irsa_guard_iam_requests_total{api="GetRole",outcome="ok"} 1`, "irsa_guard_iam_request_duration_seconds_bucket",
			"irsa_guard_cache_misses_total", "controller_runtime_webhook_requests_total"} {
			if !strings.Contains(string(body), m) {
				t.Errorf("metrics lack %s", m)
			}
		}
	})

	t.Run("certificate rotation", func(t *testing.T) {
		if got, err := servedSerial(webhookAddr); err != nil || got.Cmp(first) != 0 {
			t.Fatalf("served serial %v (%v), want %v", got, err, first)
		}
		second := writeCert(t, certDir)
		waitFor(t, "the rotated certificate", func() error {
			got, err := servedSerial(webhookAddr)
			if err != nil {
				return err
			}
			if got.Cmp(second) != 0 {
				return fmt.Errorf("still serving serial %v", got)
			}
			return nil
		})
	})

	t.Run("graceful shutdown finishes the review in flight", func(t *testing.T) {
		sa.Annotations = map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/slow"}
		srv.PutRole("arn:aws:iam::111122223333:role/slow", string(c.Role.TrustPolicy))
		srv.SetFault("GetRole", iamtest.Fault{Delay: time.Second})
		result := make(chan error, 1)
		go func() {
			out, err := post()
			if err == nil && (out.Response == nil || out.Response.UID != "e2e-1" || !out.Response.Allowed ||
				len(out.Response.Warnings) > 0) {
				// The role is fine: a complete review admits it without warnings. A warning would mean the
				// review was cut short (IAM call cancelled by the shutdown).
				err = fmt.Errorf("review cut short: %+v", out.Response)
			}
			result <- err
		}()
		waitFor(t, "the slow GetRole to start", func() error {
			if srv.CallsFor("GetRole", "slow") == 0 {
				return fmt.Errorf("not yet")
			}
			return nil
		})
		cancel() // SIGTERM
		if err := <-result; err != nil {
			t.Errorf("the review in flight failed during shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("webhook stopped with %v", err)
		}
	})
}

// waitFor polls cond until it holds, failing after 30 s (a bound on a hang, not a speed assertion).
func waitFor(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestIssuerDiscovery: without --issuer the webhook reads the service-account issuer from the API server.
func TestIssuerDiscovery(t *testing.T) {
	issuer, err := server.DiscoverIssuer(t.Context(), cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(issuer, "https://") {
		t.Errorf("discovered issuer %q, want an https URL", issuer)
	}
	t.Logf("discovered issuer %s", issuer)
}
