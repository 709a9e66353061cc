//go:build e2e

package packaging

import (
	"flag"
	"io"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/irsa-guard/irsa-guard/internal/server"
	"github.com/irsa-guard/irsa-guard/test/manifests"
)

// TestRenderedArgsParse: the arguments both renderings give the container are accepted by `webhook serve`'s
// own flag set and pass its validation, so an install never crash-loops on a flag the binary does not know.
func TestRenderedArgsParse(t *testing.T) {
	// The webhook runs with IRSA; the pod identity webhook injects AWS_ROLE_ARN, which names the account.
	t.Setenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa-guard")
	for name, objs := range map[string]func() []*unstructured.Unstructured{
		"kustomize":      func() []*unstructured.Unstructured { return kustomize(t) },
		"kustomize+pods": func() []*unstructured.Unstructured { return kustomize(t, "components/pods") },
		"helm defaults":  func() []*unstructured.Unstructured { return helm(t, manifests.HelmOptions{}) },
		"helm iam settings": func() []*unstructured.Unstructured {
			return helm(t, manifests.HelmOptions{Values: map[string]any{
				"webhook": map[string]any{"mode": "warn", "validatePods": true},
				"iam": map[string]any{"account": "111122223333", "onLookupError": "deny", "missingRole": "deny",
					"accountRoles":    map[string]any{"444455556666": "arn:aws:iam::444455556666:role/reader"},
					"allowedAccounts": []any{"111122223333", "444455556666"}, "qps": 2.5},
			}})
		},
	} {
		t.Run(name, func(t *testing.T) {
			var d appsv1.Deployment
			if err := manifests.Convert(objs(), "Deployment", "irsa-guard-webhook", &d); err != nil {
				t.Fatal(err)
			}
			args := d.Spec.Template.Spec.Containers[0].Args
			if len(args) == 0 || args[0] != "serve" {
				t.Fatalf("args %q, want serve first", args)
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			opts := server.DefaultOptions()
			opts.AddFlags(fs)
			zapOpts := zap.Options{}
			zapOpts.BindFlags(fs)
			if err := fs.Parse(args[1:]); err != nil {
				t.Fatalf("webhook serve rejects the rendered args %q: %v", args, err)
			}
			if err := opts.Validate(); err != nil {
				t.Fatalf("webhook serve's validation rejects the rendered args %q: %v", args, err)
			}
		})
	}
}
