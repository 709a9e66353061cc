package check

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// Exit codes of `check`.
const (
	ExitOK     = 0 // nothing denied
	ExitDenied = 1 // something denied
	ExitUsage  = 2 // bad usage or unreadable input
)

const usage = `usage: webhook check --issuer URL --iam-dir DIR [--iam-dir-complete] [--default-audience AUD] [-o text|json] PATH...

Judges the ServiceAccounts and workloads in PATH (files or folders of YAML or JSON manifests, or - for stdin)
against the roles in DIR (aws iam get-role outputs, and get-open-id-connect-provider outputs with an added "Arn").
Render Helm charts and kustomize folders first (helm template -n NS ... | webhook check ... -); objects without a
namespace get --namespace.
Exit status: 0 nothing denied, 1 something denied, 2 bad usage or unreadable input.
`

// Main runs `webhook check` with args (without the subcommand) and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage, "\nflags:\n"); fs.PrintDefaults() }
	var (
		issuerURL = fs.String("issuer", "", "the cluster's OIDC issuer URL (required)")
		iamDir    = fs.String("iam-dir", "", "folder of aws iam get-role / get-open-id-connect-provider outputs (required)")
		complete  = fs.Bool("iam-dir-complete", false, "what is absent from --iam-dir does not exist (deny where IAM would refuse)")
		audience  = fs.String("default-audience", irsa.DefaultAudience, "token audience when a ServiceAccount does not set "+irsa.AudienceAnnotation)
		partition = fs.String("partition", "", "the cluster's partition (default: from the issuer's region, else aws)")
		namespace = fs.String("namespace", "default", "namespace of manifests that do not set one")
		output    = fs.String("o", "text", "output format: text or json")
	)
	// Flags may come after paths too (check file.yaml --iam-dir dir), as users type them.
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK
			}
			return ExitUsage
		}
		rest := fs.Args()
		i := 0
		for i < len(rest) && (rest[i] == "-" || !strings.HasPrefix(rest[i], "-")) {
			i++
		}
		paths = append(paths, rest[:i]...)
		if i == len(rest) {
			break
		}
		args = rest[i:]
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "check: "+format+"\n", a...)
		return ExitUsage
	}
	switch {
	case *issuerURL == "":
		return fail("--issuer is required")
	case *iamDir == "":
		return fail("--iam-dir is required")
	case len(paths) == 0:
		return fail("no manifests given (PATH... or - for stdin)")
	case *output != "text" && *output != "json":
		return fail("-o %q: want text or json", *output)
	}
	issuer, err := irsa.ParseIssuer(*issuerURL)
	if err != nil {
		return fail("--issuer: %v", err)
	}
	if *partition, err = irsa.ClusterPartition(issuer, *partition); err != nil {
		return fail("--partition: %v", err)
	}
	source, err := iam.NewDir(*iamDir, *complete)
	if err != nil {
		return fail("--iam-dir: %v", err)
	}
	objs, err := Load(paths, stdin, *namespace)
	if err != nil {
		return fail("%v", err)
	}
	if len(objs) == 0 {
		fmt.Fprintf(stderr, "check: no ServiceAccount or workload in %s (a kustomize folder? render it first: kustomize build DIR | webhook check ... -)\n",
			strings.Join(paths, " "))
	}
	engine := &validate.Engine{
		Cluster:       validate.Cluster{Issuer: issuer, Partition: *partition, DefaultAudience: *audience},
		Source:        source,
		MissingRole:   validate.ActionDeny, // offline, a role absent from a complete folder does not exist
		OnLookupError: validate.ActionWarn,
	}
	report := Run(ctx, engine, objs)
	if *output == "json" {
		err = WriteJSON(stdout, report)
	} else {
		err = WriteText(stdout, report)
	}
	if err != nil {
		return fail("write: %v", err)
	}
	if report.Denied() {
		return ExitDenied
	}
	return ExitOK
}
