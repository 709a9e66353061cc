package validate_test

import (
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// BenchmarkDiagnose is the whole diagnosis of one ServiceAccount (annotations, ARN, role and provider lookups
// from an in-memory source, parse, evaluation, explanation), for an allowed and a denied case.
func BenchmarkDiagnose(b *testing.B) {
	for _, id := range []string{"001-correct-trust", "012-second-cluster-space-typo", "002-assumerole-service-principal"} {
		b.Run(id, func(b *testing.B) {
			c := loadCase(b, id)
			e := engineFor(b, c)
			sa := validate.ServiceAccount{Namespace: c.ServiceAccount.Namespace, Name: c.ServiceAccount.Name,
				Annotations: c.ServiceAccount.Annotations}
			b.ReportAllocs()
			for b.Loop() {
				e.Diagnose(b.Context(), sa)
			}
		})
	}
}
