// Package server runs the admission webhook: options, the controller-runtime manager, IAM access and the
// validators.
package server

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// Options are the settings of `webhook serve`.
type Options struct {
	Issuer          string
	Account         string
	Partition       string
	Mode            string
	DefaultAudience string
	MissingRole     string
	OnLookupError   string
	ValidatePods    bool
	OwnNamespace    string

	IAMDir          string
	IAMDirComplete  bool
	IAMEndpoint     string
	STSEndpoint     string
	Region          string
	AccountRoles    map[string]string
	AllowedAccounts []string

	CacheTTL          time.Duration
	NegativeCacheTTL  time.Duration
	RecheckBeforeDeny time.Duration
	IAMQPS            float64
	IAMBurst          int
	IAMTimeout        time.Duration

	CertDir     string
	Port        int
	Host        string
	MetricsAddr string
	HealthAddr  string
	EnableHTTP2 bool
	// ShutdownTimeout bounds how long in-flight reviews may take to finish on shutdown.
	ShutdownTimeout time.Duration
	// Registry receives irsa-guard's own metrics (not a flag; default: controller-runtime's registry, served on
	// --metrics-bind-address). Tests running several webhooks in one process give each its own.
	Registry prometheus.Registerer

	// unavailable, when set, is why no IAM lookup can be made (no AWS identity): every check warns.
	unavailable string
}

// DefaultOptions are the defaults of the flags.
func DefaultOptions() Options {
	return Options{
		Partition:         "",
		Mode:              string(validate.ModeEnforce),
		DefaultAudience:   irsa.DefaultAudience,
		MissingRole:       string(validate.ActionWarn),
		OnLookupError:     string(validate.ActionWarn),
		OwnNamespace:      os.Getenv("POD_NAMESPACE"),
		AccountRoles:      map[string]string{},
		CacheTTL:          5 * time.Minute,
		NegativeCacheTTL:  30 * time.Second,
		RecheckBeforeDeny: 15 * time.Second,
		IAMQPS:            10,
		IAMBurst:          20,
		IAMTimeout:        2 * time.Second,
		CertDir:           "/tmp/k8s-webhook-server/serving-certs",
		Port:              9443,
		MetricsAddr:       ":8080",
		HealthAddr:        ":8081",
		ShutdownTimeout:   25 * time.Second,
	}
}

// AddFlags binds the options to fs.
func (o *Options) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.Issuer, "issuer", o.Issuer, "cluster OIDC issuer URL (default: discovered from the API server's /.well-known/openid-configuration)")
	fs.StringVar(&o.Account, "account", o.Account, "the cluster's AWS account ID (default: from AWS_ROLE_ARN, else sts:GetCallerIdentity)")
	fs.StringVar(&o.Partition, "partition", o.Partition, "the cluster's AWS partition (default: from the issuer's region, else aws)")
	fs.StringVar(&o.Mode, "mode", o.Mode, "enforce (reject what IAM would refuse) or warn (admit with a warning); the namespace label "+validate.ModeLabel+" overrides it")
	fs.StringVar(&o.DefaultAudience, "default-audience", o.DefaultAudience, "token audience when a ServiceAccount does not set "+irsa.AudienceAnnotation)
	fs.StringVar(&o.MissingRole, "missing-role", o.MissingRole, "warn or deny when the annotated role does not exist (yet)")
	fs.StringVar(&o.OnLookupError, "on-lookup-error", o.OnLookupError, "warn (fail open) or deny (fail closed) when IAM cannot be read")
	fs.BoolVar(&o.ValidatePods, "validate-pods", o.ValidatePods, "also validate bare Pods")
	fs.StringVar(&o.OwnNamespace, "webhook-namespace", o.OwnNamespace, "the webhook's own namespace, never judged (default $POD_NAMESPACE)")
	fs.StringVar(&o.IAMDir, "iam-dir", o.IAMDir, "read roles and OIDC providers from a folder of 'aws iam get-role' outputs instead of AWS")
	fs.BoolVar(&o.IAMDirComplete, "iam-dir-complete", o.IAMDirComplete, "with --iam-dir: what is absent from the folder does not exist")
	fs.StringVar(&o.IAMEndpoint, "iam-endpoint", o.IAMEndpoint, "IAM endpoint URL override")
	fs.StringVar(&o.STSEndpoint, "sts-endpoint", o.STSEndpoint, "STS endpoint URL override (for --account-role)")
	fs.StringVar(&o.Region, "region", o.Region, "region of the AWS clients (default: from the environment, else us-east-1)")
	fs.Func("account-role", "ACCOUNT=ROLE_ARN: read roles in ACCOUNT through sts:AssumeRole on ROLE_ARN (repeatable)", func(v string) error {
		acct, role, ok := strings.Cut(v, "=")
		if !ok || !accountRE.MatchString(acct) || !strings.HasPrefix(role, "arn:") {
			return errors.New("want ACCOUNT=ROLE_ARN with a 12-digit account")
		}
		o.AccountRoles[acct] = role
		return nil
	})
	fs.Func("allowed-accounts", "comma-separated accounts whose roles may be looked up (default: the cluster's account plus those with an account role)", func(v string) error {
		o.AllowedAccounts = nil
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				o.AllowedAccounts = append(o.AllowedAccounts, a)
			}
		}
		return nil
	})
	fs.DurationVar(&o.CacheTTL, "cache-ttl", o.CacheTTL, "how long a role or provider read from IAM is reused")
	fs.DurationVar(&o.NegativeCacheTTL, "negative-cache-ttl", o.NegativeCacheTTL, "how long a not-found answer is reused")
	fs.DurationVar(&o.RecheckBeforeDeny, "recheck-before-deny", o.RecheckBeforeDeny, "before denying on IAM data older than this, read it again")
	fs.Float64Var(&o.IAMQPS, "iam-qps", o.IAMQPS, "sustained IAM calls per second")
	fs.IntVar(&o.IAMBurst, "iam-burst", o.IAMBurst, "IAM call burst")
	fs.DurationVar(&o.IAMTimeout, "iam-timeout", o.IAMTimeout, "deadline of one IAM lookup (keep it well under the webhook timeout)")
	fs.StringVar(&o.CertDir, "cert-dir", o.CertDir, "folder with tls.crt and tls.key (reloaded when they change)")
	fs.IntVar(&o.Port, "port", o.Port, "webhook HTTPS port")
	fs.StringVar(&o.Host, "host", o.Host, "webhook listen address (default: all)")
	fs.StringVar(&o.MetricsAddr, "metrics-bind-address", o.MetricsAddr, "Prometheus metrics address (0 disables)")
	fs.StringVar(&o.HealthAddr, "health-probe-bind-address", o.HealthAddr, "health and readiness probe address")
	fs.BoolVar(&o.EnableHTTP2, "enable-http2", o.EnableHTTP2, "serve HTTP/2 (off: HTTP/2 rapid-reset and stream CVEs)")
	fs.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", o.ShutdownTimeout, "how long in-flight reviews may take on shutdown")
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// Validate checks the options and fills what can be derived. It collects every problem.
func (o *Options) Validate() error {
	var errs []error
	if _, err := validate.ParseMode(o.Mode); err != nil || o.Mode == string(validate.ModeOff) {
		errs = append(errs, fmt.Errorf("--mode %q: want enforce or warn", o.Mode))
	}
	for name, v := range map[string]string{"--missing-role": o.MissingRole, "--on-lookup-error": o.OnLookupError} {
		if v != string(validate.ActionWarn) && v != string(validate.ActionDeny) {
			errs = append(errs, fmt.Errorf("%s %q: want warn or deny", name, v))
		}
	}
	if o.Issuer != "" {
		if _, err := irsa.ParseIssuer(o.Issuer); err != nil {
			errs = append(errs, fmt.Errorf("--issuer: %w", err))
		}
	}
	if o.Account == "" {
		if arn, err := irsa.ParseRoleARN(os.Getenv("AWS_ROLE_ARN")); err == nil {
			o.Account = arn.Account
		}
	}
	if o.Account != "" && !accountRE.MatchString(o.Account) {
		errs = append(errs, fmt.Errorf("--account %q: want 12 digits", o.Account))
	}
	if o.IAMDirComplete && o.IAMDir == "" {
		errs = append(errs, errors.New("--iam-dir-complete needs --iam-dir"))
	}
	if o.IAMTimeout <= 0 || o.IAMQPS <= 0 || o.IAMBurst <= 0 {
		errs = append(errs, errors.New("--iam-timeout, --iam-qps and --iam-burst must be positive"))
	}
	for _, a := range o.AllowedAccounts {
		if !accountRE.MatchString(a) {
			errs = append(errs, fmt.Errorf("--allowed-accounts: %q is not a 12-digit account", a))
		}
	}
	return errors.Join(errs...)
}

// allowedAccounts is --allowed-accounts or its default.
func (o *Options) allowedAccounts() []string {
	if len(o.AllowedAccounts) > 0 {
		return o.AllowedAccounts
	}
	out := []string{o.Account}
	for a := range o.AccountRoles {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
