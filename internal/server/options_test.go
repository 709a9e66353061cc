package server

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestOptions: flags parse into options, and Validate names every problem at once.
func TestOptions(t *testing.T) {
	tests := map[string]struct {
		args     []string
		env      string // AWS_ROLE_ARN
		wantErr  []string
		wantAcct string
	}{
		"defaults with an IRSA role name the account":                        {env: "arn:aws:iam::111122223333:role/irsa-guard", wantAcct: "111122223333"},
		"no account at all is not an error (sts:GetCallerIdentity at start)": {},
		"account roles and allowed accounts": {args: []string{"--account=111122223333",
			"--account-role=444455556666=arn:aws:iam::444455556666:role/reader", "--allowed-accounts=111122223333, 444455556666"},
			wantAcct: "111122223333"},
		"every problem at once": {
			args: []string{"--mode=off", "--missing-role=maybe", "--on-lookup-error=ignore", "--issuer=http://x",
				"--account=1234", "--iam-dir-complete", "--iam-qps=0", "--allowed-accounts=abc"},
			wantErr: []string{`--mode "off"`, `--missing-role "maybe"`, `--on-lookup-error "ignore"`, "--issuer:",
				`--account "1234"`, "--iam-dir-complete needs --iam-dir", "must be positive", `"abc" is not a 12-digit account`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv("AWS_ROLE_ARN", tc.env)
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o := DefaultOptions()
			o.AddFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := o.Validate()
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if o.Account != tc.wantAcct {
					t.Errorf("account %q, want %q", o.Account, tc.wantAcct)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate passed, want errors")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	t.Run("a malformed account role is refused by the flag", func(t *testing.T) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o := DefaultOptions()
		o.AddFlags(fs)
		if err := fs.Parse([]string{"--account-role=44445555=role"}); err == nil {
			t.Error("parsed a malformed --account-role")
		}
	})
}
