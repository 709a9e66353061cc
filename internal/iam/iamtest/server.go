// Package iamtest is an HTTP server speaking the IAM and STS Query protocols (GetRole, GetOpenIDConnectProvider,
// AssumeRole, GetCallerIdentity), for tests and load runs: point the real aws-sdk-go-v2 clients at URL().
//
// Requests must carry a SigV4 Authorization header; its signature is not verified. The caller's account comes
// from the access key: keys minted by AssumeRole ("ASIA" + account + ...) act in the assumed role's account,
// any other key in the home account. Like IAM, a role or provider is only visible from its own account.
package iamtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/irsa-guard/irsa-guard/internal/iam"
)

// Fault makes an action fail or slow down.
type Fault struct {
	// Code is the error code returned (e.g. "Throttling", "AccessDenied", "ServiceUnavailable"); empty: after
	// Delay the request is answered normally.
	Code string
	// Status overrides the HTTP status of Code (400 Throttling, 403 AccessDenied, 404 NoSuchEntity, 500
	// ServiceFailure/InternalFailure, 503 ServiceUnavailable, else 400).
	Status int
	// Delay before answering (cut short when the client goes away).
	Delay time.Duration
	// Times is how many requests the fault applies to; 0: until cleared.
	Times int
}

// Server is the IAM/STS Query-protocol server. Safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	home      string
	roles     map[string]map[string]*role // account -> lower-case name -> role
	providers map[string]*provider        // ARN -> provider
	faults    map[string]*Fault
	calls     map[string]int
	callsFor  map[[2]string]int
}

type role struct {
	arn, account, path, name, id, policy string
	created                              time.Time
}

type provider struct {
	arn, account, url string
	clientIDs         []string
	created           time.Time
}

// NewServer starts a server (HTTP, on a loopback port).
func NewServer() *Server {
	s := &Server{
		roles:     map[string]map[string]*role{},
		providers: map[string]*provider{},
		faults:    map[string]*Fault{},
		calls:     map[string]int{},
		callsFor:  map[[2]string]int{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the endpoint for both IAM and STS.
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.srv.Close() }

// SetHomeAccount sets the account of credentials not minted by AssumeRole (default: the account of the first
// role or provider put; see LoadDir).
func (s *Server) SetHomeAccount(account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.home = account
}

var roleARNRE = regexp.MustCompile(`^arn:[a-z-]+:iam::([0-9]{12}):role(/(?:[!-~]*/)?)([\w+=,.@-]{1,64})$`)

// PutRole adds or replaces a role. It panics on a malformed ARN: a test bug.
func (s *Server) PutRole(arn, trustPolicyJSON string) {
	m := roleARNRE.FindStringSubmatch(arn)
	if m == nil {
		panic(fmt.Sprintf("iamtest: PutRole: malformed role arn %q", arn))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	account := m[1]
	if s.home == "" {
		s.home = account
	}
	if s.roles[account] == nil {
		s.roles[account] = map[string]*role{}
	}
	s.roles[account][strings.ToLower(m[3])] = &role{
		arn: arn, account: account, path: m[2], name: m[3], id: "AROA" + randomID(17),
		policy: trustPolicyJSON, created: time.Now().UTC().Truncate(time.Second),
	}
}

var providerARNRE = regexp.MustCompile(`^arn:[a-z-]+:iam::([0-9]{12}):oidc-provider/(.+)$`)

// PutOIDCProvider adds or replaces an OIDC provider. url may carry the https:// scheme. It panics on a
// malformed ARN: a test bug.
func (s *Server) PutOIDCProvider(arn, url string, clientIDs []string) {
	m := providerARNRE.FindStringSubmatch(arn)
	if m == nil {
		panic(fmt.Sprintf("iamtest: PutOIDCProvider: malformed provider arn %q", arn))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.home == "" {
		s.home = m[1]
	}
	s.providers[arn] = &provider{
		arn: arn, account: m[1], url: strings.TrimPrefix(url, "https://"),
		clientIDs: append([]string(nil), clientIDs...), created: time.Now().UTC().Truncate(time.Second),
	}
}

// LoadDir puts every role and provider of a folder in the format of the folder source (iam.NewDir). Without
// SetHomeAccount, the home account becomes the account of the first provider read (else of the first role).
func (s *Server) LoadDir(dir string) error {
	d, err := iam.NewDir(dir, true)
	if err != nil {
		return err
	}
	// Providers first: without SetHomeAccount, the home account is the first provider's (the cluster's).
	for _, p := range d.OIDCProviders() {
		s.PutOIDCProvider(p.ARN, p.URL, p.ClientIDs)
	}
	for _, r := range d.Roles() {
		s.PutRole(r.ARN, r.TrustPolicy)
	}
	return nil
}

// SetFault makes action (e.g. "GetRole", "AssumeRole") fail or slow down.
func (s *Server) SetFault(action string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[action] = &f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// Calls is the number of authenticated requests for action.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// CallsFor is the number of authenticated requests for action on name: the RoleName of GetRole, the
// OpenIDConnectProviderArn of GetOpenIDConnectProvider, the RoleArn of AssumeRole.
func (s *Server) CallsFor(action, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsFor[[2]string{action, name}]
}

const (
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
)

var credentialRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/[0-9]{8}/[^/]+/([^/]+)/aws4_request,\s*SignedHeaders=[^,]+,\s*Signature=[0-9a-f]{64}$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		writeError(w, iamNS, reqID, http.StatusBadRequest, "MalformedQueryString", "expected a form-encoded POST")
		return
	}
	action := r.PostForm.Get("Action")
	ns := iamNS
	if action == "AssumeRole" || action == "GetCallerIdentity" {
		ns = stsNS
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		writeError(w, ns, reqID, http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
		return
	}
	m := credentialRE.FindStringSubmatch(auth)
	if m == nil {
		writeError(w, ns, reqID, http.StatusBadRequest, "IncompleteSignature",
			"Authorization header requires a SigV4 Credential, SignedHeaders and Signature")
		return
	}
	accessKey := m[1]

	s.mu.Lock()
	account := s.home
	if strings.HasPrefix(accessKey, "ASIA") && len(accessKey) >= 16 && isDigits(accessKey[4:16]) {
		account = accessKey[4:16]
	}
	s.calls[action]++
	s.callsFor[[2]string{action, subject(action, r.PostForm)}]++
	var fault Fault
	if f, ok := s.faults[action]; ok {
		fault = *f
		if f.Times > 0 {
			if f.Times--; f.Times == 0 {
				delete(s.faults, action)
			}
		}
	}
	s.mu.Unlock()

	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fault.Code != "" {
		status := fault.Status
		if status == 0 {
			status = statusOf(fault.Code)
		}
		writeError(w, ns, reqID, status, fault.Code, "injected fault")
		return
	}

	switch action {
	case "GetRole":
		s.getRole(w, r.PostForm, account, reqID)
	case "GetOpenIDConnectProvider":
		s.getProvider(w, r.PostForm, account, reqID)
	case "AssumeRole":
		s.assumeRole(w, r.PostForm, account, reqID)
	case "GetCallerIdentity":
		writeXML(w, reqID, "GetCallerIdentity", stsNS, fmt.Sprintf(
			"<Arn>arn:aws:iam::%s:user/iamtest</Arn><UserId>AIDA%s</UserId><Account>%s</Account>",
			account, randomID(17), account))
	default:
		writeError(w, ns, reqID, http.StatusBadRequest, "InvalidAction",
			"Could not find operation "+xmlEscape(action)+" for version "+xmlEscape(r.PostForm.Get("Version")))
	}
}

func subject(action string, form url.Values) string {
	switch action {
	case "GetRole":
		return form.Get("RoleName")
	case "GetOpenIDConnectProvider":
		return form.Get("OpenIDConnectProviderArn")
	case "AssumeRole":
		return form.Get("RoleArn")
	}
	return ""
}

func (s *Server) getRole(w http.ResponseWriter, form url.Values, account, reqID string) {
	name := form.Get("RoleName")
	if name == "" {
		writeError(w, iamNS, reqID, http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
		return
	}
	s.mu.Lock()
	rl, ok := s.roles[account][strings.ToLower(name)]
	var cp role
	if ok {
		cp = *rl
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, iamNS, reqID, http.StatusNotFound, "NoSuchEntity",
			"The role with name "+xmlEscape(name)+" cannot be found.")
		return
	}
	writeXML(w, reqID, "GetRole", iamNS, fmt.Sprintf("<Role><Path>%s</Path><RoleName>%s</RoleName><RoleId>%s</RoleId>"+
		"<Arn>%s</Arn><CreateDate>%s</CreateDate><AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument>"+
		"<MaxSessionDuration>3600</MaxSessionDuration><RoleLastUsed/></Role>",
		xmlEscape(cp.path), xmlEscape(cp.name), cp.id, xmlEscape(cp.arn), cp.created.Format(time.RFC3339),
		xmlEscape(EncodePolicy(cp.policy))))
}

func (s *Server) getProvider(w http.ResponseWriter, form url.Values, account, reqID string) {
	arn := form.Get("OpenIDConnectProviderArn")
	s.mu.Lock()
	p, ok := s.providers[arn]
	var cp provider
	if ok && p.account == account {
		cp = *p
	}
	s.mu.Unlock()
	if cp.arn == "" {
		writeError(w, iamNS, reqID, http.StatusNotFound, "NoSuchEntity",
			"OpenIDConnect Provider not found for arn "+xmlEscape(arn))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<Url>%s</Url><ClientIDList>", xmlEscape(cp.url))
	for _, id := range cp.clientIDs {
		fmt.Fprintf(&b, "<member>%s</member>", xmlEscape(id))
	}
	fmt.Fprintf(&b, "</ClientIDList><ThumbprintList><member>%s</member></ThumbprintList><CreateDate>%s</CreateDate><Tags/>",
		strings.Repeat("9e", 20), cp.created.Format(time.RFC3339))
	writeXML(w, reqID, "GetOpenIDConnectProvider", iamNS, b.String())
}

// assumeRole hands out credentials for a role that exists (trust is not evaluated); the access key names the
// role's account so later calls act there.
func (s *Server) assumeRole(w http.ResponseWriter, form url.Values, account, reqID string) {
	arn, session := form.Get("RoleArn"), form.Get("RoleSessionName")
	m := roleARNRE.FindStringSubmatch(arn)
	if m == nil || session == "" {
		writeError(w, stsNS, reqID, http.StatusBadRequest, "ValidationError", "RoleArn and RoleSessionName are required")
		return
	}
	s.mu.Lock()
	rl, ok := s.roles[m[1]][strings.ToLower(m[3])]
	ok = ok && rl.arn == arn
	s.mu.Unlock()
	if !ok {
		writeError(w, stsNS, reqID, http.StatusForbidden, "AccessDenied", fmt.Sprintf(
			"User: arn:aws:iam::%s:user/iamtest is not authorized to perform: sts:AssumeRole on resource: %s",
			account, xmlEscape(arn)))
		return
	}
	expires := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	writeXML(w, reqID, "AssumeRole", stsNS, fmt.Sprintf("<Credentials><AccessKeyId>ASIA%s%s</AccessKeyId>"+
		"<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"+
		"<AssumedRoleUser><AssumedRoleId>%s:%s</AssumedRoleId><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn></AssumedRoleUser>",
		m[1], randomID(8), randomID(40), randomID(64), expires.Format(time.RFC3339),
		rl.id, xmlEscape(session), m[1], xmlEscape(m[3]), xmlEscape(session)))
}

func writeXML(w http.ResponseWriter, reqID, action, ns, result string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, `<%sResponse xmlns="%s">`+"\n  <%sResult>%s</%sResult>\n"+
		"  <ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>\n</%sResponse>\n",
		action, ns, action, result, action, reqID, action)
}

func writeError(w http.ResponseWriter, ns, reqID string, status int, code, msg string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s">`+"\n  <Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>\n"+
		"  <RequestId>%s</RequestId>\n</ErrorResponse>\n", ns, typ, xmlEscape(code), xmlEscape(msg), reqID)
}

func statusOf(code string) int {
	switch code {
	case "NoSuchEntity":
		return http.StatusNotFound
	case "AccessDenied", "MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken":
		return http.StatusForbidden
	case "ServiceFailure", "InternalFailure":
		return http.StatusInternalServerError
	case "ServiceUnavailable":
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// EncodePolicy percent-encodes a policy as IAM returns AssumeRolePolicyDocument: RFC 3986, every byte outside
// the unreserved set encoded (a space as %20, '+' as %2B).
func EncodePolicy(doc string) string {
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writing to a strings.Builder cannot fail
	return b.String()
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
