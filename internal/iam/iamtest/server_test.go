package iamtest_test

import (
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/irsa-guard/irsa-guard/internal/iam/iamtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	homeKey  = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig
	otherKey = "AWS4-HMAC-SHA256 Credential=ASIA444455556666ABCD/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig
	sig      = "0000000000000000000000000000000000000000000000000000000000000000"
	policy   = `{"Version":"2012-10-17","Statement":[{"Sid":"a+b c%","Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
)

func newServer(t *testing.T) *iamtest.Server {
	t.Helper()
	s := iamtest.NewServer()
	t.Cleanup(s.Close)
	s.SetHomeAccount("111122223333")
	s.PutRole("arn:aws:iam::111122223333:role/team/orders", policy)
	s.PutRole("arn:aws:iam::444455556666:role/reader", policy)
	s.PutOIDCProvider("arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/1", "https://oidc.example.com/id/1", []string{"sts.amazonaws.com", "b"})
	return s
}

type response struct {
	status int
	body   string
}

func post(t *testing.T, s *iamtest.Server, auth string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId header")
	}
	return response{resp.StatusCode, string(body)}
}

func form(kv ...string) url.Values {
	v := url.Values{"Version": {"2010-05-08"}}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

var volatile = regexp.MustCompile(`<(RequestId|RoleId|CreateDate|AccessKeyId|SecretAccessKey|SessionToken|Expiration|AssumedRoleId)>[^<]*<`)

// golden compares a response with testdata/<name>.golden, volatile fields blanked.
func golden(t *testing.T, name string, r response) {
	t.Helper()
	got := []byte(volatile.ReplaceAllString(r.body, "<$1>X<"))
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
	}
}

func TestServerResponses(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		auth   string
		form   url.Values
		status int
	}{
		"get-role":                   {homeKey, form("Action", "GetRole", "RoleName", "orders"), 200},
		"get-role-any-case":          {homeKey, form("Action", "GetRole", "RoleName", "ORDERS"), 200},
		"get-role-no-such-entity":    {homeKey, form("Action", "GetRole", "RoleName", "missing"), 404},
		"get-role-other-account":     {otherKey, form("Action", "GetRole", "RoleName", "orders"), 404},
		"get-role-no-name":           {homeKey, form("Action", "GetRole"), 400},
		"get-provider":               {homeKey, form("Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/1"), 200},
		"get-provider-other-account": {otherKey, form("Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/1"), 404},
		"assume-role":                {homeKey, form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", "arn:aws:iam::444455556666:role/reader", "RoleSessionName", "irsa-guard"), 200},
		"assume-role-missing":        {homeKey, form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", "arn:aws:iam::444455556666:role/nope", "RoleSessionName", "irsa-guard"), 403},
		"missing-auth":               {"", form("Action", "GetRole", "RoleName", "orders"), 403},
		"incomplete-signature":       {"AWS4-HMAC-SHA256 Credential=AKID", form("Action", "GetRole", "RoleName", "orders"), 400},
		"invalid-action":             {homeKey, form("Action", "DeleteRole", "RoleName", "orders"), 400},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			r := post(t, s, tc.auth, tc.form)
			if r.status != tc.status {
				t.Errorf("status = %d, want %d; body %s", r.status, tc.status, r.body)
			}
			golden(t, name, r)
		})
	}
}

func TestServerPolicyEncoding(t *testing.T) {
	t.Parallel()
	got := iamtest.EncodePolicy(`{"a":"x+y z%/é"}`)
	if want := "%7B%22a%22%3A%22x%2By%20z%25%2F%C3%A9%22%7D"; got != want {
		t.Errorf("EncodePolicy = %s, want %s", got, want)
	}
}

func TestServerAssumedCredentialsActInTheirAccount(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	r := post(t, s, homeKey, form("Action", "AssumeRole", "RoleArn", "arn:aws:iam::444455556666:role/reader", "RoleSessionName", "x"))
	key := regexp.MustCompile(`<AccessKeyId>([^<]+)<`).FindStringSubmatch(r.body)
	if key == nil || !strings.HasPrefix(key[1], "ASIA444455556666") {
		t.Fatalf("AccessKeyId = %v, want ASIA444455556666...", key)
	}
	auth := strings.Replace(homeKey, "AKIAIOSFODNN7EXAMPLE", key[1], 1)
	if r := post(t, s, auth, form("Action", "GetRole", "RoleName", "reader")); r.status != 200 {
		t.Errorf("GetRole reader with assumed credentials: %d %s", r.status, r.body)
	}
	if r := post(t, s, auth, form("Action", "GetRole", "RoleName", "orders")); r.status != 404 {
		t.Errorf("GetRole orders (home account) with assumed credentials: %d, want 404", r.status)
	}
}

func TestServerFaultsAndCalls(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.SetFault("GetRole", iamtest.Fault{Code: "Throttling", Times: 2})
	s.SetFault("GetOpenIDConnectProvider", iamtest.Fault{Code: "ServiceUnavailable"})
	get := form("Action", "GetRole", "RoleName", "orders")
	var statuses []int
	for range 3 {
		statuses = append(statuses, post(t, s, homeKey, get).status)
	}
	if want := []int{400, 400, 200}; !equal(statuses, want) {
		t.Errorf("statuses = %v, want %v (fault for two requests)", statuses, want)
	}
	prov := form("Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/1")
	r := post(t, s, homeKey, prov)
	if r.status != 503 || !strings.Contains(r.body, "<Type>Receiver</Type><Code>ServiceUnavailable</Code>") {
		t.Errorf("fault response = %d %s", r.status, r.body)
	}
	s.ClearFaults()
	if r := post(t, s, homeKey, prov); r.status != 200 {
		t.Errorf("after ClearFaults: %d", r.status)
	}
	post(t, s, "", get) // unauthenticated: not counted
	post(t, s, homeKey, form("Action", "GetRole", "RoleName", "other"))
	if got := s.Calls("GetRole"); got != 4 {
		t.Errorf("Calls(GetRole) = %d, want 4", got)
	}
	if got := s.CallsFor("GetRole", "orders"); got != 3 {
		t.Errorf("CallsFor(GetRole, orders) = %d, want 3", got)
	}
	if got := s.Calls("GetOpenIDConnectProvider"); got != 2 {
		t.Errorf("Calls(GetOpenIDConnectProvider) = %d, want 2", got)
	}
}

func TestServerDelay(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.SetFault("GetRole", iamtest.Fault{Delay: 50 * time.Millisecond, Times: 1})
	start := time.Now()
	if r := post(t, s, homeKey, form("Action", "GetRole", "RoleName", "orders")); r.status != 200 {
		t.Errorf("delayed answer: %d %s", r.status, r.body)
	}
	// A lower bound only: the delay happened (no upper bound is asserted).
	if time.Since(start) < 50*time.Millisecond {
		t.Error("answered before the delay")
	}
}

func TestServerLoadDir(t *testing.T) {
	t.Parallel()
	s := iamtest.NewServer()
	defer s.Close()
	if err := s.LoadDir("../testdata/iamdir"); err != nil {
		t.Fatal(err)
	}
	if r := post(t, s, homeKey, form("Action", "GetRole", "RoleName", "my-role")); r.status != 200 ||
		!strings.Contains(r.body, "<Arn>arn:aws:iam::111122223333:role/team/app/my-role</Arn>") {
		t.Errorf("GetRole after LoadDir: %d %s", r.status, r.body)
	}
	if err := s.LoadDir(t.TempDir()); err == nil {
		t.Error("LoadDir of an empty folder: no error")
	}
}

func TestServerPutRolePanicsOnBadARN(t *testing.T) {
	t.Parallel()
	s := iamtest.NewServer()
	defer s.Close()
	defer func() {
		if recover() == nil {
			t.Error("PutRole with a user ARN did not panic")
		}
	}()
	s.PutRole("arn:aws:iam::111122223333:user/x", policy)
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
