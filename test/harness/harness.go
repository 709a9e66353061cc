// Package harness runs irsa-guard on real parts for the end-to-end tests and `make demo`: a kube-apiserver and
// etcd (envtest) with the shipped ValidatingWebhookConfiguration installed, the webhook served over TLS in this
// process, and real kubectl.
package harness

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/irsa-guard/irsa-guard/internal/server"
	"github.com/irsa-guard/irsa-guard/test/manifests"
)

// ControlPlane is a running kube-apiserver with the shipped webhook configuration pointing at this process.
type ControlPlane struct {
	Env        *envtest.Environment
	Config     *rest.Config
	Kubeconfig string // path of an admin kubeconfig for kubectl
	kubectl    string
	dir        string
}

// Options of Start.
type Options struct {
	// Components are kustomize components of deploy/ to render with (e.g. "components/pods").
	Components []string
	// Assets is the folder of kube-apiserver, etcd and kubectl (default $KUBEBUILDER_ASSETS).
	Assets string
}

// Start renders deploy/ with kustomize, starts the control plane with its ValidatingWebhookConfiguration
// installed (envtest points it at a local TLS port), and writes an admin kubeconfig.
func Start(ctx context.Context, o Options) (*ControlPlane, error) {
	if o.Assets == "" {
		o.Assets = os.Getenv("KUBEBUILDER_ASSETS")
	}
	if o.Assets == "" {
		return nil, errors.New("KUBEBUILDER_ASSETS is not set: run through `make test` or `make demo`, or point it at hack/envtest.sh's output")
	}
	kubectl := os.Getenv("KUBECTL")
	if kubectl == "" {
		kubectl = filepath.Join(o.Assets, "kubectl")
	}
	if _, err := os.Stat(kubectl); err != nil {
		return nil, fmt.Errorf("kubectl: %w", err)
	}
	vwc, err := ShippedWebhookConfiguration(ctx, o.Components...)
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: o.Assets,
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			ValidatingWebhooks: []*admissionregistrationv1.ValidatingWebhookConfiguration{vwc},
		},
	}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop() // a failed start (e.g. a webhook configuration the API server refuses) leaves processes
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	cp := &ControlPlane{Env: env, Config: cfg, kubectl: kubectl}
	dir, err := os.MkdirTemp("", "irsa-guard-harness-")
	if err != nil {
		_ = cp.Stop()
		return nil, err
	}
	cp.dir = dir
	user, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		_ = cp.Stop()
		return nil, fmt.Errorf("add user: %w", err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		_ = cp.Stop()
		return nil, err
	}
	cp.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(cp.Kubeconfig, kc, 0o600); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	return cp, nil
}

// ShippedWebhookConfiguration renders deploy/ (with components) and returns its ValidatingWebhookConfiguration.
func ShippedWebhookConfiguration(ctx context.Context, components ...string) (*admissionregistrationv1.ValidatingWebhookConfiguration, error) {
	deploy, err := manifests.Path("deploy")
	if err != nil {
		return nil, err
	}
	objs, err := manifests.Kustomize(ctx, deploy, components...)
	if err != nil {
		return nil, fmt.Errorf("render deploy/: %w", err)
	}
	return manifests.ValidatingWebhookConfiguration(objs)
}

// Stop stops the control plane and removes its files.
func (cp *ControlPlane) Stop() error {
	err := cp.Env.Stop()
	if cp.dir != "" {
		_ = os.RemoveAll(cp.dir)
	}
	return err
}

// Result is what a kubectl run printed.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

// Kubectl runs kubectl against the control plane, with stdin.
func (cp *ControlPlane) Kubectl(ctx context.Context, stdin []byte, args ...string) Result {
	cmd := exec.CommandContext(ctx, cp.kubectl, append([]string{"--kubeconfig", cp.Kubeconfig}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		code = -1
		errOut.WriteString(err.Error())
	}
	return Result{Stdout: out.String(), Stderr: errOut.String(), ExitCode: code}
}

// Webhook is irsa-guard serving the control plane's webhook configuration from this process.
type Webhook struct {
	cancel context.CancelFunc
	done   chan error
}

// StartWebhook runs `webhook serve` with opts on the port, certificate and host envtest installed the
// configuration for, and returns once it accepts TLS connections.
func (cp *ControlPlane) StartWebhook(ctx context.Context, opts server.Options) (*Webhook, error) {
	w := cp.Env.WebhookInstallOptions
	opts.Host, opts.Port, opts.CertDir = w.LocalServingHost, w.LocalServingPort, w.LocalServingCertDir
	if opts.MetricsAddr == "" {
		opts.MetricsAddr = "0"
	}
	if opts.HealthAddr == "" {
		opts.HealthAddr = "0"
	}
	ctx, cancel := context.WithCancel(ctx)
	wh := &Webhook{cancel: cancel, done: make(chan error, 1)}
	go func() { wh.done <- server.Run(ctx, cp.Config, opts) }()

	addr := net.JoinHostPort(w.LocalServingHost, strconv.Itoa(w.LocalServingPort))
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-wh.done:
			cancel()
			return nil, fmt.Errorf("webhook stopped while starting: %w", err)
		default:
		}
		d := &tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // readiness probe only
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = conn.Close()
			return wh, nil
		}
		if time.Now().After(deadline) {
			cancel()
			return nil, fmt.Errorf("webhook not serving on %s after 30s: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the webhook down and waits for it.
func (w *Webhook) Stop() error {
	w.cancel()
	select {
	case err := <-w.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	case <-time.After(40 * time.Second):
		return errors.New("webhook did not stop within 40s")
	}
}
