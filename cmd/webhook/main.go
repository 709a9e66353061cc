// Command webhook is irsa-guard: `webhook serve` runs the validating admission webhook (the default),
// `webhook check` runs the same engine offline over manifests, for CI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/irsa-guard/irsa-guard/internal/check"
	"github.com/irsa-guard/irsa-guard/internal/server"
)

var version = "dev"

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "check" || args[0] == "version") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Println(version)
	case "check":
		os.Exit(check.Main(context.Background(), args, os.Stdin, os.Stdout, os.Stderr))
	default:
		os.Exit(serve(args))
	}
}

func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	opts := server.DefaultOptions()
	opts.AddFlags(fs)
	zapOpts := zap.Options{}
	zapOpts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("irsa-guard")
	log.Info("irsa-guard", "version", version)
	cfg, err := ctrl.GetConfig()
	if err != nil {
		log.Error(err, "kubeconfig")
		return 1
	}
	if err := server.Run(ctrl.SetupSignalHandler(), cfg, opts); err != nil {
		log.Error(err, "webhook stopped")
		return 1
	}
	return 0
}
