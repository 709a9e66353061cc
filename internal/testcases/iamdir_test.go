package testcases

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestWriteIAMDir(t *testing.T) {
	t.Parallel()
	cases, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	roleID := regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "iam")
			if err := c.WriteIAMDir(dir); err != nil {
				t.Fatalf("WriteIAMDir: %v", err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			roleName := c.Role.ARN[strings.LastIndex(c.Role.ARN, "/")+1:]
			want := []string{RoleFile(roleName)}
			for i := range c.OIDCProviders {
				want = append(want, ProviderFile(i+1))
			}
			sort.Strings(want)
			if !reflect.DeepEqual(names, want) {
				t.Fatalf("files = %v, want %v", names, want)
			}

			var role GetRoleOutput
			decodeStrict(t, filepath.Join(dir, RoleFile(roleName)), &role)
			r := role.Role
			if r.Arn != c.Role.ARN || r.RoleName != roleName || !strings.HasPrefix(r.Path, "/") ||
				!strings.HasSuffix(r.Path, "/") || "arn:"+strings.SplitN(c.Role.ARN, ":", 6)[1]+":iam::"+
				strings.SplitN(c.Role.ARN, ":", 6)[4]+":role"+r.Path+r.RoleName != c.Role.ARN {
				t.Errorf("role = %+v, case role %s", r, c.Role.ARN)
			}
			if !roleID.MatchString(r.RoleID) || r.CreateDate != CreateDate || r.MaxSessionDuration != 3600 {
				t.Errorf("role metadata = %q %q %d", r.RoleID, r.CreateDate, r.MaxSessionDuration)
			}
			if !jsonEqual(t, r.AssumeRolePolicyDocument, c.Role.TrustPolicy) {
				t.Errorf("AssumeRolePolicyDocument = %s, want %s", r.AssumeRolePolicyDocument, c.Role.TrustPolicy)
			}

			for i, p := range c.OIDCProviders {
				var got GetOIDCProviderOutput
				decodeStrict(t, filepath.Join(dir, ProviderFile(i+1)), &got)
				wantURL := p.ARN[strings.Index(p.ARN, ":oidc-provider/")+len(":oidc-provider/"):]
				if got.Arn != p.ARN || got.URL != wantURL || strings.HasPrefix(got.URL, "https://") {
					t.Errorf("provider %d: Arn %q Url %q, want %q %q", i+1, got.Arn, got.URL, p.ARN, wantURL)
				}
				if !reflect.DeepEqual(got.ClientIDList, p.ClientIDs) || len(got.ClientIDList) == 0 && got.ClientIDList == nil {
					t.Errorf("provider %d: ClientIDList %q, want %q", i+1, got.ClientIDList, p.ClientIDs)
				}
				if !reflect.DeepEqual(got.ThumbprintList, []string{Thumbprint}) || got.CreateDate != CreateDate || got.Tags == nil {
					t.Errorf("provider %d: %+v", i+1, got)
				}
			}
		})
	}
}

// TestWriteIAMDirCLIShape checks the files have the member names `aws iam` prints, independent of the
// Go types that wrote them.
func TestWriteIAMDirCLIShape(t *testing.T) {
	t.Parallel()
	c, err := Decode([]byte(strings.Replace(validCase, `"oidc_providers":[]`,
		`"oidc_providers":[{"arn":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A","client_ids":["sts.amazonaws.com"]}]`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := c.WriteIAMDir(dir); err != nil {
		t.Fatal(err)
	}
	var role map[string]map[string]any
	readJSON(t, filepath.Join(dir, "role-r.json"), &role)
	if got := keys(role["Role"]); !reflect.DeepEqual(got, []string{"Arn", "AssumeRolePolicyDocument", "CreateDate",
		"MaxSessionDuration", "Path", "RoleId", "RoleLastUsed", "RoleName"}) {
		t.Errorf("Role members = %v", got)
	}
	if _, ok := role["Role"]["AssumeRolePolicyDocument"].(map[string]any); !ok {
		t.Errorf("AssumeRolePolicyDocument is %T, want an object as the CLI prints it", role["Role"]["AssumeRolePolicyDocument"])
	}
	var prov map[string]any
	readJSON(t, filepath.Join(dir, "oidc-provider-1.json"), &prov)
	if got := keys(prov); !reflect.DeepEqual(got, []string{"Arn", "ClientIDList", "CreateDate", "Tags", "ThumbprintList", "Url"}) {
		t.Errorf("provider members = %v", got)
	}
	if prov["Url"] != "oidc.eks.us-east-1.amazonaws.com/id/A" {
		t.Errorf("Url = %v", prov["Url"])
	}
}

func TestIAMProvidersWithoutClientIDs(t *testing.T) {
	t.Parallel()
	c := Case{OIDCProviders: []OIDCProvider{{ARN: "arn:aws:iam::111122223333:oidc-provider/example.com"}}}
	got := c.IAMProviders()
	if len(got) != 1 || got[0].ClientIDList == nil || len(got[0].ClientIDList) != 0 || got[0].URL != "example.com" {
		t.Errorf("IAMProviders() = %+v, want one provider with an empty (not null) ClientIDList", got)
	}
}

func TestWriteIAMDirBadRoleARN(t *testing.T) {
	t.Parallel()
	c, err := Decode([]byte(strings.Replace(validCase, "arn:aws:iam::111122223333:role/r", "arn:aws:iam::1:role/r", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteIAMDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "role.arn") {
		t.Errorf("WriteIAMDir = %v, want a role.arn error", err)
	}
}

func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", filepath.Base(path), err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
