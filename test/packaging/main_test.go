//go:build e2e

package packaging

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/irsa-guard/irsa-guard/test/manifests"
)

// The API server is started once, by the first test that needs it, and stopped by TestMain.
var (
	envOnce sync.Once
	env     *envtest.Environment
	envCfg  *rest.Config
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
		}
	}
	os.Exit(code)
}

// cluster returns the rest.Config of a real kube-apiserver (envtest) with the CRDs of cert-manager and of the
// prometheus-operator ServiceMonitor installed.
func cluster(t testing.TB) *rest.Config {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make test`, or set it to the folder hack/envtest.sh prints")
	}
	envOnce.Do(func() {
		e := &envtest.Environment{
			CRDDirectoryPaths: []string{
				filepath.Join("testdata", "cert-manager-crds"),
				filepath.Join("testdata", "prometheus-operator-crds"),
			},
			ErrorIfCRDPathMissing: true,
		}
		envCfg, envErr = e.Start()
		if envErr == nil {
			env = e
		}
	})
	if envErr != nil {
		t.Fatalf("start envtest: %v", envErr)
	}
	return rest.CopyConfig(envCfg)
}

func deployDir(t testing.TB) string {
	t.Helper()
	p, err := manifests.Path("deploy")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func chartDir(t testing.TB) string {
	t.Helper()
	p, err := manifests.Path("charts/irsa-guard")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func kustomize(t testing.TB, components ...string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := manifests.Kustomize(t.Context(), deployDir(t), components...)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func helm(t testing.TB, opts manifests.HelmOptions) []*unstructured.Unstructured {
	t.Helper()
	objs, err := manifests.Helm(t.Context(), chartDir(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}
