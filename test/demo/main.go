// Command demo is `make demo` (run by hack/demo.sh from the repository's root): it starts a real kube-apiserver
// and etcd with the ValidatingWebhookConfiguration deploy/ ships, runs the built bin/webhook against it with the
// IAM roles of examples/iam, applies every file of examples/manifests with real kubectl and prints what a user
// sees. Each file's "# Expect:" line is checked, so the demo is also a smoke test: it exits 1 when an example does
// not give its expected outcome.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/irsa-guard/irsa-guard/test/harness"
)

func main() {
	os.Exit(run())
}

func run() int {
	examplesDir := flag.String("examples", "examples", "folder holding iam/ and manifests/")
	webhookBin := flag.String("webhook", filepath.Join("bin", "webhook"), "the built webhook binary")
	keep := flag.Bool("keep", os.Getenv("DEMO_KEEP") != "", "after the examples, keep the control plane and the webhook running until Ctrl-C (default: $DEMO_KEEP set)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	manifestsDir := filepath.Join(*examplesDir, "manifests")
	examples, err := loadExamples(manifestsDir)
	if err != nil {
		return fail(err)
	}
	kubectl := os.Getenv("KUBECTL")
	if kubectl == "" {
		kubectl = filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	}

	fmt.Println("A real kube-apiserver and etcd with the ValidatingWebhookConfiguration of deploy/, bin/webhook serving it")
	fmt.Printf("with the IAM roles of %s/iam, and the files of %s applied with kubectl.\n\n", *examplesDir, manifestsDir)

	began := time.Now()
	fmt.Print("starting the control plane (kube-apiserver, etcd) ... ")
	cp, err := harness.Start(ctx, harness.Options{})
	if err != nil {
		return fail(err)
	}
	defer func() {
		fmt.Print("stopping the control plane ... ")
		if err := cp.Stop(); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("done")
	}()
	fmt.Printf("%.1fs\n", time.Since(began).Seconds())

	began = time.Now()
	args := webhookArgs(cp, *examplesDir)
	fmt.Printf("starting %s serve --iam-dir %s/iam --iam-dir-complete --issuer %s ... ", *webhookBin, *examplesDir, exampleIssuer)
	wh, err := startWebhook(ctx, *webhookBin, args, cp.Kubeconfig)
	if err != nil {
		return fail(err)
	}
	defer func() {
		fmt.Print("stopping the webhook (SIGTERM) ... ")
		if err := wh.stop(); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("done")
	}()
	fmt.Printf("%.1fs\n  webhook log: %s\n", time.Since(began).Seconds(), wh.logPath)

	k := kube{bin: kubectl, kubeconfig: cp.Kubeconfig}
	count := map[outcome]int{}
	var unexpected []string
	for _, ex := range examples {
		if ctx.Err() != nil {
			break
		}
		got, err := k.show(ctx, ex, manifestsDir)
		if err != nil {
			return fail(err)
		}
		count[got]++
		if got != ex.expect {
			unexpected = append(unexpected, fmt.Sprintf("%s: %s, expected %s", ex.file, got, ex.expect))
			fmt.Printf("=> %s, but %s was expected\n", strings.ToUpper(string(got)), ex.expect)
			continue
		}
		fmt.Printf("=> %s, as expected\n", got)
	}

	fmt.Printf("\n%d examples: %d admitted, %d admitted with a warning, %d rejected",
		len(examples), count[admitted], count[warned], count[rejected])
	code := 0
	switch {
	case ctx.Err() != nil:
		fmt.Println("; interrupted")
		return 130
	case len(unexpected) > 0:
		fmt.Printf("; %d not as expected:\n  %s\n", len(unexpected), strings.Join(unexpected, "\n  "))
		fmt.Printf("see the webhook log: %s\n", wh.logPath)
		code = 1
	default:
		fmt.Println("; all as expected.")
	}
	if *keep {
		fmt.Printf("\nThe control plane and the webhook keep running; in another shell:\n  export KUBECONFIG=%s\n  %s apply -f ...\nCtrl-C stops them.\n", cp.Kubeconfig, kubectl)
		<-ctx.Done()
		fmt.Println()
	}
	return code
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "\ndemo:", err)
	return 1
}

// webhookArgs are the flags of `webhook serve` for the demo: the TLS port, certificate and host envtest
// installed the webhook configuration for, the examples' IAM folder and cluster, no metrics.
func webhookArgs(cp *harness.ControlPlane, examplesDir string) []string {
	w := cp.Env.WebhookInstallOptions
	return []string{"serve",
		"--host", w.LocalServingHost, "--port", strconv.Itoa(w.LocalServingPort), "--cert-dir", w.LocalServingCertDir,
		"--iam-dir", filepath.Join(examplesDir, "iam"), "--iam-dir-complete",
		"--issuer", exampleIssuer, "--account", "111122223333",
		"--webhook-namespace", "irsa-guard-system",
		"--metrics-bind-address", "0",
	}
}

// webhook is bin/webhook running as a child process.
type webhook struct {
	cmd     *exec.Cmd
	done    chan error
	logPath string
}

// startWebhook runs bin/webhook with args and a free health port, logging to a file, and returns once /readyz
// answers 200.
func startWebhook(ctx context.Context, bin string, args []string, kubeconfig string) (*webhook, error) {
	health, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.CreateTemp("", "irsa-guard-demo-webhook-*.log")
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child holds its own descriptor
	args = append(args, "--health-probe-bind-address", health)
	cmd := exec.Command(bin, args...) //nolint:gosec // the demo runs the binary it was given
	// Its own process group: Ctrl-C in the terminal reaches the demo only, which then stops the webhook with
	// one SIGTERM (a second signal makes controller-runtime exit at once, with status 1).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	wh := &webhook{cmd: cmd, done: make(chan error, 1), logPath: logFile.Name()}
	go func() { wh.done <- cmd.Wait() }()

	url := "http://" + health + "/readyz"
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-wh.done:
			return nil, fmt.Errorf("webhook exited while starting (%v); its log %s:\n%s", err, wh.logPath, tail(wh.logPath))
		case <-ctx.Done():
			_ = wh.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if ready(ctx, url) {
			return wh, nil
		}
		if time.Now().After(deadline) {
			_ = wh.stop()
			return nil, fmt.Errorf("webhook not ready at %s after 30s; its log %s:\n%s", url, wh.logPath, tail(wh.logPath))
		}
	}
}

func ready(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop sends SIGTERM and waits for the webhook to drain and exit (SIGKILL after 30s).
func (w *webhook) stop() error {
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case err := <-w.done:
		if err != nil {
			return fmt.Errorf("webhook exited with %v; its log: %s", err, w.logPath)
		}
		return nil
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
		return errors.New("webhook did not stop within 30s of SIGTERM; killed")
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// tail returns the last lines of a log file.
func tail(path string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// kube runs kubectl against the demo's control plane.
type kube struct {
	bin, kubeconfig string
}

// show prints and runs an example's preparation, then `kubectl apply -f` of the file, and returns what kubectl
// showed. An admitted example is deleted again, since later examples reuse its names.
func (k kube) show(ctx context.Context, ex example, dir string) (outcome, error) {
	path := filepath.Join(dir, ex.file)
	fmt.Printf("\n--- %s: %s\n", ex.file, ex.title)
	for _, args := range ex.before {
		if _, code := k.run(ctx, "", args...); code != 0 {
			return "", fmt.Errorf("%s: kubectl %s failed", ex.file, strings.Join(args, " "))
		}
		if args[0] == "label" {
			// A namespace label reaches the API server's namespaceSelector and the webhook's cache through
			// watches: give them a moment.
			time.Sleep(time.Second)
		}
	}
	out, code := k.run(ctx, "", "apply", "-f", path)
	got := admitted
	switch {
	case code != 0 && strings.Contains(out, "irsa-guard.io\" denied the request: "):
		got = rejected
	case code != 0:
		return "", fmt.Errorf("%s: kubectl failed without a denial from irsa-guard", ex.file)
	case strings.Contains(out, "Warning: "):
		got = warned
	}
	if got != rejected {
		if _, code := k.run(ctx, "the next examples reuse its name", "delete", "-f", path); code != 0 {
			return "", fmt.Errorf("%s: kubectl delete failed", ex.file)
		}
	}
	return got, nil
}

// run prints `$ kubectl ARGS  # why` and runs it, printing its stdout and stderr as a terminal shows them,
// and returns them with the exit code.
func (k kube) run(ctx context.Context, why string, args ...string) (string, int) {
	if why != "" {
		why = "   # " + why
	}
	fmt.Printf("$ kubectl %s%s\n", strings.Join(args, " "), why)
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--kubeconfig", k.kubeconfig}, args...)...) //nolint:gosec // kubectl with the example's arguments
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out // one pipe: the lines keep the order kubectl wrote them in
	err := cmd.Run()
	fmt.Print(out.String())
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	default:
		fmt.Println(err)
		return out.String() + err.Error(), -1
	}
}
