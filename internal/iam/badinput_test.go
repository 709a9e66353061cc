package iam_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iam"
)

const (
	biRole     = `{"Role":{"Arn":"arn:aws:iam::111122223333:role/app","RoleName":"app","Path":"/","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[]}}}`
	biProvider = `{"Arn":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC","Url":"oidc.eks.us-west-2.amazonaws.com/id/ABC","ClientIDList":["sts.amazonaws.com"]}`
)

// TestDirBadInput: a folder with a bad file is refused as a whole, with an error naming the file and what is
// wrong in it, never a panic (a partly read folder would make absent roles look absent from IAM).
func TestDirBadInput(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		files map[string]string
		want  []string // substrings of the error
	}{
		"binary garbage":               {map[string]string{"x.json": "\x89PNG\r\n\x1a\n\x00"}, []string{"x.json", "invalid json"}},
		"empty file":                   {map[string]string{"x.json": ""}, []string{"x.json"}},
		"BOM":                          {map[string]string{"x.json": "\ufeff" + biRole}, []string{"x.json", "invalid json"}},
		"a number":                     {map[string]string{"x.json": "42"}, []string{"x.json", "not a get-role"}},
		"a list of numbers":            {map[string]string{"x.json": "[1,2]"}, []string{"x.json[0]", "not a get-role"}},
		"truncated":                    {map[string]string{"x.json": biRole[:40]}, []string{"x.json", "invalid json"}},
		"policy is a number":           {map[string]string{"x.json": strings.Replace(biRole, `{"Version":"2012-10-17","Statement":[]}`, "42", 1)}, []string{"x.json", "neither an object nor a url-encoded string"}},
		"policy is a list":             {map[string]string{"x.json": strings.Replace(biRole, `{"Version":"2012-10-17","Statement":[]}`, "[]", 1)}, []string{"x.json", "AssumeRolePolicyDocument"}},
		"policy is null":               {map[string]string{"x.json": strings.Replace(biRole, `{"Version":"2012-10-17","Statement":[]}`, "null", 1)}, []string{"x.json", `no "AssumeRolePolicyDocument"`}},
		"policy has a bad %-escape":    {map[string]string{"x.json": strings.Replace(biRole, `{"Version":"2012-10-17","Statement":[]}`, `"%ZZ"`, 1)}, []string{"x.json", "not url-encoded json"}},
		"Role is a string":             {map[string]string{"x.json": `{"Role":"app"}`}, []string{"x.json", "role"}},
		"role without Arn":             {map[string]string{"x.json": strings.Replace(biRole, `"Arn":"arn:aws:iam::111122223333:role/app",`, "", 1)}, []string{"x.json", `no "Arn"`}},
		"role Arn is a user":           {map[string]string{"x.json": strings.Replace(biRole, "role/app", "user/app", 1)}, []string{"x.json", "Role.Arn"}},
		"RoleName disagrees with Arn":  {map[string]string{"x.json": strings.Replace(biRole, `"RoleName":"app"`, `"RoleName":"other"`, 1)}, []string{"x.json", "does not match"}},
		"provider without Arn":         {map[string]string{"p.json": strings.Replace(biProvider, `"Arn":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",`, "", 1)}, []string{"p.json", `added "Arn"`}},
		"provider Url disagrees":       {map[string]string{"p.json": strings.Replace(biProvider, `"Url":"oidc.eks.us-west-2.amazonaws.com/id/ABC"`, `"Url":"oidc.eks.us-west-2.amazonaws.com/id/XYZ"`, 1)}, []string{"p.json", "does not match"}},
		"ClientIDList of numbers":      {map[string]string{"p.json": strings.Replace(biProvider, `["sts.amazonaws.com"]`, `[1]`, 1)}, []string{"p.json"}},
		"same role twice, differently": {map[string]string{"a.json": biRole, "b.json": strings.Replace(biRole, `"Statement":[]`, `"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]`, 1)}, []string{"b.json", "also defined in a.json"}},
		"same role, other case":        {map[string]string{"a.json": biRole, "b.json": strings.ReplaceAll(biRole, "app", "APP")}, []string{"also defined in a.json"}},
		"same role, other path":        {map[string]string{"a.json": biRole, "b.json": strings.Replace(strings.Replace(biRole, "role/app", "role/team/app", 1), `"Path":"/"`, `"Path":"/team/"`, 1)}, []string{"also defined in a.json"}},
		"same provider twice":          {map[string]string{"a.json": biProvider, "b.json": biProvider}, []string{"b.json", "also defined in a.json"}},
		"same role twice in one file":  {map[string]string{"a.json": "[" + biRole + "," + biRole + "]"}, []string{"a.json[1]", "also defined in a.json[0]"}},
		"nested 100,000 deep":          {map[string]string{"x.json": strings.Repeat("[", 100000)}, []string{"x.json"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for f, data := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			d, err := iam.NewDir(dir, true)
			if err == nil {
				t.Fatalf("NewDir read the folder (%d roles), want an error containing %q", len(d.Roles()), tc.want)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 600 {
				t.Errorf("error is %d bytes or spans lines: %.200q", len(msg), msg)
			}
		})
	}
}

// TestDirBadInputIgnored: files that are not *.json, and dot-files, are not read at all.
func TestDirBadInputIgnored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for f, data := range map[string]string{"role.json": biRole, "notes.txt": "\x00garbage", ".hidden.json": "garbage",
		"role.json.bak": "garbage"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(".", filepath.Join(dir, "self")); err != nil {
		t.Fatal(err)
	}
	d, err := iam.NewDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Roles()); n != 1 {
		t.Errorf("read %d roles, want 1", n)
	}
}
