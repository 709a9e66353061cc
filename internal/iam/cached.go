package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// CacheOptions configures Cached. Zero values take the webhook's flag defaults.
type CacheOptions struct {
	// TTL for found objects (default 5m; negative: not cached).
	TTL time.Duration
	// NegativeTTL for ErrNotFound answers (default 30s; negative: not cached). Other errors are never cached.
	NegativeTTL time.Duration
	// Timeout of one upstream call, including the wait for a rate-limit token (default 2s).
	Timeout time.Duration
	// QPS and Burst of the token bucket in front of the source (defaults 10 and 20; QPS < 0: unlimited).
	QPS   float64
	Burst int
	// Registerer for the irsa_guard_* metrics (nil: not registered).
	Registerer prometheus.Registerer
	// Now is the clock for TTLs and maxAge (default time.Now).
	Now func() time.Time
}

const (
	kindRole     = "role"
	kindProvider = "oidc_provider"
	apiGetRole   = "GetRole"
	apiGetOIDC   = "GetOpenIDConnectProvider"
)

// Cached wraps a Source with positive and negative caching, coalescing of concurrent lookups of one object
// into one upstream call, a token bucket, a per-call deadline detached from any single caller, and metrics.
// Safe for concurrent use.
type Cached struct {
	src     Source
	ttl     time.Duration
	negTTL  time.Duration
	timeout time.Duration
	now     func() time.Time
	limiter *rate.Limiter
	group   singleflight.Group
	m       *cacheMetrics

	mu        sync.RWMutex
	entries   map[cacheKey]*entry
	counts    map[string]int // kind -> entries
	lastSweep time.Time
}

type cacheKey struct{ kind, arn string }

type entry struct {
	kind    string
	val     any // *Role or *OIDCProvider; nil for a negative entry
	err     error
	fetched time.Time
	expires time.Time
}

// NewCached wraps src. It fails only when a metric cannot be registered.
func NewCached(src Source, o CacheOptions) (*Cached, error) {
	if o.TTL == 0 {
		o.TTL = 5 * time.Minute
	}
	if o.NegativeTTL == 0 {
		o.NegativeTTL = 30 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.QPS == 0 {
		o.QPS = 10
	}
	if o.Burst <= 0 {
		o.Burst = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	limit := rate.Limit(o.QPS)
	if o.QPS < 0 {
		limit = rate.Inf
	}
	m, err := newCacheMetrics(o.Registerer)
	if err != nil {
		return nil, err
	}
	return &Cached{
		src: src, ttl: o.TTL, negTTL: o.NegativeTTL, timeout: o.Timeout, now: o.Now,
		limiter: rate.NewLimiter(limit, o.Burst), m: m,
		entries: map[cacheKey]*entry{}, counts: map[string]int{}, lastSweep: o.Now(),
	}, nil
}

// GetRole implements Source.
func (c *Cached) GetRole(ctx context.Context, roleARN string, maxAge time.Duration) (*Role, error) {
	v, err := c.lookup(ctx, kindRole, roleARN, maxAge)
	if v == nil {
		return nil, err
	}
	r := *v.(*Role)
	return &r, err
}

// GetOIDCProvider implements Source.
func (c *Cached) GetOIDCProvider(ctx context.Context, providerARN string, maxAge time.Duration) (*OIDCProvider, error) {
	v, err := c.lookup(ctx, kindProvider, providerARN, maxAge)
	if v == nil {
		return nil, err
	}
	p := *v.(*OIDCProvider)
	p.ClientIDs = slices.Clone(p.ClientIDs)
	return &p, err
}

// prechecker is implemented by sources that can refuse a lookup without any call.
type prechecker interface {
	precheck(kind, arn string) error
}

// fetch calls the source; the result is nil or a *Role / *OIDCProvider.
func (c *Cached) fetch(ctx context.Context, kind, arn string) (any, error) {
	if kind == kindRole {
		r, err := c.src.GetRole(ctx, arn, 0)
		if r == nil {
			return nil, err
		}
		return r, err
	}
	p, err := c.src.GetOIDCProvider(ctx, arn, 0)
	if p == nil {
		return nil, err
	}
	return p, err
}

// describe returns the API name, the error operation and the object's name for messages.
func describe(kind, arn string) (api, op, name string) {
	if kind == kindRole {
		return apiGetRole, opGetRole, roleName(arn)
	}
	return apiGetOIDC, opGetProvider, providerName(arn)
}

// Purge empties the cache.
func (c *Cached) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	for kind := range c.counts {
		c.counts[kind] = 0
		c.m.entries.WithLabelValues(kind).Set(0)
	}
}

func (c *Cached) lookup(ctx context.Context, kind, arn string, maxAge time.Duration) (any, error) {
	key := cacheKey{kind, arn}
	if v, err, ok := c.cached(key, maxAge); ok {
		c.m.hit(kind)
		return v, err
	}
	c.m.miss(kind)
	api, op, name := describe(kind, arn)
	if err := ctx.Err(); err != nil {
		return nil, ctxError(op, name, err)
	}
	// What the source refuses without a call (an account outside --allowed-accounts, a malformed ARN) must not
	// spend rate-limit tokens: annotations naming foreign accounts would otherwise starve real lookups.
	if p, ok := c.src.(prechecker); ok {
		if err := p.precheck(kind, arn); err != nil {
			c.m.request(api, err)
			return nil, err
		}
	}
	// A lookup that insists on a recent copy (maxAge > 0, right before a denial) never joins a flight that
	// might have accepted an older one.
	flight := kind + "\x00" + arn
	if maxAge > 0 {
		flight += "\x00recheck"
	}
	ch := c.group.DoChan(flight, func() (any, error) {
		// The flight that filled the cache may have finished between our miss and this call.
		if v, err, ok := c.cached(key, maxAge); ok {
			return v, err
		}
		// The call belongs to every caller that joins it: one caller's cancellation must not end it.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		if err := c.wait(ctx, fctx); err != nil {
			c.m.request(api, ErrThrottled)
			return nil, &Error{Op: op, Name: name, Kind: ErrThrottled, Reason: "throttled (--iam-qps limit reached)",
				Err: err}
		}
		start := time.Now()
		v, err := c.fetch(fctx, kind, arn)
		c.m.duration.WithLabelValues(api).Observe(time.Since(start).Seconds())
		c.m.request(api, err)
		c.store(key, kind, v, err)
		return v, err
	})
	select {
	case res := <-ch:
		return res.Val, res.Err
	case <-ctx.Done():
		return nil, ctxError(op, name, ctx.Err())
	}
}

// wait takes a rate-limit token, failing at once when none would come before the caller's deadline (or the
// call's own timeout, whichever is first).
func (c *Cached) wait(caller, call context.Context) error {
	wctx := call
	if dl, ok := caller.Deadline(); ok {
		var cancel context.CancelFunc
		wctx, cancel = context.WithDeadline(call, dl)
		defer cancel()
	}
	return c.limiter.Wait(wctx)
}

func ctxError(op, name string, err error) error {
	reason := "iam timed out"
	if errors.Is(err, context.Canceled) {
		reason = "canceled"
	}
	return &Error{Op: op, Name: name, Kind: ErrUnavailable, Reason: reason, Err: err}
}

// cached returns a usable entry: not expired, and not older than maxAge when maxAge > 0.
func (c *Cached) cached(key cacheKey, maxAge time.Duration) (any, error, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok {
		return nil, nil, false
	}
	now := c.now()
	if !now.Before(e.expires) || (maxAge > 0 && now.Sub(e.fetched) > maxAge) {
		return nil, nil, false
	}
	return e.val, e.err, true
}

func (c *Cached) store(key cacheKey, kind string, v any, err error) {
	now := c.now()
	var ttl time.Duration
	switch {
	case err == nil && v != nil:
		ttl = c.ttl
	case errors.Is(err, ErrNotFound):
		ttl, v = c.negTTL, nil
	default:
		return
	}
	if ttl < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		c.counts[kind]++
	}
	c.entries[key] = &entry{kind: kind, val: v, err: err, fetched: now, expires: now.Add(ttl)}
	if now.Sub(c.lastSweep) >= c.sweepEvery() {
		c.lastSweep = now
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
				c.counts[e.kind]--
			}
		}
	}
	for kind, n := range c.counts {
		c.m.entries.WithLabelValues(kind).Set(float64(n))
	}
}

// sweepEvery is how often expired entries are dropped: the shorter TTL, at least a second.
func (c *Cached) sweepEvery() time.Duration {
	d := c.ttl
	if c.negTTL > 0 && (d <= 0 || c.negTTL < d) {
		d = c.negTTL
	}
	return max(d, time.Second)
}

type cacheMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	hits     *prometheus.CounterVec
	misses   *prometheus.CounterVec
	entries  *prometheus.GaugeVec

	roleHit, roleMiss, provHit, provMiss prometheus.Counter
}

func newCacheMetrics(reg prometheus.Registerer) (*cacheMetrics, error) {
	m := &cacheMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "irsa_guard_iam_requests_total",
			Help: "Calls to the IAM source by API and outcome (ok, not_found, access_denied, throttled, unavailable, not_allowed, error).",
		}, []string{"api", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "irsa_guard_iam_request_duration_seconds",
			Help:    "Duration of calls to the IAM source, by API.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"api"}),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "irsa_guard_cache_hits_total",
			Help: "IAM cache hits (positive or negative), by kind (role, oidc_provider).",
		}, []string{"kind"}),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "irsa_guard_cache_misses_total",
			Help: "IAM cache misses, by kind (role, oidc_provider).",
		}, []string{"kind"}),
		entries: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "irsa_guard_cache_entries",
			Help: "IAM cache entries (positive and negative), by kind (role, oidc_provider).",
		}, []string{"kind"}),
	}
	if reg != nil {
		var err error
		if m.requests, err = register(reg, m.requests); err != nil {
			return nil, err
		}
		if m.duration, err = register(reg, m.duration); err != nil {
			return nil, err
		}
		if m.hits, err = register(reg, m.hits); err != nil {
			return nil, err
		}
		if m.misses, err = register(reg, m.misses); err != nil {
			return nil, err
		}
		if m.entries, err = register(reg, m.entries); err != nil {
			return nil, err
		}
	}
	m.roleHit, m.roleMiss = m.hits.WithLabelValues(kindRole), m.misses.WithLabelValues(kindRole)
	m.provHit, m.provMiss = m.hits.WithLabelValues(kindProvider), m.misses.WithLabelValues(kindProvider)
	for _, kind := range []string{kindRole, kindProvider} {
		m.entries.WithLabelValues(kind).Set(0)
	}
	return m, nil
}

// register registers c, or returns the identical collector registered before (a second Cached on one
// registry shares the metrics).
func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	if are, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); ok {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	return c, fmt.Errorf("register iam cache metrics: %w", err)
}

func (m *cacheMetrics) hit(kind string) {
	if kind == kindRole {
		m.roleHit.Inc()
	} else {
		m.provHit.Inc()
	}
}

func (m *cacheMetrics) miss(kind string) {
	if kind == kindRole {
		m.roleMiss.Inc()
	} else {
		m.provMiss.Inc()
	}
}

func (m *cacheMetrics) request(api string, err error) {
	m.requests.WithLabelValues(api, outcome(err)).Inc()
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNotInDir):
		return "not_found"
	case errors.Is(err, ErrAccessDenied):
		return "access_denied"
	case errors.Is(err, ErrThrottled):
		return "throttled"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrNotAllowed):
		return "not_allowed"
	default:
		return "error"
	}
}
