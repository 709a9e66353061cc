package iam_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iam"
)

const encodedTrust = `{"Version":"2012-10-17","Statement":[{"Sid":"a+b%20","Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`

func TestDirLookups(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		complete bool
		arn      string // role ARN, or provider ARN when provider is set
		provider bool
		wantErr  error
		wantMsg  string
		check    func(*testing.T, *iam.Role)
	}{
		"role with object policy": {arn: ordersARN, check: func(t *testing.T, r *iam.Role) {
			if r.Name != "orders" || r.Path != "/" || !strings.Contains(r.TrustPolicy, `"system:serviceaccount:team-a:orders"`) {
				t.Errorf("role = %+v", r)
			}
		}},
		"role with url-encoded policy, '+' kept": {arn: "arn:aws:iam::111122223333:role/team/app/my-role", check: func(t *testing.T, r *iam.Role) {
			if r.Name != "my-role" || r.Path != "/team/app/" || r.TrustPolicy != encodedTrust {
				t.Errorf("role = %+v, want trust %s", r, encodedTrust)
			}
		}},
		"role from an array, other account": {arn: "arn:aws:iam::444455556666:role/payments"},
		"name in another case":              {arn: "arn:aws:iam::111122223333:role/ORDERS"},
		"absent, incomplete": {
			arn: "arn:aws:iam::111122223333:role/missing", wantErr: iam.ErrNotInDir,
			wantMsg: "get role missing: not in --iam-dir",
		},
		"absent, complete": {
			arn: "arn:aws:iam::111122223333:role/missing", complete: true, wantErr: iam.ErrNotFound,
			wantMsg: "get role missing: not found in --iam-dir",
		},
		"other path, incomplete folder still proves absence": {
			arn: "arn:aws:iam::111122223333:role/my-role", wantErr: iam.ErrNotFound,
			wantMsg: "get role my-role: not found: no role at path /; role my-role has path /team/app/",
		},
		"provider": {arn: provARN, provider: true},
		"provider absent, complete": {
			arn: "arn:aws:iam::111122223333:oidc-provider/example.com", provider: true, complete: true,
			wantErr: iam.ErrNotFound, wantMsg: "get oidc provider example.com: not found in --iam-dir",
		},
		"provider absent, incomplete": {
			arn: "arn:aws:iam::111122223333:oidc-provider/example.com", provider: true,
			wantErr: iam.ErrNotInDir, wantMsg: "get oidc provider example.com: not in --iam-dir",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, err := iam.NewDir("testdata/iamdir", tc.complete)
			if err != nil {
				t.Fatal(err)
			}
			var r *iam.Role
			if tc.provider {
				var p *iam.OIDCProvider
				p, err = d.GetOIDCProvider(t.Context(), tc.arn, 0)
				if err == nil && (p.URL != issuer || len(p.ClientIDs) != 1 || p.RetrievedAt.IsZero()) {
					t.Errorf("provider = %+v", p)
				}
			} else {
				r, err = d.GetRole(t.Context(), tc.arn, 0)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || err.Error() != tc.wantMsg {
					t.Fatalf("error = %v, want %q wrapping %v", err, tc.wantMsg, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r != nil && (r.RetrievedAt.IsZero() || !strings.EqualFold(r.ARN, tc.arn)) {
				t.Errorf("role = %+v, want ARN %s", r, tc.arn)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestDirListsWhatItRead(t *testing.T) {
	t.Parallel()
	d, err := iam.NewDir("testdata/iamdir", true)
	if err != nil {
		t.Fatal(err)
	}
	// Three roles: the copies under ..2026_12_03/ and .hidden/ (a mounted ConfigMap's layout) are skipped.
	if got := len(d.Roles()); got != 3 {
		t.Errorf("roles = %d, want 3", got)
	}
	if got := len(d.OIDCProviders()); got != 1 {
		t.Errorf("providers = %d, want 1", got)
	}
}

func TestDirBadFiles(t *testing.T) {
	t.Parallel()
	const okRole = `{"Role":{"Arn":"arn:aws:iam::111122223333:role/a","AssumeRolePolicyDocument":{"Statement":[]}}}`
	tests := map[string]struct {
		files map[string]string
		want  string // error text after "read iam dir DIR: "
	}{
		"not json":           {map[string]string{"roles/x.json": "{"}, "roles/x.json: invalid json at byte 1: unexpected end of JSON input"},
		"other json":         {map[string]string{"roles/x.json": `{"Roles":[]}`}, "roles/x.json: not a get-role or get-open-id-connect-provider output"},
		"json string":        {map[string]string{"x.json": `"Role"`}, "x.json: not a get-role or get-open-id-connect-provider output"},
		"bad array element":  {map[string]string{"all.json": "[" + okRole + `, 42]`}, "all.json[1]: not a get-role or get-open-id-connect-provider output"},
		"role without arn":   {map[string]string{"x.json": `{"Role":{"RoleName":"a"}}`}, `x.json: role has no "Arn"`},
		"role with bad arn":  {map[string]string{"x.json": `{"Role":{"Arn":"arn:aws:iam::111122223333:user/a"}}`}, `x.json: "Role.Arn" "arn:aws:iam::111122223333:user/a": not an iam role arn`},
		"name differs":       {map[string]string{"x.json": `{"Role":{"RoleName":"b","Arn":"arn:aws:iam::111122223333:role/a"}}`}, `x.json: "Role.RoleName" "b" does not match "Role.Arn" "arn:aws:iam::111122223333:role/a"`},
		"path differs":       {map[string]string{"x.json": `{"Role":{"Path":"/x/","Arn":"arn:aws:iam::111122223333:role/a"}}`}, `x.json: "Role.Path" "/x/" does not match "Role.Arn" "arn:aws:iam::111122223333:role/a"`},
		"no policy":          {map[string]string{"x.json": `{"Role":{"Arn":"arn:aws:iam::111122223333:role/a"}}`}, `x.json: role has no "AssumeRolePolicyDocument"`},
		"policy is a number": {map[string]string{"x.json": `{"Role":{"Arn":"arn:aws:iam::111122223333:role/a","AssumeRolePolicyDocument":1}}`}, `x.json: "Role.AssumeRolePolicyDocument" is neither an object nor a url-encoded string`},
		"bad percent-encoding": {map[string]string{"x.json": `{"Role":{"Arn":"arn:aws:iam::111122223333:role/a","AssumeRolePolicyDocument":"%7B%zz"}}`},
			`x.json: "Role.AssumeRolePolicyDocument": trust policy is not url-encoded json: invalid URL escape "%zz"`},
		"provider without arn": {map[string]string{"p.json": `{"Url":"example.com","ClientIDList":[]}`}, `p.json: get-open-id-connect-provider output needs an added "Arn" field`},
		"provider url differs": {map[string]string{"p.json": `{"Arn":"arn:aws:iam::111122223333:oidc-provider/a.example.com","Url":"b.example.com"}`},
			`p.json: "Url" "b.example.com" does not match "Arn" "arn:aws:iam::111122223333:oidc-provider/a.example.com"`},
		"duplicate role": {map[string]string{"a.json": okRole, "b.json": strings.Replace(okRole, "role/a", "role/A", 1)}, "b.json: role A is also defined in a.json"},
		"no json files":  {map[string]string{"notes.txt": "hello"}, "no *.json files"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := iam.NewDir(dir, true)
			want := "read iam dir " + dir + ": " + tc.want
			if err == nil || err.Error() != want {
				t.Errorf("NewDir error = %v\nwant %s", err, want)
			}
		})
	}
}

func TestDirMissingFolder(t *testing.T) {
	t.Parallel()
	_, err := iam.NewDir(filepath.Join(t.TempDir(), "absent"), false)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want os.ErrNotExist", err)
	}
}

func TestDirSymlinkedRoot(t *testing.T) {
	t.Parallel()
	abs, err := filepath.Abs("testdata/iamdir")
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "iam")
	if err := os.Symlink(abs, link); err != nil {
		t.Fatal(err)
	}
	d, err := iam.NewDir(link, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(d.Roles()); got != 3 {
		t.Errorf("roles = %d, want 3", got)
	}
}
