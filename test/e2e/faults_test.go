//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/server"
	"github.com/irsa-guard/irsa-guard/internal/testcases"
)

func loadCase(t *testing.T, id string) testcases.Case {
	t.Helper()
	return testcases.Find(t, filepath.Join("..", "..", "testdata", "cases"), id)
}

// webhookFor starts irsa-guard for the case's cluster, reading IAM through the real aws-sdk-go-v2 client from
// srv loaded with the case's IAM state, with opts adjusted by tweak. Roles in an account other than the
// cluster's are read through an account role, as --account-role configures. It returns the registry of the
// webhook's own metrics.
func webhookFor(t testing.TB, c testcases.Case, srv *iamtest.Server, tweak func(*server.Options)) *prometheus.Registry {
	t.Helper()
	dir := t.TempDir()
	if err := c.WriteIAMDir(dir); err != nil {
		t.Fatal(err)
	}
	srv.SetHomeAccount(c.Cluster.Account)
	if err := srv.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	opts := server.DefaultOptions()
	opts.Issuer, opts.Account, opts.Partition = c.Cluster.Issuer, c.Cluster.Account, c.Cluster.Partition
	opts.IAMEndpoint, opts.STSEndpoint, opts.Region = srv.URL(), srv.URL(), "us-east-1"
	opts.OwnNamespace = ownNamespace
	opts.AccountRoles = map[string]string{}
	if role, err := irsa.ParseRoleARN(c.Role.ARN); err == nil && role.Account != c.Cluster.Account {
		reader := fmt.Sprintf("arn:%s:iam::%s:role/irsa-guard-reader", role.Partition, role.Account)
		srv.PutRole(reader, `{"Version":"2012-10-17","Statement":[]}`)
		opts.AccountRoles[role.Account] = reader
	}
	reg := prometheus.NewRegistry()
	opts.Registry = reg
	if tweak != nil {
		tweak(&opts)
	}
	wh, err := cp.StartWebhook(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := wh.Stop(); err != nil {
			t.Error(err)
		}
	})
	return reg
}

func saManifest(t *testing.T, c testcases.Case) []byte {
	t.Helper()
	_, sa, _ := splitManifests(t, c)
	return sa
}

// TestIAMFaults: IAM throttled, slow, down or refusing gives a decision within the webhook's deadline, a
// "trust not verified" warning, and no wrong denial: even a trust that is really broken is only warned about,
// unless --on-lookup-error=deny asks to fail closed.
func TestIAMFaults(t *testing.T) {
	good, broken := loadCase(t, "001-correct-trust"), loadCase(t, "003-space-in-sub")
	faults := map[string]iamtest.Fault{
		"throttled":   {Code: "Throttling", Status: 400},
		"down (503)":  {Code: "ServiceUnavailable", Status: 503},
		"down (500)":  {Code: "InternalFailure", Status: 500},
		"refusing":    {Code: "AccessDenied", Status: 403},
		"slow (10 s)": {Delay: 10 * time.Second},
	}
	for name, fault := range faults {
		for _, c := range []testcases.Case{good, broken} {
			t.Run(name+"/"+c.ID, func(t *testing.T) {
				srv := iamtest.NewServer()
				t.Cleanup(srv.Close)
				srv.SetFault("GetRole", fault)
				webhookFor(t, c, srv, nil)
				start := time.Now()
				r := cp.Kubectl(t.Context(), saManifest(t, c), "apply", "--dry-run=server", "-f", "-")
				took := time.Since(start)
				if r.ExitCode != 0 {
					t.Fatalf("denied while IAM is %s (exit %d):\n%s", name, r.ExitCode, r.Stderr)
				}
				want := "Warning: metadata.annotations[eks.amazonaws.com/role-arn]: trust not verified: "
				if !strings.Contains(r.Stderr, want) {
					// Without our warning the API server gave up on the webhook (failurePolicy Ignore): no decision.
					t.Fatalf("no %q line (did the webhook answer within its deadline?), took %v:\n%s", want, took, r.Stderr)
				}
				t.Logf("IAM %s: admitted with a warning in %v: %s", name, took.Round(time.Millisecond),
					strings.TrimSpace(r.Stderr))
			})
		}
	}
	t.Run("fail closed", func(t *testing.T) {
		srv := iamtest.NewServer()
		t.Cleanup(srv.Close)
		srv.SetFault("GetRole", iamtest.Fault{Code: "Throttling", Status: 400})
		webhookFor(t, good, srv, func(o *server.Options) { o.OnLookupError = "deny" })
		r := cp.Kubectl(t.Context(), saManifest(t, good), "apply", "--dry-run=server", "-f", "-")
		if r.ExitCode == 0 || !strings.Contains(r.Stderr, "denied the request: metadata.annotations[eks.amazonaws.com/role-arn]: Forbidden: trust not verified: ") {
			t.Fatalf("want a denial with --on-lookup-error=deny, got exit %d:\n%s", r.ExitCode, r.Stderr)
		}
	})
}

// TestModes: the namespace label turns a denial into a warning (warn) or skips the check (off); the webhook's
// own namespace is never judged.
func TestModes(t *testing.T) {
	c := loadCase(t, "003-space-in-sub")
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	webhookFor(t, c, srv, nil)
	ctx := t.Context()
	for _, ns := range []string{"mode-warn", "mode-off", ownNamespace} {
		if r := cp.Kubectl(ctx, nil, "create", "namespace", ns); r.ExitCode != 0 && !strings.Contains(r.Stderr, "AlreadyExists") {
			t.Fatal(r.Stderr)
		}
	}
	cp.Kubectl(ctx, nil, "label", "namespace", "mode-warn", "irsa-guard.io/mode=warn", "--overwrite")
	cp.Kubectl(ctx, nil, "label", "namespace", "mode-off", "irsa-guard.io/mode=off", "--overwrite")
	sa := func(ns string) []byte {
		return []byte(strings.Replace(string(saManifest(t, c)), "namespace: kube-system", "namespace: "+ns, 1))
	}
	// The trust is broken (a stray space in sub), so every namespace gets a denial: what differs is the mode.
	r := cp.Kubectl(ctx, sa("mode-warn"), "apply", "--dry-run=server", "-f", "-")
	if r.ExitCode != 0 || !strings.Contains(r.Stderr, "Warning: would be denied (namespace mode warn): metadata.annotations[eks.amazonaws.com/role-arn]: Forbidden: role ") {
		t.Errorf("mode warn: want admitted with a would-be-denied warning, got exit %d:\n%s", r.ExitCode, r.Stderr)
	}
	for _, ns := range []string{"mode-off", ownNamespace} {
		r := cp.Kubectl(ctx, sa(ns), "apply", "--dry-run=server", "-f", "-")
		if r.ExitCode != 0 || strings.Contains(r.Stderr, "Warning:") {
			t.Errorf("namespace %s: want admitted silently, got exit %d:\n%s", ns, r.ExitCode, r.Stderr)
		}
	}
	r = cp.Kubectl(ctx, sa("kube-system"), "apply", "--dry-run=server", "-f", "-")
	if r.ExitCode == 0 {
		t.Errorf("kube-system (enforce): want a denial, got:\n%s", r.Stderr)
	}
}

// TestAdmissionStorm: 1,000 concurrent admissions for one role make one GetRole call; then the admission
// latency with a warm cache, as a client sees it (API server round trip of a server-side dry-run create).
func TestAdmissionStorm(t *testing.T) {
	c := loadCase(t, "001-correct-trust")
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	webhookFor(t, c, srv, nil)

	cfg := rest.CopyConfig(cp.Config)
	cfg.QPS, cfg.Burst = -1, 0 // no client-side rate limit: the storm reaches the API server at once
	cl, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sa := func() *corev1.ServiceAccount {
		return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: c.ServiceAccount.Namespace,
			Name: c.ServiceAccount.Name, Annotations: c.ServiceAccount.Annotations}}
	}
	ctx := t.Context()
	const storm = 1000
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		stormed []time.Duration
	)
	start := time.Now()
	for range storm {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			err := cl.Create(ctx, sa(), client.DryRunAll)
			mu.Lock()
			defer mu.Unlock()
			stormed = append(stormed, time.Since(t0))
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if len(errs) > 0 {
		t.Fatalf("%d of %d admissions failed; first: %v", len(errs), storm, errs[0])
	}
	calls := srv.CallsFor("GetRole", "AmazonEKSLoadBalancerControllerRole")
	if calls != 1 {
		t.Errorf("%d concurrent admissions for one role made %d GetRole calls, want 1", storm, calls)
	}
	t.Logf("storm: %d concurrent admissions in %v, %d GetRole call(s), %d GetOpenIDConnectProvider call(s); "+
		"client-side p50 %v p99 %v", storm, wall.Round(time.Millisecond), calls,
		srv.Calls("GetOpenIDConnectProvider"), pct(stormed, 50), pct(stormed, 99))

	// Warm cache, one at a time: what one kubectl apply waits for.
	var warm []time.Duration
	for range 300 {
		t0 := time.Now()
		if err := cl.Create(ctx, sa(), client.DryRunAll); err != nil {
			t.Fatal(err)
		}
		warm = append(warm, time.Since(t0))
	}
	if got := srv.CallsFor("GetRole", "AmazonEKSLoadBalancerControllerRole"); got != 1 {
		t.Errorf("warm cache: %d GetRole calls in all, want still 1", got)
	}
	t.Logf("warm cache: %d sequential admissions (server-side dry-run create, API server round trip): p50 %v p99 %v",
		len(warm), pct(warm, 50), pct(warm, 99))
	baseline := noWebhookLatency(t, cl)
	t.Logf("baseline without the webhook (ConfigMap dry-run create, not sent): p50 %v p99 %v",
		pct(baseline, 50), pct(baseline, 99))
}

// noWebhookLatency is the same round trip for an object no webhook sees, to tell the webhook's share.
func noWebhookLatency(t *testing.T, cl client.Client) []time.Duration {
	var out []time.Duration
	for i := range 300 {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("baseline-%d", i)}}
		t0 := time.Now()
		if err := cl.Create(context.Background(), cm, client.DryRunAll); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(t0))
	}
	return out
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(i, 0)].Round(10 * time.Microsecond)
}

// TestDecisionLog: one structured line per decision, with the role and the verdict, never the whole object.
func TestDecisionLog(t *testing.T) {
	c := loadCase(t, "006-wrong-namespace")
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	webhookFor(t, c, srv, nil)
	ctx := t.Context()
	namespaces, sa, _ := splitManifests(t, c)
	cp.Kubectl(ctx, namespaces, "apply", "-f", "-")
	before := decisionLines(t)
	cp.Kubectl(ctx, sa, "apply", "--dry-run=server", "-f", "-")
	lines := decisionLines(t)[len(before):]
	if len(lines) != 1 {
		t.Fatalf("%d decision lines for one request, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for _, want := range []string{`"kind":"ServiceAccount"`, `"namespace":"aws-lb"`, `"verdict":"deny"`,
		`"roleARN":"arn:aws:iam::111122223333:role/AmazonEKSLoadBalancerControllerRole"`, `"findings":["WrongNamespace"]`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("decision line lacks %s: %s", want, lines[0])
		}
	}
	if strings.Contains(lines[0], "managedFields") || strings.Contains(lines[0], `"annotations"`) {
		t.Errorf("decision line holds the object: %s", lines[0])
	}
}

func decisionLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, `"msg":"decision"`) {
			out = append(out, l)
		}
	}
	return out
}
