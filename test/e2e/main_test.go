//go:build e2e

// Package e2e applies the shared cases with real kubectl to a real kube-apiserver (envtest) whose
// ValidatingWebhookConfiguration is the one deploy/ ships, served by irsa-guard over TLS, reading IAM with the
// real aws-sdk-go-v2 client from a server speaking the IAM Query protocol.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/irsa-guard/irsa-guard/test/harness"
)

var (
	cp      *harness.ControlPlane
	logFile string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "irsa-guard-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The webhook's decision log goes to a file the tests read (one line per decision, never whole objects).
	logFile = filepath.Join(dir, "webhook.log")
	f, err := os.Create(logFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	ctrl.SetLogger(zap.New(zap.WriteTo(f), zap.UseDevMode(false)))

	// The webhook's own AWS credentials: static keys the IAM test server maps to the cluster's account.
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIRSAGUARDE2ETEST", "AWS_SECRET_ACCESS_KEY": "e2e",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE": "/dev/null"} {
		os.Setenv(k, v)
	}
	cp, err = harness.Start(ctx, harness.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer cp.Stop()
	return m.Run()
}
