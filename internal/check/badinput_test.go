package check_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/irsa-guard/irsa-guard/internal/check"
)

const biSA = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: team
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app
`

// biIAMDir writes an IAM folder holding only the cluster's OIDC provider.
func biIAMDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const host = "oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"
	prov := fmt.Sprintf(`{"Arn":"arn:aws:iam::111122223333:oidc-provider/%s","Url":%q,"ClientIDList":["sts.amazonaws.com"]}`, host, host)
	if err := os.WriteFile(filepath.Join(dir, "provider.json"), []byte(prov), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// biRun runs check.Main with a deadline: a hang is a failure, not a stuck test binary.
func biRun(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		c := check.Main(t.Context(), args, stdin, &out, &errOut)
		done <- result{c, out.String(), errOut.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.err
	case <-time.After(2 * time.Minute):
		t.Fatalf("check %v did not return within 2 minutes", args)
		return 0, "", ""
	}
}

func biWrite(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckBadInput: unreadable manifests end with exit 2 and a message naming the file; odd but readable ones
// are judged. Never a panic, never a hang.
func TestCheckBadInput(t *testing.T) {
	t.Parallel()
	iamDir := biIAMDir(t)
	var bomb strings.Builder
	bomb.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n")
	bomb.WriteString("  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		fmt.Fprintf(&bomb, "  %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = n
	}
	garbage := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(r.UintN(256))
	}
	var list strings.Builder
	list.WriteString(`{"apiVersion":"v1","kind":"List","items":[`)
	for i := range 10000 {
		if i > 0 {
			list.WriteString(",")
		}
		fmt.Fprintf(&list, `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa-%d","namespace":"team",`+
			`"annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::111122223333:role/app"}}}`, i)
	}
	list.WriteString("]}")

	tests := map[string]struct {
		file       []byte
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		"billion laughs":     {[]byte(bomb.String()), check.ExitUsage, "", "excessive aliasing"},
		"binary garbage":     {garbage, check.ExitUsage, "", "unreadable input"},
		"NUL bytes":          {bytes.Repeat([]byte{0}, 4096), check.ExitUsage, "", "unreadable input"},
		"Latin-1 annotation": {[]byte(strings.Replace(biSA, "role/app", "role/caf\xe9", 1)), check.ExitUsage, "", "unreadable input"},
		// The YAML reader splits on the byte \n, which cuts UTF-16 apart: refused, clearly.
		"UTF-16 with BOM":    {append([]byte{0xff, 0xfe}, utf16le(biSA)...), check.ExitUsage, "", "incomplete UTF-16 character"},
		"JSON with comments": {[]byte("// the app\n{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"app\"}}"), check.ExitUsage, "", "unreadable input"},
		"JSON with a block comment": {[]byte(`{"apiVersion":"v1", /* core */ "kind":"ServiceAccount","metadata":{"name":"app"}}`),
			check.ExitUsage, "", "unreadable input"},
		"kind without apiVersion": {[]byte("kind: ServiceAccount\nmetadata: {name: app}\n"), check.ExitUsage, "", `ServiceAccount "app" has no apiVersion`},
		"apiVersion without kind": {[]byte("apiVersion: v1\nmetadata: {name: app}\n"), check.ExitUsage, "", "object has no kind"},
		"Deployment with no spec": {[]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\n"), check.ExitOK, "Deployment team/web: warn", ""},
		"spec of the wrong type":  {[]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\nspec: 42\n"), check.ExitUsage, "", `Deployment "web"`},
		"annotations of the wrong type": {[]byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, annotations: [a, b]}\n"),
			check.ExitUsage, "", `ServiceAccount "app"`},
		"a list of 10,000 ServiceAccounts": {[]byte(list.String()), check.ExitOK, "10000 checked: 0 denied", ""},
		"a scalar document":                {[]byte("just a string\n"), check.ExitUsage, "", "unreadable input"},
		"a YAML list document":             {[]byte("- a\n- b\n"), check.ExitUsage, "", "unreadable input"},
		"only separators and comments":     {[]byte("---\n# nothing\n---\n---\n"), check.ExitOK, "0 checked", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := biWrite(t, t.TempDir(), "in.yaml", tc.file)
			code, stdout, stderr := biRun(t, nil, "--issuer", issuer, "--iam-dir", iamDir, path)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %.500s\nstderr: %.500s", code, tc.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.wantStdout) {
				t.Errorf("stdout does not contain %q:\n%.500s", tc.wantStdout, stdout)
			}
			if !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%.500s", tc.wantStderr, stderr)
			}
			if code == check.ExitUsage && !strings.Contains(stderr, path) {
				t.Errorf("stderr does not name the file %s:\n%.500s", path, stderr)
			}
			if len(stderr) > 4096 {
				t.Errorf("stderr is %d bytes (input echoed?)", len(stderr))
			}
		})
	}
}

func utf16le(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, c := range s {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// TestCheckBadInputFiles: things that are not plain files.
func TestCheckBadInputFiles(t *testing.T) {
	t.Parallel()
	iamDir := biIAMDir(t)

	t.Run("100 MB document", func(t *testing.T) {
		t.Parallel()
		line := "# " + strings.Repeat("x", 1021) + "\n"
		path := biWrite(t, t.TempDir(), "big.yaml", []byte(biSA+strings.Repeat(line, 100<<10)))
		code, _, stderr := biRun(t, nil, "--issuer", issuer, "--iam-dir", iamDir, path)
		if code != check.ExitUsage || !strings.Contains(stderr, path) || !strings.Contains(stderr, "larger than") {
			t.Errorf("exit %d, stderr %.300s", code, stderr)
		}
	})
	t.Run("self-referencing symlink", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		biWrite(t, dir, "sa.yaml", []byte(biSA))
		if err := os.Symlink("loop.yaml", filepath.Join(dir, "loop.yaml")); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := biRun(t, nil, "--issuer", issuer, "--iam-dir", iamDir, dir)
		if code != check.ExitUsage || !strings.Contains(stderr, "loop.yaml") {
			t.Errorf("exit %d, want 2 naming loop.yaml; stderr %.300s", code, stderr)
		}
	})
	t.Run("directory symlink loop", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		biWrite(t, dir, "sa.yaml", []byte(biSA))
		if err := os.Symlink("..", filepath.Join(dir, "up")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(".", filepath.Join(dir, "self")); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := biRun(t, nil, "--issuer", issuer, "--iam-dir", iamDir, dir)
		if code != check.ExitOK || !strings.Contains(stdout, "1 checked") {
			t.Errorf("exit %d, want 0 with the one ServiceAccount checked once\nstdout %.300s\nstderr %.300s", code, stdout, stderr)
		}
	})
	t.Run("named pipe given as the path (process substitution)", func(t *testing.T) {
		t.Parallel()
		fifo := filepath.Join(t.TempDir(), "in.yaml")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			_, _ = f.WriteString(biSA)
		}()
		code, stdout, stderr := biRun(t, nil, "--issuer", issuer, "--iam-dir", iamDir, fifo)
		if code != check.ExitOK || !strings.Contains(stdout, "ServiceAccount team/app") {
			t.Errorf("exit %d\nstdout %.300s\nstderr %.300s", code, stdout, stderr)
		}
	})
	t.Run("a directory named like a manifest", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "x.yaml"), 0o700); err != nil {
			t.Fatal(err)
		}
		biWrite(t, filepath.Join(dir, "x.yaml"), "sa.yaml", []byte(biSA))
		code, stdout, stderr := biRun(t, nil, "--issuer", issuer, "--iam-dir", iamDir, dir)
		if code != check.ExitOK || !strings.Contains(stdout, "1 checked") {
			t.Errorf("exit %d\nstdout %.300s\nstderr %.300s", code, stdout, stderr)
		}
	})
	t.Run("unreadable file", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			t.Skip("root reads files whatever their mode")
		}
		path := biWrite(t, t.TempDir(), "secret.yaml", []byte(biSA))
		if err := os.Chmod(path, 0); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := biRun(t, nil, "--issuer", issuer, "--iam-dir", iamDir, path)
		if code != check.ExitUsage || !strings.Contains(stderr, path) {
			t.Errorf("exit %d, stderr %.300s", code, stderr)
		}
	})
}

// zeros is /dev/zero with a fuse: it counts what is read and gives up after limit bytes, so a test of an
// endless input ends even when the reader does not.
type zeros struct {
	read  atomic.Int64
	limit int64
}

func (z *zeros) Read(p []byte) (int, error) {
	if z.read.Load() >= z.limit {
		return 0, io.ErrUnexpectedEOF
	}
	clear(p)
	z.read.Add(int64(len(p)))
	return len(p), nil
}

// TestCheckBadInputEndless: an endless input without a line break (`check - < /dev/zero`) must end with exit 2
// once a document exceeds the size bound (4 MiB), not buffer without limit. What is acceptable: reading a few
// MiB past the bound; what is not: reading until memory runs out (with /dev/zero it never ends).
//
// (Fixed: decode used to check maxDocument only after utilyaml.YAMLReader had buffered the whole document.)
// YAMLReader buffers a line until its newline: /dev/zero is read until the process runs out of memory.
func TestCheckBadInputEndless(t *testing.T) {
	t.Parallel()
	z := &zeros{limit: 256 << 20}
	code, _, stderr := biRun(t, z, "--issuer", issuer, "--iam-dir", biIAMDir(t), "-")
	if code != check.ExitUsage || !strings.Contains(stderr, "<stdin>") {
		t.Errorf("exit %d, want 2 naming <stdin>; stderr %.300s", code, stderr)
	}
	if n := z.read.Load(); n > 16<<20 {
		t.Errorf("read %d MiB of an endless input before stopping (the fuse stopped it), want at most 16 MiB", n>>20)
	}
}
