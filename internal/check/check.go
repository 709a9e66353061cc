package check

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// Result is the verdict for one ServiceAccount or workload.
type Result struct {
	Kind      string             `json:"kind"`
	Namespace string             `json:"namespace"`
	Name      string             `json:"name"`
	Verdict   validate.Verdict   `json:"verdict"`
	Findings  []validate.Finding `json:"findings"`
}

// Report is what `check -o json` prints.
type Report struct {
	Results []Result `json:"results"`
}

// Denied reports whether any result is a denial.
func (r Report) Denied() bool {
	for _, res := range r.Results {
		if res.Verdict == validate.Deny {
			return true
		}
	}
	return false
}

// Run judges every ServiceAccount and workload among objs. Workloads are resolved to their ServiceAccount among
// the same manifests; one that is not given is a warning.
func Run(ctx context.Context, engine *validate.Engine, objs []Object) Report {
	type key struct{ ns, name string }
	sas := map[key]*corev1.ServiceAccount{}
	for _, o := range objs {
		if sa, ok := o.Object.(*corev1.ServiceAccount); ok {
			sas[key{o.Namespace, o.Name}] = sa
		}
	}
	// Each ServiceAccount object is diagnosed once, however many workloads use it. Two manifests may define
	// the same namespace/name differently: each is judged on its own, and workloads see the last one, as
	// applying them in order would leave it.
	diagnosed := map[*corev1.ServiceAccount]validate.Diagnosis{}
	diagnose := func(sa *corev1.ServiceAccount) validate.Diagnosis {
		if d, ok := diagnosed[sa]; ok {
			return d
		}
		d := engine.Diagnose(ctx, validate.ServiceAccount{Namespace: sa.Namespace, Name: sa.Name,
			Annotations: sa.Annotations})
		diagnosed[sa] = d
		return d
	}

	report := Report{Results: []Result{}}
	for _, o := range objs {
		var d validate.Diagnosis
		if sa, ok := o.Object.(*corev1.ServiceAccount); ok {
			d = diagnose(sa)
		} else {
			spec, field, _ := validate.PodSpecOf(o.Object)
			name := validate.ServiceAccountName(spec)
			if sa, ok := sas[key{o.Namespace, name}]; ok {
				d = validate.ForWorkload(diagnose(sa), name, field)
			} else {
				d = validate.Diagnosis{Verdict: validate.Warn, Findings: []validate.Finding{{
					Code: "ServiceAccountNotGiven", Severity: validate.SeverityWarning, Field: field,
					Message: fmt.Sprintf("service account %s/%s is not among the given manifests; its role was not checked",
						o.Namespace, name)}}}
			}
		}
		if d.Findings == nil {
			d.Findings = []validate.Finding{}
		}
		report.Results = append(report.Results, Result{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
			Verdict: d.Verdict, Findings: d.Findings})
	}
	return report
}

// WriteJSON prints the report as JSON.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText prints what a kubectl user would read: per object the verdict, then kubectl's "Error from server"
// line for a denial and "Warning:" lines, then a fix statement where one is clear, and a summary.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	counts := map[validate.Verdict]int{}
	for _, res := range r.Results {
		counts[res.Verdict]++
		fmt.Fprintf(&b, "%s %s/%s: %s\n", res.Kind, res.Namespace, res.Name, res.Verdict)
		for _, f := range res.Findings {
			if f.Severity == validate.SeverityError {
				fmt.Fprintf(&b, "  Error: %s\n", f.String())
			} else {
				fmt.Fprintf(&b, "  Warning: %s\n", f.String())
			}
			if f.Fix != "" {
				fmt.Fprintf(&b, "    a statement that works: %s\n", f.Fix)
			}
		}
	}
	fmt.Fprintf(&b, "%d checked: %d denied, %d warned, %d allowed\n", len(r.Results), counts[validate.Deny],
		counts[validate.Warn], counts[validate.Allow])
	_, err := io.WriteString(w, b.String())
	return err
}
