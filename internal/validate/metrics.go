package validate

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts admission decisions and findings.
type Metrics struct {
	decisions *prometheus.CounterVec
	findings  *prometheus.CounterVec
}

// NewMetrics registers the decision metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "irsa_guard_decisions_total",
			Help: "Admission decisions by kind and verdict; enforced is false when a denial was only warned about.",
		}, []string{"kind", "verdict", "enforced"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "irsa_guard_findings_total",
			Help: "Findings by kind, code and severity.",
		}, []string{"kind", "code", "severity"}),
	}
	for _, c := range []prometheus.Collector{m.decisions, m.findings} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) record(kind string, d Diagnosis, enforced bool) {
	if m == nil {
		return
	}
	e := "false"
	if enforced {
		e = "true"
	}
	m.decisions.WithLabelValues(kind, string(d.Verdict), e).Inc()
	for _, f := range d.Findings {
		m.findings.WithLabelValues(kind, f.Code, string(f.Severity)).Inc()
	}
}
