// Package check runs the engine offline over manifests, for CI and GitOps pipelines.
package check

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irsa-guard/irsa-guard/internal/validate"
)

// ErrInput marks unreadable input: a file that cannot be read or parsed.
var ErrInput = errors.New("unreadable input")

// Object is one manifest the check cares about.
type Object struct {
	Kind      string
	Namespace string
	Name      string
	// Source is "file:document" for messages.
	Source string
	// Object is the typed object: a *corev1.ServiceAccount or a workload.
	Object client.Object
}

// maxDocument bounds one YAML document, so a hostile input cannot make the reader buffer without limit.
const maxDocument = 4 << 20

// Load reads the manifests at paths (files, folders searched for *.yaml, *.yml and *.json, or "-" for stdin).
// Objects without a namespace get defaultNamespace. Kinds other than ServiceAccount and the workloads are ignored.
func Load(paths []string, stdin io.Reader, defaultNamespace string) ([]Object, error) {
	var objs []Object
	for _, p := range paths {
		if p == "-" {
			got, err := decode("<stdin>", stdin, defaultNamespace)
			if err != nil {
				return nil, err
			}
			objs = append(objs, got...)
			continue
		}
		files, err := manifestFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			got, err := decodeFile(f, defaultNamespace)
			if err != nil {
				return nil, err
			}
			objs = append(objs, got...)
		}
	}
	return objs, nil
}

func manifestFiles(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			// Only regular files (or links to them) inside a folder: a named pipe or a device there would hang
			// the walk. A pipe given directly as a PATH (<(helm template ...)) is still read.
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			if info.Mode().IsRegular() {
				files = append(files, path)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	sort.Strings(files)
	return files, nil
}

func decodeFile(path, defaultNamespace string) ([]Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	defer f.Close()
	return decode(path, f, defaultNamespace)
}

func decode(name string, r io.Reader, defaultNamespace string) ([]Object, error) {
	reader := newDocReader(r)
	var objs []Object
	for doc := 1; ; doc++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: document %d: %v", ErrInput, name, doc, err)
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			continue
		}
		var u unstructured.Unstructured
		if err := utilyaml.Unmarshal(raw, &u.Object); err != nil {
			return nil, fmt.Errorf("%w: %s: document %d: %v", ErrInput, name, doc, err)
		}
		if u.Object == nil {
			continue
		}
		got, err := fromUnstructured(&u, fmt.Sprintf("%s:%d", name, doc), defaultNamespace)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: document %d: %v", ErrInput, name, doc, err)
		}
		objs = append(objs, got...)
	}
}

// docReader splits a YAML stream into documents at "---" lines, as kubectl does, but never buffers more than
// maxDocument bytes for one document or one line: an endless input (/dev/zero) fails instead of eating memory.
type docReader struct{ sc *bufio.Scanner }

func newDocReader(r io.Reader) *docReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxDocument)
	return &docReader{sc: sc}
}

var errDocTooLarge = fmt.Errorf("larger than %d MiB", maxDocument>>20)

// Read returns the next non-empty document, or io.EOF.
func (d *docReader) Read() ([]byte, error) {
	var buf bytes.Buffer
	for d.sc.Scan() {
		line := d.sc.Bytes()
		if isSeparator(line) {
			if len(bytes.TrimSpace(buf.Bytes())) > 0 {
				return buf.Bytes(), nil
			}
			buf.Reset()
			continue
		}
		if buf.Len()+len(line)+1 > maxDocument {
			return nil, errDocTooLarge
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := d.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, errDocTooLarge
		}
		return nil, err
	}
	if len(bytes.TrimSpace(buf.Bytes())) > 0 {
		return buf.Bytes(), nil
	}
	return nil, io.EOF
}

// isSeparator: a line starting with "---" followed by nothing but blanks or a comment.
func isSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := bytes.TrimSpace(line[3:])
	return len(rest) == 0 || rest[0] == '#'
}

func stripComments(raw []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

func fromUnstructured(u *unstructured.Unstructured, source, defaultNamespace string) ([]Object, error) {
	if u.GetKind() == "" && u.GetAPIVersion() == "" {
		return nil, nil // not a Kubernetes object (a values file, a chart's metadata): not ours
	}
	if u.GetKind() == "" {
		return nil, errors.New("object has no kind")
	}
	if u.GetAPIVersion() == "" {
		return nil, fmt.Errorf("%s %q has no apiVersion", u.GetKind(), u.GetName())
	}
	if strings.HasSuffix(u.GetKind(), "List") && u.Object["items"] != nil {
		list, err := u.ToList()
		if err != nil {
			return nil, err
		}
		var objs []Object
		for i := range list.Items {
			got, err := fromUnstructured(&list.Items[i], fmt.Sprintf("%s[%d]", source, i), defaultNamespace)
			if err != nil {
				return nil, fmt.Errorf("items[%d]: %w", i, err)
			}
			objs = append(objs, got...)
		}
		return objs, nil
	}
	gk := u.GroupVersionKind().GroupKind()
	var typed client.Object
	if gk == (schema.GroupKind{Kind: "ServiceAccount"}) {
		typed = &corev1.ServiceAccount{}
	} else if w, ok := validate.NewWorkload(gk); ok {
		typed = w
	} else {
		return nil, nil // other kinds are not ours to judge
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
		return nil, fmt.Errorf("%s %q: %v", u.GetKind(), u.GetName(), err)
	}
	ns := u.GetNamespace()
	if ns == "" {
		ns = defaultNamespace
	}
	typed.SetNamespace(ns)
	o := Object{Kind: u.GetKind(), Namespace: ns, Name: u.GetName(), Source: source, Object: typed}
	return []Object{o}, nil
}
