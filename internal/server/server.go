package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/irsa-guard/irsa-guard/internal/iam"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// Paths of the validating webhooks (the wire contract with deploy/ and charts/).
const (
	PathServiceAccount = "/validate-v1-serviceaccount"
	PathDeployment     = "/validate-apps-v1-deployment"
	PathStatefulSet    = "/validate-apps-v1-statefulset"
	PathDaemonSet      = "/validate-apps-v1-daemonset"
	PathReplicaSet     = "/validate-apps-v1-replicaset"
	PathJob            = "/validate-batch-v1-job"
	PathCronJob        = "/validate-batch-v1-cronjob"
	PathPod            = "/validate-v1-pod"
)

// Run serves the webhook until ctx is done. It validates opts first.
func Run(ctx context.Context, cfg *rest.Config, opts Options) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	log := ctrl.Log.WithName("irsa-guard")

	issuerURL := opts.Issuer
	if issuerURL == "" {
		discovered, err := DiscoverIssuer(ctx, cfg)
		if err != nil {
			return fmt.Errorf("discover the cluster's issuer (set --issuer): %w", err)
		}
		issuerURL = discovered
		log.Info("discovered the service-account issuer", "issuer", issuerURL)
	}
	issuer, err := irsa.ParseIssuer(issuerURL)
	if err != nil {
		return fmt.Errorf("issuer %q: %w", issuerURL, err)
	}
	partition, err := irsa.ClusterPartition(issuer, opts.Partition)
	if err != nil {
		return fmt.Errorf("--partition: %w", err)
	}

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	tlsOpts := []func(*tls.Config){func(c *tls.Config) { c.MinVersion = tls.VersionTLS12 }}
	if !opts.EnableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: opts.MetricsAddr, TLSOpts: tlsOpts},
		HealthProbeBindAddress:  opts.HealthAddr,
		GracefulShutdownTimeout: &opts.ShutdownTimeout,
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: opts.Host, Port: opts.Port, CertDir: opts.CertDir, TLSOpts: tlsOpts,
		}),
	})
	if err != nil {
		return fmt.Errorf("create manager: %w", err)
	}

	if opts.Registry == nil {
		opts.Registry = metrics.Registry
	}
	if opts.IAMDir == "" && opts.Account == "" {
		acct, err := iam.CallerAccount(ctx, iam.AWSOptions{Region: opts.Region, STSEndpoint: opts.STSEndpoint})
		if err != nil {
			// Without an AWS identity nothing can be verified: serve anyway, every verdict a warning saying why,
			// rather than crash-loop (which under failurePolicy Fail would block every workload).
			log.Error(err, "no AWS account: set --account or give the webhook an IAM role; every check will be 'not verified'")
			opts.unavailable = "the webhook has no AWS identity (" + err.Error() + "); set --account or give it an IAM role"
		} else {
			opts.Account = acct
			log.Info("cluster account from sts:GetCallerIdentity", "account", acct)
		}
	}
	source, err := newSource(ctx, opts, partition)
	if err != nil {
		return err
	}
	decisions, err := validate.NewMetrics(opts.Registry)
	if err != nil {
		return err
	}
	adm := &validate.Admission{
		Engine: &validate.Engine{
			Cluster:           validate.Cluster{Issuer: issuer, Partition: partition, DefaultAudience: opts.DefaultAudience},
			Source:            source,
			MissingRole:       validate.Action(opts.MissingRole),
			OnLookupError:     validate.Action(opts.OnLookupError),
			RecheckBeforeDeny: opts.RecheckBeforeDeny,
		},
		Reader:       mgr.GetCache(),
		Mode:         validate.Mode(opts.Mode),
		OwnNamespace: opts.OwnNamespace,
		Metrics:      decisions,
	}
	if err := register(mgr, adm, opts.ValidatePods); err != nil {
		return err
	}

	// Start the informers before serving, so readiness waits for them.
	for _, obj := range []client.Object{&corev1.ServiceAccount{}, &corev1.Namespace{}} {
		if _, err := mgr.GetCache().GetInformer(ctx, obj); err != nil {
			return fmt.Errorf("informer for %T: %w", obj, err)
		}
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("webhook", mgr.GetWebhookServer().StartedChecker()); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("cache", func(req *http.Request) error {
		ctx, cancel := context.WithTimeout(req.Context(), time.Second)
		defer cancel()
		if !mgr.GetCache().WaitForCacheSync(ctx) {
			return errors.New("cache not synced")
		}
		return nil
	}); err != nil {
		return err
	}
	log.Info("starting", "issuer", issuer.URL, "partition", partition, "account", opts.Account, "mode", opts.Mode,
		"iamDir", opts.IAMDir, "allowedAccounts", opts.allowedAccounts(), "validatePods", opts.ValidatePods)
	return mgr.Start(ctx)
}

// register adds one validating webhook per kind at the paths of the wire contract.
func register(mgr manager.Manager, adm *validate.Admission, pods bool) error {
	errs := []error{
		ctrl.NewWebhookManagedBy(mgr, &corev1.ServiceAccount{}).WithValidator(validate.ServiceAccountValidator{Admission: adm}).
			WithValidatorCustomPath(PathServiceAccount).Complete(),
		ctrl.NewWebhookManagedBy(mgr, &appsv1.Deployment{}).WithValidator(validate.WorkloadValidator[*appsv1.Deployment]{Admission: adm, Kind: "Deployment"}).
			WithValidatorCustomPath(PathDeployment).Complete(),
		ctrl.NewWebhookManagedBy(mgr, &appsv1.StatefulSet{}).WithValidator(validate.WorkloadValidator[*appsv1.StatefulSet]{Admission: adm, Kind: "StatefulSet"}).
			WithValidatorCustomPath(PathStatefulSet).Complete(),
		ctrl.NewWebhookManagedBy(mgr, &appsv1.DaemonSet{}).WithValidator(validate.WorkloadValidator[*appsv1.DaemonSet]{Admission: adm, Kind: "DaemonSet"}).
			WithValidatorCustomPath(PathDaemonSet).Complete(),
		ctrl.NewWebhookManagedBy(mgr, &appsv1.ReplicaSet{}).WithValidator(validate.WorkloadValidator[*appsv1.ReplicaSet]{Admission: adm, Kind: "ReplicaSet"}).
			WithValidatorCustomPath(PathReplicaSet).Complete(),
		ctrl.NewWebhookManagedBy(mgr, &batchv1.Job{}).WithValidator(validate.WorkloadValidator[*batchv1.Job]{Admission: adm, Kind: "Job"}).
			WithValidatorCustomPath(PathJob).Complete(),
		ctrl.NewWebhookManagedBy(mgr, &batchv1.CronJob{}).WithValidator(validate.WorkloadValidator[*batchv1.CronJob]{Admission: adm, Kind: "CronJob"}).
			WithValidatorCustomPath(PathCronJob).Complete(),
	}
	if pods {
		errs = append(errs, ctrl.NewWebhookManagedBy(mgr, &corev1.Pod{}).WithValidator(validate.WorkloadValidator[*corev1.Pod]{Admission: adm, Kind: "Pod"}).
			WithValidatorCustomPath(PathPod).Complete())
	}
	return errors.Join(errs...)
}

// newSource builds where roles come from: the folder, or AWS behind the cache.
func newSource(ctx context.Context, opts Options, partition string) (iam.Source, error) {
	if opts.unavailable != "" {
		return iam.Unavailable{Reason: opts.unavailable}, nil
	}
	if opts.IAMDir != "" {
		dir, err := iam.NewDir(opts.IAMDir, opts.IAMDirComplete)
		if err != nil {
			return nil, fmt.Errorf("--iam-dir: %w", err)
		}
		return dir, nil
	}
	aws, err := iam.NewAWS(ctx, iam.AWSOptions{
		Region:          opts.Region,
		IAMEndpoint:     opts.IAMEndpoint,
		STSEndpoint:     opts.STSEndpoint,
		HomeAccount:     opts.Account,
		AccountRoles:    opts.AccountRoles,
		AllowedAccounts: opts.allowedAccounts(),
	})
	if err != nil {
		return nil, fmt.Errorf("aws: %w", err)
	}
	return iam.NewCached(aws, iam.CacheOptions{
		TTL:         opts.CacheTTL,
		NegativeTTL: opts.NegativeCacheTTL,
		Timeout:     opts.IAMTimeout,
		QPS:         opts.IAMQPS,
		Burst:       opts.IAMBurst,
		Registerer:  opts.Registry,
	})
}

// DiscoverIssuer reads the service-account issuer from the API server's OIDC discovery document.
func DiscoverIssuer(ctx context.Context, cfg *rest.Config) (string, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw, err := cs.Discovery().RESTClient().Get().AbsPath("/.well-known/openid-configuration").DoRaw(ctx)
	if err != nil {
		return "", fmt.Errorf("GET /.well-known/openid-configuration: %w", err)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", fmt.Errorf("decode the discovery document: %w", err)
	}
	if doc.Issuer == "" {
		return "", errors.New("the discovery document has no issuer")
	}
	return doc.Issuer, nil
}
