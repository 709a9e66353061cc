// Package manifests renders the shipped install manifests (deploy/ with kustomize, charts/irsa-guard with Helm)
// and decodes them, so that tests install exactly what users install.
//
// The kustomize and helm binaries are taken from the KUSTOMIZE and HELM environment variables (absolute paths;
// `make test` sets them from hack/tools.sh). Rendering fails with a clear error when a variable is unset.
package manifests

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The install's fixed names (docs/design.md). Helm renders them with Release and Namespace.
const (
	Release           = "irsa-guard"
	Namespace         = "irsa-guard-system"
	WebhookConfigName = "irsa-guard"
	modulePath        = "github.com/irsa-guard/irsa-guard"
	renderTimeout     = 2 * time.Minute
)

// ErrToolUnset is returned when the environment variable naming a tool's binary is empty.
var ErrToolUnset = errors.New("tool binary not configured")

// Tool returns the absolute path of a tool from the environment variable env (KUSTOMIZE, HELM, ...).
func Tool(env string) (string, error) {
	p := os.Getenv(env)
	if p == "" {
		return "", fmt.Errorf("%w: set %s to the absolute path of the binary (make test does; hack/tools.sh installs it)",
			ErrToolUnset, env)
	}
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("%s=%q: want an absolute path", env, p)
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s: %w", env, err)
	}
	return p, nil
}

// RepoRoot returns the repository's root: the nearest folder above the working directory whose go.mod declares
// this module.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module "+modulePath+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find repository root: no go.mod of %s above the working directory", modulePath)
		}
		dir = parent
	}
}

// Path returns the absolute path of a folder of the repository, such as "deploy" or "charts/irsa-guard".
func Path(rel string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(rel)), nil
}

// KustomizeYAML runs `kustomize build` on dir with the given components (paths relative to dir, such as
// "components/pods", or absolute), in that order, and returns the rendered YAML.
func KustomizeYAML(ctx context.Context, dir string, components ...string) ([]byte, error) {
	bin, err := Tool("KUSTOMIZE")
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	target := dir
	if len(components) > 0 {
		// An overlay in a temporary folder: kustomize takes components only from a kustomization.
		tmp, err := os.MkdirTemp("", "irsa-guard-kustomize-")
		if err != nil {
			return nil, fmt.Errorf("kustomize overlay: %w", err)
		}
		defer os.RemoveAll(tmp)
		base, err := filepath.Rel(tmp, dir)
		if err != nil {
			return nil, fmt.Errorf("kustomize overlay: %w", err)
		}
		var b strings.Builder
		b.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
		fmt.Fprintf(&b, "  - %s\ncomponents:\n", filepath.ToSlash(base))
		for _, c := range components {
			if !filepath.IsAbs(c) {
				c = filepath.Join(dir, filepath.FromSlash(c))
			}
			rel, err := filepath.Rel(tmp, c)
			if err != nil {
				return nil, fmt.Errorf("kustomize overlay: %w", err)
			}
			fmt.Fprintf(&b, "  - %s\n", filepath.ToSlash(rel))
		}
		if err := os.WriteFile(filepath.Join(tmp, "kustomization.yaml"), []byte(b.String()), 0o600); err != nil {
			return nil, fmt.Errorf("kustomize overlay: %w", err)
		}
		target = tmp
	}
	return run(ctx, bin, "build", target)
}

// Kustomize renders dir with components (see KustomizeYAML) and decodes the result.
func Kustomize(ctx context.Context, dir string, components ...string) ([]*unstructured.Unstructured, error) {
	out, err := KustomizeYAML(ctx, dir, components...)
	if err != nil {
		return nil, err
	}
	return Decode(out)
}

// HelmOptions are the inputs of `helm template`. Zero values mean the documented install: release irsa-guard in
// namespace irsa-guard-system with the chart's default values.
type HelmOptions struct {
	Release   string
	Namespace string
	// Values are written to a values file (a YAML map, like -f).
	Values map[string]any
	// Set are --set arguments (key=value).
	Set []string
	// Args are extra arguments for helm template (such as --kube-version).
	Args []string
}

// HelmYAML runs `helm template` on the chart folder and returns the rendered YAML.
func HelmYAML(ctx context.Context, chart string, opts HelmOptions) ([]byte, error) {
	bin, err := Tool("HELM")
	if err != nil {
		return nil, err
	}
	if opts.Release == "" {
		opts.Release = Release
	}
	if opts.Namespace == "" {
		opts.Namespace = Namespace
	}
	args := []string{"template", opts.Release, chart, "--namespace", opts.Namespace}
	if len(opts.Values) > 0 {
		data, err := yaml.Marshal(opts.Values)
		if err != nil {
			return nil, fmt.Errorf("helm values: %w", err)
		}
		f, err := os.CreateTemp("", "irsa-guard-values-*.yaml")
		if err != nil {
			return nil, fmt.Errorf("helm values: %w", err)
		}
		defer os.Remove(f.Name())
		if _, err := f.Write(data); err != nil {
			f.Close()
			return nil, fmt.Errorf("helm values: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("helm values: %w", err)
		}
		args = append(args, "--values", f.Name())
	}
	for _, s := range opts.Set {
		args = append(args, "--set", s)
	}
	args = append(args, opts.Args...)
	return run(ctx, bin, args...)
}

// Helm renders the chart (see HelmYAML) and decodes the result.
func Helm(ctx context.Context, chart string, opts HelmOptions) ([]*unstructured.Unstructured, error) {
	out, err := HelmYAML(ctx, chart, opts)
	if err != nil {
		return nil, err
	}
	return Decode(out)
}

func run(ctx context.Context, bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, renderTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	// Keep helm away from the user's repositories and plugins.
	cmd.Env = append(os.Environ(), "HELM_NO_PLUGINS=1")
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args, " "), err,
			strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// Decode splits a multi-document YAML (or JSON) stream into objects, skipping empty documents and flattening
// v1 List objects.
func Decode(data []byte) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetAPIVersion() == "" || u.GetKind() == "" {
			return nil, fmt.Errorf("document %d: apiVersion and kind are required", i)
		}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", i, err)
			}
			for j := range list.Items {
				objs = append(objs, &list.Items[j])
			}
			continue
		}
		objs = append(objs, u)
	}
}

// Find returns the object of the given kind and name (any namespace), or nil.
func Find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	return nil
}

// Convert decodes the object of the given kind and name into a typed object such as *rbacv1.ClusterRole.
func Convert(objs []*unstructured.Unstructured, kind, name string, into any) error {
	u := Find(objs, kind, name)
	if u == nil {
		return fmt.Errorf("no %s %q in the manifests", kind, name)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, into, true); err != nil {
		return fmt.Errorf("%s %q: %w", kind, name, err)
	}
	return nil
}

// ValidatingWebhookConfiguration returns the one ValidatingWebhookConfiguration of the manifests, decoded
// strictly (an unknown field is an error), ready for envtest's WebhookInstallOptions.ValidatingWebhooks.
func ValidatingWebhookConfiguration(objs []*unstructured.Unstructured) (*admissionregistrationv1.ValidatingWebhookConfiguration, error) {
	var found *unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() != "ValidatingWebhookConfiguration" {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("two ValidatingWebhookConfigurations in the manifests: %q and %q",
				found.GetName(), o.GetName())
		}
		found = o
	}
	if found == nil {
		return nil, errors.New("no ValidatingWebhookConfiguration in the manifests")
	}
	if found.GetAPIVersion() != admissionregistrationv1.SchemeGroupVersion.String() {
		return nil, fmt.Errorf("ValidatingWebhookConfiguration %q: apiVersion %s, want %s", found.GetName(),
			found.GetAPIVersion(), admissionregistrationv1.SchemeGroupVersion)
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(found.Object, vwc, true); err != nil {
		return nil, fmt.Errorf("ValidatingWebhookConfiguration %q: %w", found.GetName(), err)
	}
	return vwc, nil
}
