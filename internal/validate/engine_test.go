package validate_test

import (
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// awsEngine is the engine as the webhook runs it: the real AWS client behind the cache, against the IAM
// Query-protocol test server holding the case's state.
func awsEngine(t *testing.T, caseID string, clk *clock, tweak func(*iam.AWSOptions)) (*validate.Engine, *iamtest.Server) {
	t.Helper()
	c := loadCase(t, caseID)
	srv := iamtest.NewServer()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := c.WriteIAMDir(dir); err != nil {
		t.Fatal(err)
	}
	srv.SetHomeAccount(c.Cluster.Account)
	if err := srv.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	o := iam.AWSOptions{Region: "us-east-1", IAMEndpoint: srv.URL(), STSEndpoint: srv.URL(),
		HomeAccount: c.Cluster.Account, Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "s", "")}
	if tweak != nil {
		tweak(&o)
	}
	aws, err := iam.NewAWS(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	src, err := iam.NewCached(aws, iam.CacheOptions{TTL: time.Hour, NegativeTTL: time.Hour,
		Registerer: prometheus.NewRegistry(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := irsa.ParseIssuer(c.Cluster.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	return &validate.Engine{Cluster: validate.Cluster{Issuer: issuer, Partition: c.Cluster.Partition},
		Source: src, RecheckBeforeDeny: 15 * time.Second, Now: clk.Now}, srv
}

// TestRecheckBeforeDeny: a user fixes the trust policy and re-applies at once; the webhook still holds the
// broken copy in its cache, but reads IAM again before denying on it.
func TestRecheckBeforeDeny(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	e, srv := awsEngine(t, "003-space-in-sub", clk, nil)
	c := loadCase(t, "003-space-in-sub")
	sa := validate.ServiceAccount{Namespace: c.ServiceAccount.Namespace, Name: c.ServiceAccount.Name,
		Annotations: c.ServiceAccount.Annotations}
	if d := e.Diagnose(t.Context(), sa); d.Verdict != validate.Deny {
		t.Fatalf("broken trust: verdict %s, want deny", d.Verdict)
	}
	fixed := loadCase(t, "001-correct-trust")
	srv.PutRole(c.Role.ARN, string(fixed.Role.TrustPolicy))

	// Within the recheck bound the cached copy stands (no extra IAM call).
	clk.Add(5 * time.Second)
	if d := e.Diagnose(t.Context(), sa); d.Verdict != validate.Deny {
		t.Errorf("5s later: verdict %s, want deny from the cache", d.Verdict)
	}
	if got := srv.Calls("GetRole"); got != 1 {
		t.Errorf("GetRole calls %d, want 1", got)
	}
	// Past the bound, a denial is confirmed against IAM first, which now trusts the subject.
	clk.Add(time.Minute)
	if d := e.Diagnose(t.Context(), sa); d.Verdict != validate.Allow {
		t.Errorf("after the fix: verdict %s, want allow (findings %v)", d.Verdict, d.Findings)
	}
	if got := srv.Calls("GetRole"); got != 2 {
		t.Errorf("GetRole calls %d, want 2 (one recheck)", got)
	}
	// An allow is not rechecked.
	clk.Add(time.Minute)
	e.Diagnose(t.Context(), sa)
	if got := srv.Calls("GetRole"); got != 2 {
		t.Errorf("GetRole calls %d after an allow, want still 2", got)
	}
}

// TestAccountsNotLookedUp: a role in an account outside the allowed ones is only warned about, without any
// IAM call, so the webhook cannot be used to probe which roles exist elsewhere.
func TestAccountsNotLookedUp(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	e, srv := awsEngine(t, "012-crossplane-federated-in-source-account", clk, nil)
	c := loadCase(t, "012-crossplane-federated-in-source-account")
	d := e.Diagnose(t.Context(), validate.ServiceAccount{Namespace: c.ServiceAccount.Namespace,
		Name: c.ServiceAccount.Name, Annotations: c.ServiceAccount.Annotations})
	if d.Verdict != validate.Warn || len(d.Findings) != 1 || d.Findings[0].Code != "NotVerified" {
		t.Fatalf("verdict %s findings %v, want one NotVerified warning", d.Verdict, d.Findings)
	}
	if calls := srv.Calls("GetRole") + srv.Calls("AssumeRole") + srv.Calls("GetOpenIDConnectProvider"); calls != 0 {
		t.Errorf("%d IAM/STS calls for a role in an account that is not allowed, want 0", calls)
	}
	t.Log(d.Findings[0].String())
}
