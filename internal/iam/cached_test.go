package iam_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
)

const ordersARN = "arn:aws:iam::111122223333:role/orders"

// clock is a fake clock for TTL tests.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock() *clock {
	c := &clock{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.t.Store(&now)
	return c
}

func (c *clock) Now() time.Time { return *c.t.Load() }

func (c *clock) Advance(d time.Duration) {
	now := c.Now().Add(d)
	c.t.Store(&now)
}

func newCached(t testing.TB, src iam.Source, o iam.CacheOptions) *iam.Cached {
	t.Helper()
	if o.QPS == 0 {
		o.QPS = -1
	}
	c, err := iam.NewCached(src, o)
	if err != nil {
		t.Fatalf("NewCached: %v", err)
	}
	return c
}

func TestCachedCoalesces(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	// A slow answer keeps the flight open while all callers arrive.
	srv.SetFault("GetRole", iamtest.Fault{Delay: 200 * time.Millisecond})
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{Timeout: 10 * time.Second})
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			r, err := c.GetRole(t.Context(), ordersARN, 0)
			if err == nil && r.TrustPolicy != trust {
				err = errors.New("wrong trust policy")
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("GetRole: %v", err)
		}
	}
	if got := srv.Calls("GetRole"); got != 1 {
		t.Errorf("upstream GetRole calls = %d, want 1", got)
	}
}

func TestCachedTTL(t *testing.T) {
	t.Parallel()
	const missingARN = "arn:aws:iam::111122223333:role/later"
	tests := map[string]struct {
		arn     string
		advance time.Duration
		wantErr error
		calls   int
	}{
		"positive, within ttl":          {arn: ordersARN, advance: 5*time.Minute - time.Second, calls: 1},
		"positive, expired":             {arn: ordersARN, advance: 5 * time.Minute, calls: 2},
		"negative, within negative ttl": {arn: missingARN, advance: 29 * time.Second, wantErr: iam.ErrNotFound, calls: 1},
		"negative, expired":             {arn: missingARN, advance: 30 * time.Second, wantErr: iam.ErrNotFound, calls: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			clk := newClock()
			c := newCached(t, newAWS(t, srv), iam.CacheOptions{TTL: 5 * time.Minute, NegativeTTL: 30 * time.Second, Now: clk.Now})
			for _, d := range []time.Duration{0, tc.advance} {
				clk.Advance(d)
				_, err := c.GetRole(t.Context(), tc.arn, 0)
				if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
					t.Fatalf("GetRole error = %v, want %v", err, tc.wantErr)
				}
			}
			if got := srv.Calls("GetRole"); got != tc.calls {
				t.Errorf("upstream calls = %d, want %d", got, tc.calls)
			}
		})
	}
}

func TestCachedNegativeEntryEndsWhenRoleAppears(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	clk := newClock()
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{NegativeTTL: 30 * time.Second, Now: clk.Now})
	const arn = "arn:aws:iam::111122223333:role/later"
	if _, err := c.GetRole(t.Context(), arn, 0); !errors.Is(err, iam.ErrNotFound) {
		t.Fatalf("first lookup: %v, want ErrNotFound", err)
	}
	srv.PutRole(arn, trust)
	if _, err := c.GetRole(t.Context(), arn, 0); !errors.Is(err, iam.ErrNotFound) {
		t.Fatalf("cached lookup: %v, want the cached ErrNotFound", err)
	}
	// Right before a denial the caller asks for a copy at most 15s old: the negative entry is refetched.
	clk.Advance(16 * time.Second)
	if _, err := c.GetRole(t.Context(), arn, 15*time.Second); err != nil {
		t.Fatalf("recheck: %v, want the new role", err)
	}
	if got := srv.Calls("GetRole"); got != 2 {
		t.Errorf("upstream calls = %d, want 2", got)
	}
}

func TestCachedMaxAge(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	clk := newClock()
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{TTL: 5 * time.Minute, Now: clk.Now})
	if _, err := c.GetRole(t.Context(), ordersARN, 0); err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(trust, "team-a", "team-b", 1)
	srv.PutRole(ordersARN, fixed)
	clk.Advance(10 * time.Second)
	steps := []struct {
		maxAge  time.Duration
		want    string
		calls   int
		advance time.Duration
	}{
		{maxAge: 0, want: trust, calls: 1},                // cached copy is 10s old: fine without maxAge
		{maxAge: 15 * time.Second, want: trust, calls: 1}, // 10s <= 15s: still fine
		{maxAge: 5 * time.Second, want: fixed, calls: 2},  // too old: refetched, sees the fix
		{maxAge: 5 * time.Second, want: fixed, calls: 2},  // the refetched copy is fresh
		{maxAge: 0, want: fixed, calls: 2, advance: 4 * time.Minute},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		r, err := c.GetRole(t.Context(), ordersARN, s.maxAge)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if r.TrustPolicy != s.want {
			t.Errorf("step %d: trust = %s, want %s", i, r.TrustPolicy, s.want)
		}
		if got := srv.Calls("GetRole"); got != s.calls {
			t.Errorf("step %d: upstream calls = %d, want %d", i, got, s.calls)
		}
	}
}

func TestCachedDoesNotCacheErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		fault   iamtest.Fault
		wantErr error
	}{
		"throttled":     {iamtest.Fault{Code: "Throttling", Times: 1}, iam.ErrThrottled},
		"access denied": {iamtest.Fault{Code: "AccessDenied", Times: 1}, iam.ErrAccessDenied},
		"unavailable":   {iamtest.Fault{Code: "ServiceUnavailable", Times: 2}, iam.ErrUnavailable},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.SetFault("GetRole", tc.fault)
			c := newCached(t, newAWS(t, srv), iam.CacheOptions{Now: newClock().Now})
			if _, err := c.GetRole(t.Context(), ordersARN, 0); !errors.Is(err, tc.wantErr) {
				t.Fatalf("first lookup: %v, want %v", err, tc.wantErr)
			}
			if _, err := c.GetRole(t.Context(), ordersARN, 0); err != nil {
				t.Fatalf("second lookup: %v, want success", err)
			}
		})
	}
}

func TestCachedRateLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	// One token, then practically none: the second role cannot be fetched within any deadline.
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{QPS: 1e-6, Burst: 1, Timeout: time.Hour})
	if _, err := c.GetRole(t.Context(), ordersARN, 0); err != nil {
		t.Fatal(err)
	}
	tests := map[string]func() (context.Context, context.CancelFunc){
		"caller deadline":    func() (context.Context, context.CancelFunc) { return context.WithTimeout(t.Context(), time.Hour) },
		"no caller deadline": func() (context.Context, context.CancelFunc) { return context.WithCancel(t.Context()) },
	}
	for name, mk := range tests {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := mk()
			defer cancel()
			_, err := c.GetRole(ctx, "arn:aws:iam::111122223333:role/team/app/my-role", 0)
			want := "get role my-role: throttled (--iam-qps limit reached)"
			if !errors.Is(err, iam.ErrThrottled) || err.Error() != want {
				t.Errorf("error = %v, want %q", err, want)
			}
		})
	}
	if got := srv.Calls("GetRole"); got != 1 {
		t.Errorf("upstream calls = %d, want 1", got)
	}
	// A cached object needs no token.
	if _, err := c.GetRole(t.Context(), ordersARN, 0); err != nil {
		t.Errorf("cached lookup while rate limited: %v", err)
	}
}

func TestCachedRefusalsSpendNoTokens(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{QPS: 1e-6, Burst: 1})
	for _, arn := range []string{"arn:aws:iam::999988887777:role/a", "arn:aws:iam::999988887777:role/b", "not-an-arn"} {
		if _, err := c.GetRole(t.Context(), arn, 0); !errors.Is(err, iam.ErrNotAllowed) && !errors.Is(err, iam.ErrNotFound) {
			t.Fatalf("GetRole(%s) = %v, want a refusal", arn, err)
		}
	}
	if _, err := c.GetRole(t.Context(), ordersARN, 0); err != nil {
		t.Errorf("the only token was spent on refusals: %v", err)
	}
}

func TestCachedCallerDeadlineDoesNotEndTheCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.SetFault("GetRole", iamtest.Fault{Delay: 300 * time.Millisecond, Times: 1})
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{Timeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := c.GetRole(ctx, ordersARN, 0)
	if want := "get role orders: iam timed out"; !errors.Is(err, iam.ErrUnavailable) || err.Error() != want {
		t.Fatalf("impatient caller: %v, want %q", err, want)
	}
	// A patient caller joins the same call, which was not cancelled with the first caller.
	if _, err := c.GetRole(t.Context(), ordersARN, 0); err != nil {
		t.Fatalf("patient caller: %v", err)
	}
	if got := srv.Calls("GetRole"); got != 1 {
		t.Errorf("upstream calls = %d, want 1", got)
	}
}

func TestCachedTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.SetFault("GetRole", iamtest.Fault{Delay: time.Minute})
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{Timeout: 50 * time.Millisecond})
	_, err := c.GetRole(t.Context(), ordersARN, 0)
	if !errors.Is(err, iam.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want ErrUnavailable from the call timeout", err)
	}
}

func TestCachedPurgeAndCopies(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newCached(t, newAWS(t, srv), iam.CacheOptions{})
	r, err := c.GetRole(t.Context(), ordersARN, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.TrustPolicy = "changed by the caller"
	p, err := c.GetOIDCProvider(t.Context(), provARN, 0)
	if err != nil {
		t.Fatal(err)
	}
	p.ClientIDs[0] = "changed by the caller"
	r, _ = c.GetRole(t.Context(), ordersARN, 0)
	p, _ = c.GetOIDCProvider(t.Context(), provARN, 0)
	if r.TrustPolicy != trust || p.ClientIDs[0] != "sts.amazonaws.com" {
		t.Errorf("a caller's change reached the cache: %q, %q", r.TrustPolicy, p.ClientIDs[0])
	}
	c.Purge()
	if _, err := c.GetRole(t.Context(), ordersARN, 0); err != nil {
		t.Fatal(err)
	}
	if got := srv.Calls("GetRole"); got != 2 {
		t.Errorf("upstream calls = %d, want 2 (one after Purge)", got)
	}
}

func TestCachedMetrics(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	reg := prometheus.NewPedanticRegistry()
	a := newAWS(t, srv)
	c := newCached(t, a, iam.CacheOptions{Registerer: reg})
	// A second cache on the same registry shares the metrics instead of failing.
	newCached(t, a, iam.CacheOptions{Registerer: reg})

	ctx := t.Context()
	c.GetRole(ctx, ordersARN, 0)                                // miss, ok
	c.GetRole(ctx, ordersARN, 0)                                // hit
	c.GetRole(ctx, "arn:aws:iam::111122223333:role/missing", 0) // miss, not_found
	c.GetRole(ctx, "arn:aws:iam::111122223333:role/missing", 0) // hit (negative)
	c.GetRole(ctx, "arn:aws:iam::999988887777:role/x", 0)       // miss, not_allowed
	c.GetOIDCProvider(ctx, provARN, 0)                          // miss, ok
	srv.SetFault("GetRole", iamtest.Fault{Code: "Throttling"})
	c.GetRole(ctx, "arn:aws:iam::111122223333:role/team/app/my-role", 0) // miss, throttled

	want := map[string]float64{
		`irsa_guard_cache_entries{kind="oidc_provider"}`:                                1,
		`irsa_guard_cache_entries{kind="role"}`:                                         2,
		`irsa_guard_cache_hits_total{kind="oidc_provider"}`:                             0,
		`irsa_guard_cache_hits_total{kind="role"}`:                                      2,
		`irsa_guard_cache_misses_total{kind="oidc_provider"}`:                           1,
		`irsa_guard_cache_misses_total{kind="role"}`:                                    4,
		`irsa_guard_iam_requests_total{api="GetOpenIDConnectProvider",outcome="ok"}`:    1,
		`irsa_guard_iam_requests_total{api="GetRole",outcome="not_allowed"}`:            1,
		`irsa_guard_iam_requests_total{api="GetRole",outcome="not_found"}`:              1,
		`irsa_guard_iam_requests_total{api="GetRole",outcome="ok"}`:                     1,
		`irsa_guard_iam_requests_total{api="GetRole",outcome="throttled"}`:              1,
		`irsa_guard_iam_request_duration_seconds_count{api="GetOpenIDConnectProvider"}`: 1,
		`irsa_guard_iam_request_duration_seconds_count{api="GetRole"}`:                  3,
	}
	got := gather(t, reg)
	if len(got) != len(want) {
		t.Errorf("series = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	c.Purge()
	if got := gather(t, reg)[`irsa_guard_cache_entries{kind="role"}`]; got != 0 {
		t.Errorf("role entries after Purge = %v, want 0", got)
	}
}

// gather flattens a registry into "name{labels}" -> value (histograms as their _count).
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			name, v := mf.GetName(), 0.0
			switch {
			case m.GetCounter() != nil:
				v = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				v = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				name, v = name+"_count", float64(m.GetHistogram().GetSampleCount())
			}
			out[name+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}

func BenchmarkCachedGetRoleHit(b *testing.B) {
	srv := iamtest.NewServer()
	defer srv.Close()
	srv.PutRole(ordersARN, trust)
	a, err := iam.NewAWS(b.Context(), iam.AWSOptions{Region: "us-east-1", IAMEndpoint: srv.URL(), HomeAccount: home,
		Credentials: staticCreds()})
	if err != nil {
		b.Fatal(err)
	}
	c := newCached(b, a, iam.CacheOptions{Registerer: prometheus.NewRegistry()})
	ctx := b.Context()
	if _, err := c.GetRole(ctx, ordersARN, 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetRole(ctx, ordersARN, 0); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if n := srv.Calls("GetRole"); n != 1 {
		b.Errorf("upstream calls = %d, want 1", n)
	}
}
