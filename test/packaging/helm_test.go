//go:build e2e

package packaging

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/irsa-guard/irsa-guard/test/manifests"
)

func TestHelmLint(t *testing.T) {
	t.Parallel()
	bin, err := manifests.Tool("HELM")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]string{
		"defaults":          nil,
		"strict":            {"--strict"},
		"strict, all parts": {"--strict", "--set", "webhook.validatePods=true,metrics.serviceMonitor.enabled=true,networkPolicy.enabled=true"},
		"strict, own tls":   {"--strict", "--set", "tls.certManager.enabled=false,tls.existingSecret=my-tls,tls.caBundle=Zm9v"},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), bin, append([]string{"lint", chartDir(t), "--namespace", manifests.Namespace}, args...)...)
			cmd.Env = append(cmd.Environ(), "HELM_NO_PLUGINS=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helm lint %v: %v\n%s", args, err, out)
			}
			// helm lint reports [INFO] for an absent icon; anything of [WARNING] or [ERROR] is a finding.
			for _, line := range strings.Split(string(out), "\n") {
				if strings.Contains(line, "[WARNING]") || strings.Contains(line, "[ERROR]") {
					t.Errorf("helm lint %v: %s", args, line)
				}
			}
			if !strings.Contains(string(out), "0 chart(s) failed") {
				t.Errorf("helm lint %v output lacks \"0 chart(s) failed\":\n%s", args, out)
			}
		})
	}
}

// The schema is strict: a wrong type, an unknown key (at any level) or a value outside an enum fails the install
// with a message naming the value, instead of being silently ignored.
func TestHelmRejectsBadValues(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		values  map[string]any
		set     []string
		wantErr string
	}{
		"replicas as a word":         {values: map[string]any{"replicaCount": "two"}, wantErr: "replicaCount"},
		"unknown top-level key":      {values: map[string]any{"replicas": 2}, wantErr: "replicas"},
		"unknown nested key":         {values: map[string]any{"webhook": map[string]any{"failurePolcy": "Fail"}}, wantErr: "failurePolcy"},
		"mode outside the enum":      {set: []string{"webhook.mode=audit"}, wantErr: "mode"},
		"failurePolicy outside enum": {set: []string{"webhook.failurePolicy=Open"}, wantErr: "failurePolicy"},
		"onLookupError outside enum": {set: []string{"iam.onLookupError=allow"}, wantErr: "onLookupError"},
		"missingRole outside enum":   {set: []string{"iam.missingRole=ignore"}, wantErr: "missingRole"},
		"timeout above 30 seconds":   {set: []string{"webhook.timeoutSeconds=31"}, wantErr: "timeoutSeconds"},
		"account not 12 digits":      {set: []string{"iam.account=12345"}, wantErr: "account"},
		"account role key not an account": {
			values:  map[string]any{"iam": map[string]any{"accountRoles": map[string]any{"prod": "arn:aws:iam::444455556666:role/r"}}},
			wantErr: "'prod' does not match pattern", // helm's path for propertyNames errors is wrong, so not checked
		},
		"cache TTL not a duration": {set: []string{"iam.cacheTTL=five minutes"}, wantErr: "cacheTTL"},
		"extra arg without dashes": {values: map[string]any{"extraArgs": []any{"mode=warn"}}, wantErr: "extraArgs"},
		"own tls without secret": {
			set:     []string{"tls.certManager.enabled=false", "tls.caBundle=Zm9v"},
			wantErr: "tls.existingSecret is required",
		},
		"own tls without CA bundle": {
			set:     []string{"tls.certManager.enabled=false", "tls.existingSecret=my-tls"},
			wantErr: "tls.caBundle",
		},
		"existing secret with cert-manager": {set: []string{"tls.existingSecret=my-tls"}, wantErr: "tls.certManager.enabled=false"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := manifests.HelmYAML(t.Context(), chartDir(t), manifests.HelmOptions{Values: tc.values, Set: tc.set})
			if err == nil {
				t.Fatalf("helm template accepted %v %v, want an error mentioning %q", tc.values, tc.set, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("helm template error = %v\nwant it to mention %q", err, tc.wantErr)
			}
		})
	}
}

// Values reach the webhook's flags and the webhook configuration.
func TestHelmValues(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		values   map[string]any
		wantArgs []string
		check    func(t *testing.T, d *appsv1.Deployment, vwc *admissionregistrationv1.ValidatingWebhookConfiguration, opts manifests.HelmOptions)
	}{
		"defaults": {
			wantArgs: []string{"serve", "--mode=enforce", "--missing-role=warn", "--on-lookup-error=warn", "--port=9443",
				"--cert-dir=/tmp/k8s-webhook-server/serving-certs", "--metrics-bind-address=:8080",
				"--health-probe-bind-address=:8081", "--cache-ttl=5m", "--negative-cache-ttl=30s",
				"--recheck-before-deny=15s", "--iam-qps=10", "--iam-burst=20", "--iam-timeout=2s"},
		},
		"iam settings": {
			values: map[string]any{
				"webhook": map[string]any{"mode": "warn", "validatePods": true, "defaultAudience": "irsa"},
				"iam": map[string]any{
					"issuer": "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC", "account": "111122223333",
					"partition": "aws-cn", "region": "cn-north-1", "onLookupError": "deny", "missingRole": "deny",
					"accountRoles": map[string]any{
						"555566667777": "arn:aws-cn:iam::555566667777:role/reader",
						"444455556666": "arn:aws-cn:iam::444455556666:role/reader",
					},
					"allowedAccounts": []any{"111122223333", "444455556666"},
					"qps":             2.5, "iamEndpoint": "https://iam.example.test", "stsEndpoint": "https://sts.example.test",
				},
				"extraArgs": []any{"--enable-http2=false"},
			},
			wantArgs: []string{"serve", "--mode=warn", "--missing-role=deny", "--on-lookup-error=deny", "--port=9443",
				"--cert-dir=/tmp/k8s-webhook-server/serving-certs", "--metrics-bind-address=:8080",
				"--health-probe-bind-address=:8081", "--partition=aws-cn",
				"--issuer=https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC", "--account=111122223333", "--region=cn-north-1",
				"--account-role=444455556666=arn:aws-cn:iam::444455556666:role/reader",
				"--account-role=555566667777=arn:aws-cn:iam::555566667777:role/reader",
				"--allowed-accounts=111122223333,444455556666", "--cache-ttl=5m", "--negative-cache-ttl=30s",
				"--recheck-before-deny=15s", "--iam-qps=2.5", "--iam-burst=20", "--iam-timeout=2s",
				"--iam-endpoint=https://iam.example.test", "--sts-endpoint=https://sts.example.test",
				"--default-audience=irsa", "--validate-pods", "--enable-http2=false"},
		},
		"own tls": {
			values: map[string]any{"tls": map[string]any{
				"certManager": map[string]any{"enabled": false}, "existingSecret": "my-tls", "caBundle": "Zm9vCg==",
			}},
			check: func(t *testing.T, d *appsv1.Deployment, vwc *admissionregistrationv1.ValidatingWebhookConfiguration, opts manifests.HelmOptions) {
				if _, ok := vwc.Annotations["cert-manager.io/inject-ca-from"]; ok {
					t.Error("inject-ca-from is set without cert-manager")
				}
				for _, w := range vwc.Webhooks {
					if string(w.ClientConfig.CABundle) != "foo\n" {
						t.Errorf("webhook %s caBundle = %q, want the decoded tls.caBundle", w.Name, w.ClientConfig.CABundle)
					}
				}
				objs := helm(t, opts)
				if manifests.Find(objs, "Certificate", "irsa-guard-serving-cert") != nil || manifests.Find(objs, "Issuer", "irsa-guard-selfsigned") != nil {
					t.Error("cert-manager objects rendered with tls.certManager.enabled=false")
				}
				if s := d.Spec.Template.Spec.Volumes[0].Secret.SecretName; s != "my-tls" {
					t.Errorf("serving-certs secret = %q, want my-tls", s)
				}
			},
		},
		"selectors, policy and timeout": {
			values: map[string]any{"webhook": map[string]any{
				"failurePolicy": "Fail", "timeoutSeconds": 10,
				"namespaceSelector": map[string]any{
					"matchLabels":      map[string]any{"team": "a"},
					"matchExpressions": []any{map[string]any{"key": "tier", "operator": "Exists"}},
				},
				"objectSelector": map[string]any{"matchLabels": map[string]any{"irsa": "yes"}},
			}},
			check: func(t *testing.T, _ *appsv1.Deployment, vwc *admissionregistrationv1.ValidatingWebhookConfiguration, _ manifests.HelmOptions) {
				want := `{"matchLabels":{"team":"a"},"matchExpressions":[` +
					`{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["irsa-guard-system"]},` +
					`{"key":"irsa-guard.io/mode","operator":"NotIn","values":["off"]},{"key":"tier","operator":"Exists"}]}`
				for _, w := range vwc.Webhooks {
					if got := asJSON(t, w.NamespaceSelector); got != want {
						t.Errorf("%s namespaceSelector = %s, want %s", w.Name, got, want)
					}
					if got := asJSON(t, w.ObjectSelector); got != `{"matchLabels":{"irsa":"yes"}}` {
						t.Errorf("%s objectSelector = %s", w.Name, got)
					}
					if deref(w.FailurePolicy) != admissionregistrationv1.Fail || deref(w.TimeoutSeconds) != 10 {
						t.Errorf("%s failurePolicy %v timeout %v, want Fail 10", w.Name, deref(w.FailurePolicy), deref(w.TimeoutSeconds))
					}
				}
			},
		},
		"another release and namespace": {
			check: func(t *testing.T, _ *appsv1.Deployment, _ *admissionregistrationv1.ValidatingWebhookConfiguration, _ manifests.HelmOptions) {
				objs := helm(t, manifests.HelmOptions{Release: "guard", Namespace: "security"})
				vwc, err := manifests.ValidatingWebhookConfiguration(objs)
				if err != nil {
					t.Fatal(err)
				}
				if vwc.Name != "guard-irsa-guard" || vwc.Annotations["cert-manager.io/inject-ca-from"] != "security/guard-irsa-guard-serving-cert" {
					t.Errorf("webhook configuration %s annotations %v", vwc.Name, vwc.Annotations)
				}
				for _, w := range vwc.Webhooks {
					if s := w.ClientConfig.Service; s.Name != "guard-irsa-guard-webhook" || s.Namespace != "security" {
						t.Errorf("%s service = %s/%s", w.Name, s.Namespace, s.Name)
					}
					if v := w.NamespaceSelector.MatchExpressions[0].Values; !slices.Equal(v, []string{"security"}) {
						t.Errorf("%s excludes namespaces %v, want [security]", w.Name, v)
					}
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := manifests.HelmOptions{Values: tc.values}
			objs := helm(t, opts)
			var d appsv1.Deployment
			convert(t, objs, "Deployment", "irsa-guard-webhook", &d)
			vwc, err := manifests.ValidatingWebhookConfiguration(objs)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantArgs != nil {
				if got := d.Spec.Template.Spec.Containers[0].Args; !slices.Equal(got, tc.wantArgs) {
					t.Errorf("args:\n got %q\nwant %q", got, tc.wantArgs)
				}
			}
			if tc.check != nil {
				tc.check(t, &d, vwc, opts)
			}
		})
	}
}
