package testcases

import (
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// Engine is the engine of the case's cluster, reading the case's IAM state as a complete folder, with the
// webhook's defaults (a missing role warns).
func (c Case) Engine(t testing.TB) *validate.Engine {
	t.Helper()
	dir := t.TempDir()
	if err := c.WriteIAMDir(dir); err != nil {
		t.Fatal(err)
	}
	src, err := iam.NewDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := irsa.ParseIssuer(c.Cluster.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	return &validate.Engine{
		Cluster: validate.Cluster{Issuer: issuer, Partition: c.Cluster.Partition, DefaultAudience: irsa.DefaultAudience},
		Source:  src,
	}
}

// Subject is the case's ServiceAccount as the engine takes it.
func (c Case) Subject() validate.ServiceAccount {
	return validate.ServiceAccount{Namespace: c.ServiceAccount.Namespace, Name: c.ServiceAccount.Name,
		Annotations: c.ServiceAccount.Annotations}
}
