//go:build e2e

package e2e

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
	"github.com/irsa-guard/irsa-guard/internal/server"
	"github.com/irsa-guard/irsa-guard/internal/testcases"
)

// BenchmarkReview is the webhook's own cost per review, as a load generator sees it: AdmissionReviews POSTed
// over TLS (keep-alive, in parallel) to the running webhook, warm cache, for an allowed and a denied
// ServiceAccount. No API server in the path: compare with TestAdmissionStorm's round trips.
//
//	go test -tags e2e -run '^$' -bench Review -benchtime 5000x ./test/e2e
func BenchmarkReview(b *testing.B) {
	for _, id := range []string{"001-correct-trust", "003-space-in-sub"} {
		b.Run(id, func(b *testing.B) {
			c := testcases.Find(b, "../../testdata/cases", id)
			srv := iamtest.NewServer()
			b.Cleanup(srv.Close)
			webhookFor(b, c, srv, nil)
			w := cp.Env.WebhookInstallOptions
			url := "https://" + net.JoinHostPort(w.LocalServingHost, strconv.Itoa(w.LocalServingPort)) + server.PathServiceAccount
			sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
				ObjectMeta: metav1.ObjectMeta{Namespace: c.ServiceAccount.Namespace, Name: c.ServiceAccount.Name,
					Annotations: c.ServiceAccount.Annotations}}
			body := review(b, sa)
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64,
				TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // a local benchmark
			post := func() error {
				resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				var out admissionv1.AdmissionReview
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					return err
				}
				if out.Response == nil {
					return fmt.Errorf("no response")
				}
				return nil
			}
			if err := post(); err != nil { // warm the cache
				b.Fatal(err)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := post(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reviews/s")
			if calls := srv.Calls("GetRole"); calls != 1 {
				b.Errorf("%d GetRole calls, want 1 (warm cache)", calls)
			}
		})
	}
}
