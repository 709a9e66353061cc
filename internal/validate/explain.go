package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-guard/irsa-guard/internal/iampolicy"
	"github.com/irsa-guard/irsa-guard/internal/irsa"
)

// subject is one ServiceAccount asking one role, with everything the explanation needs.
type subject struct {
	engine   *Engine
	role     irsa.RoleARN
	roleARN  string
	roleName string
	sa       ServiceAccount
	sub      string // system:serviceaccount:<ns>:<name>
	audience string // the token's aud
	audField string // the field the audience comes from
	provider string // the OIDC provider ARN IAM resolves the token against (in the role's account)
	policy   *iampolicy.Policy
}

func (s *subject) prefix() string { return s.engine.Cluster.Issuer.HostPath }

func (s *subject) shortRole() string {
	if s.roleName != "" {
		return s.roleName
	}
	return s.role.Name
}

// keyKind classifies a condition key by who sets it on a web-identity request from this cluster.
type keyKind int

const (
	keyGlobal        keyKind = iota // aws:*, sts:*, ...: known only at call time
	keySub                          // <this issuer>:sub
	keyAud                          // <this issuer>:aud
	keyOurOther                     // <this issuer>:<other claim>: not modelled, so unknown
	keyOtherProvider                // <another issuer>:*: never present on this cluster's requests
)

func (s *subject) classify(key string) keyKind {
	// A service key (aws:, sts:, iam:, saml:, ...) has no dot or slash before its first colon; what follows may
	// hold colons too (aws:ResourceTag/team:owner). An identity provider's key is <issuer host/path>:<claim>,
	// and issuer host paths hold no colon.
	first := strings.Index(key, ":")
	if first < 0 || !strings.ContainsAny(key[:first], "./") {
		return keyGlobal
	}
	i := strings.LastIndex(key, ":")
	prefix, claim := key[:i], strings.ToLower(key[i+1:])
	if !strings.EqualFold(prefix, s.prefix()) {
		return keyOtherProvider
	}
	switch claim {
	case "sub":
		return keySub
	case "aud":
		return keyAud
	}
	return keyOurOther
}

func (s *subject) request() *iampolicy.Request {
	return &iampolicy.Request{
		PrincipalType: "Federated",
		Principal:     s.provider,
		Action:        irsa.WebIdentityAction,
		Resource:      s.roleARN,
		Context: map[string][]string{
			s.prefix() + ":sub": {s.sub},
			s.prefix() + ":aud": {s.audience},
		},
		// Keys of another provider are known to be absent; everything else that is not sub or aud (source IP,
		// time, session name, tags, ...) exists only when the pod calls STS.
		Unknown: func(key string) bool {
			k := s.classify(key)
			return k == keyGlobal || k == keyOurOther
		},
	}
}

// explain evaluates the trust policy for the subject and adds the findings.
func (s *subject) explain(d *Diagnosis) {
	res := iampolicy.Evaluate(s.policy, s.request())
	switch res.Decision {
	case iampolicy.Allow:
		s.advise(d, res, false)
	case iampolicy.Undetermined:
		msg := fmt.Sprintf("trust not fully verified: role %s also tests %s, known only when the pod calls STS",
			s.shortRole(), strings.Join(res.UnknownKeys, ", "))
		if len(res.UnknownKeys) == 0 {
			msg = fmt.Sprintf("trust not fully verified: role %s has a statement whose principal or operator IAM does "+
				"not document for a web identity (such as {\"AWS\": \"*\"})", s.shortRole())
		}
		d.add(Finding{Code: "Undetermined", Severity: SeverityWarning, Field: roleField, Message: msg})
		s.advise(d, res, true)
	case iampolicy.ExplicitDeny:
		s.explainExplicitDeny(d, res)
	default:
		s.explainImplicitDeny(d, res)
	}
}

func (s *subject) deny(d *Diagnosis, code, msg string, fix bool) {
	f := Finding{Code: code, Severity: SeverityError, Field: roleField,
		Message: fmt.Sprintf("role %s does not trust %s: %s", s.roleARN, s.sub, msg)}
	if fix {
		f.Fix = s.fixStatement()
	}
	d.add(f)
}

// fixStatement is a trust statement that lets exactly this ServiceAccount in.
func (s *subject) fixStatement() string {
	return fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",`+
		`"Condition":{"StringEquals":{%q:%q,%q:%q}}}`,
		s.provider, s.prefix()+":sub", s.sub, s.prefix()+":aud", s.audience)
}

func stmtName(st iampolicy.StatementResult) string {
	if st.Sid != "" {
		return fmt.Sprintf("statement %q", st.Sid)
	}
	return fmt.Sprintf("statement %d", st.Index+1)
}

func (s *subject) explainExplicitDeny(d *Diagnosis, res *iampolicy.Result) {
	for _, st := range res.Statements {
		if st.Effect != iampolicy.EffectDeny || st.Applies != iampolicy.True {
			continue
		}
		why := "it applies to every web-identity caller"
		for _, c := range st.Conditions {
			if c.Result == iampolicy.True {
				why = fmt.Sprintf("%s %s %s matches", c.Operator, s.shortKey(c.Key), quoteList(c.Values))
				break
			}
		}
		s.deny(d, "ExplicitDeny", fmt.Sprintf("%s explicitly denies it (%s), and an explicit Deny overrides every "+
			"Allow; fix: narrow or remove that Deny statement", stmtName(st), why), false)
		return
	}
}

// explainImplicitDeny names the defect of the statement that came closest to letting the subject in.
func (s *subject) explainImplicitDeny(d *Diagnosis, res *iampolicy.Result) {
	var allows []iampolicy.StatementResult
	for _, st := range res.Statements {
		if st.Effect == iampolicy.EffectAllow {
			allows = append(allows, st)
		}
	}
	if len(allows) == 0 {
		s.deny(d, "NoAllowStatement", "the trust policy has no Allow statement; fix: add one", true)
		return
	}
	// 1. Principal and action match: a condition failed.
	if st, ok := closest(allows, func(st iampolicy.StatementResult) bool { return st.PrincipalMatch && st.ActionMatch }); ok {
		s.explainConditions(d, st)
		return
	}
	// A Federated principal that differs from the provider ARN only in letter case: whether IAM matches it is
	// not documented. If that difference is all that stands in the way, warn instead of denying.
	if v, ok := s.caseVariantAdmits(allows); ok {
		d.add(Finding{Code: "ProviderCase", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("trust not verified: role %s trusts %q, which differs from the provider ARN %q only in "+
				"letter case; IAM may not match it: write it exactly", s.shortRole(), v, s.provider)})
		return
	}
	// 2. The action is web identity but the principal is not this cluster's provider.
	if st, ok := closest(allows, func(st iampolicy.StatementResult) bool { return st.ActionMatch }); ok {
		s.explainPrincipal(d, st)
		return
	}
	// 3. This cluster's provider, another action.
	if st, ok := closest(allows, func(st iampolicy.StatementResult) bool { return st.PrincipalMatch }); ok {
		s.deny(d, "ActionMismatch", fmt.Sprintf("%s trusts this cluster's provider for %s, not "+
			"sts:AssumeRoleWithWebIdentity; fix: set Action to sts:AssumeRoleWithWebIdentity", stmtName(st),
			strings.Join(s.actions(st.Index), ", ")), true)
		return
	}
	// 4. No statement is about web identity at all.
	s.explainNoWebIdentity(d, allows)
}

// closest returns the first statement passing keep with the fewest failed conditions.
func closest(sts []iampolicy.StatementResult, keep func(iampolicy.StatementResult) bool) (iampolicy.StatementResult, bool) {
	best, found, bestFailed := iampolicy.StatementResult{}, false, 0
	for _, st := range sts {
		if !keep(st) {
			continue
		}
		failed := 0
		for _, c := range st.Conditions {
			if c.Result == iampolicy.False {
				failed++
			}
		}
		if !found || failed < bestFailed {
			best, found, bestFailed = st, true, failed
		}
	}
	return best, found
}

func (s *subject) explainNoWebIdentity(d *Diagnosis, allows []iampolicy.StatementResult) {
	var actions, principals []string
	podIdentity := false
	for _, st := range allows {
		actions = append(actions, s.actions(st.Index)...)
		for typ, vals := range s.principals(st.Index) {
			for _, v := range vals {
				principals = append(principals, typ+" "+v)
				if typ == "Service" && v == "pods.eks.amazonaws.com" {
					podIdentity = true
				}
			}
		}
	}
	actions, principals = uniqSorted(actions), uniqSorted(principals)
	if podIdentity {
		s.deny(d, "PodIdentityTrust", "the role is set up for EKS Pod Identity (Service pods.eks.amazonaws.com), "+
			"not IRSA: no statement allows sts:AssumeRoleWithWebIdentity for this cluster's OIDC provider; fix: use a "+
			"Pod Identity association and drop the annotation, or add an IRSA statement", true)
		return
	}
	s.deny(d, "NotWebIdentity", fmt.Sprintf("it allows %s for %s, not sts:AssumeRoleWithWebIdentity; fix: add a "+
		"web-identity statement for Federated %s", strings.Join(actions, ", "), strings.Join(principals, ", "),
		s.provider), true)
}

func (s *subject) explainPrincipal(d *Diagnosis, st iampolicy.StatementResult) {
	fed := s.principals(st.Index)["Federated"]
	if len(fed) == 0 {
		var ps []string
		for typ, vals := range s.principals(st.Index) {
			for _, v := range vals {
				ps = append(ps, typ+" "+v)
			}
		}
		s.deny(d, "NotFederated", fmt.Sprintf("%s allows sts:AssumeRoleWithWebIdentity for %s, not Federated %s; "+
			"fix: make the principal {\"Federated\": %q}", stmtName(st), strings.Join(uniqSorted(ps), ", "),
			s.provider, s.provider), true)
		return
	}
	// Pick the most telling of the statement's Federated values.
	code, msg := "", ""
	best := -1
	for _, v := range fed {
		c, m, rank := s.comparePrincipal(v)
		if rank > best {
			code, msg, best = c, m, rank
		}
	}
	s.deny(d, code, fmt.Sprintf("%s %s", stmtName(st), msg), true)
}

// comparePrincipal explains how a Federated principal differs from the provider STS resolves the token against.
// The rank orders explanations by how much they say (a near miss beats an unrelated provider).
func (s *subject) comparePrincipal(v string) (code, msg string, rank int) {
	want := s.provider
	hostPath := s.prefix()
	if strings.EqualFold(v, want) {
		return "ProviderCase", fmt.Sprintf("trusts %q, which differs from the provider ARN only in letter case; fix: "+
			"write it exactly, %q", v, want), 6
	}
	if !strings.HasPrefix(v, "arn:") {
		if strings.EqualFold(strings.TrimSuffix(strings.TrimPrefix(v, "https://"), "/"), hostPath) {
			return "FederatedNotARN", fmt.Sprintf("names the issuer %q as its Federated principal, not the provider "+
				"ARN; fix: use %q", v, want), 5
		}
		return "ProviderMismatch", fmt.Sprintf("trusts Federated %q, not this cluster's provider; fix: use %q",
			v, want), 0
	}
	got, err := irsa.ParseProviderARN(v)
	if err != nil {
		return "ProviderMismatch", fmt.Sprintf("trusts Federated %q, which is not an OIDC provider ARN; fix: use %q",
			v, want), 0
	}
	sameHost := strings.EqualFold(got.HostPath, hostPath)
	switch {
	case sameHost && got.Partition != s.role.Partition:
		return "ProviderOtherPartition", fmt.Sprintf("trusts the provider in partition %s; fix: use %q",
			got.Partition, want), 4
	case sameHost && got.Account != s.role.Account:
		return "ProviderOtherAccount", fmt.Sprintf("trusts the provider in account %s, but STS uses the provider "+
			"in the role's own account %s; fix: use %q", got.Account, s.role.Account, want), 4
	}
	ours := s.engine.Cluster.Issuer
	gotRegion, gotID, ourRegion, ourID := got.EKSRegion, got.EKSID, ours.EKSRegion, ours.EKSID
	if got.IsEKS() && ours.IsEKS() {
		switch {
		case gotID == ourID && gotRegion != ourRegion:
			return "ProviderOtherRegion", fmt.Sprintf("trusts the provider of region %s, but this cluster is in %s; "+
				"fix: use %q", gotRegion, ourRegion, want), 3
		case gotID != ourID:
			return "ProviderOtherCluster", fmt.Sprintf("trusts another cluster's OIDC provider (ID %s, not %s); "+
				"fix: trust %q", gotID, ourID, want), 2
		}
	}
	return "ProviderMismatch", fmt.Sprintf("trusts provider %s, this cluster's is %s; fix: trust %q",
		got.HostPath, hostPath, want), 1
}

// explainConditions names the failed conditions of a statement whose principal and action match.
func (s *subject) explainConditions(d *Diagnosis, st iampolicy.StatementResult) {
	var reasons []string
	code := ""
	for _, c := range st.Conditions {
		if c.Result != iampolicy.False {
			continue
		}
		cc, why := s.explainCondition(c)
		if code == "" {
			code = cc
		}
		reasons = append(reasons, why)
	}
	if len(reasons) == 0 {
		// Not expected: a statement whose principal and action match fails only on conditions.
		reasons = append(reasons, "its conditions are not met")
		code = "ConditionNotMet"
	}
	msg := stmtName(st) + " " + reasons[0]
	if len(reasons) > 1 {
		msg += "; also " + strings.Join(reasons[1:], "; ")
	}
	// For a sub or aud defect, the statement that works is clear; for other conditions it is the user's call.
	fix := code != "ConditionNotMet" && code != "SubExcluded"
	s.deny(d, code, msg, fix)
}

// explainCondition explains one failed condition, naming the defect as an expert would.
func (s *subject) explainCondition(c iampolicy.ConditionResult) (code, why string) {
	op := baseOperator(c.Operator)
	switch s.classify(c.Key) {
	case keyOtherProvider:
		return "ConditionOtherProvider", fmt.Sprintf("tests %s, a key of another OIDC provider that this cluster's "+
			"tokens never carry; fix: use %s", c.Key, s.prefix()+c.Key[strings.LastIndex(c.Key, ":"):])
	case keySub:
		return s.explainSub(c, op)
	case keyAud:
		for _, v := range c.Values {
			if strings.HasPrefix(v, "system:serviceaccount:") {
				return "SubjectUnderAudKey", fmt.Sprintf("tests the subject %q under the :aud key, but the token's "+
					"aud is %q; fix: move it to %s:sub and set :aud to %q", v, s.audience, s.prefix(), s.audience)
			}
		}
		return "AudienceMismatch", fmt.Sprintf("expects aud %s (%s), the token's aud is %q; fix: set "+
			"eks.amazonaws.com/audience or the trust's :aud to match", quoteList(c.Values), c.Operator, s.audience)
	}
	return "ConditionNotMet", fmt.Sprintf("requires %s %s %s, which this request does not meet", c.Operator,
		s.shortKey(c.Key), quoteList(c.Values))
}

func (s *subject) explainSub(c iampolicy.ConditionResult, op string) (code, why string) {
	values := c.Values
	// A wildcard under an exact-match operator is taken literally.
	if op == "StringEquals" || op == "StringEqualsIgnoreCase" {
		for _, v := range values {
			if strings.ContainsAny(v, "*?") && iampolicy.MatchLike(v, s.sub, op == "StringEqualsIgnoreCase") {
				return "WildcardUnderStringEquals", fmt.Sprintf("tests sub with %s %q: %s takes '*' literally; "+
					"fix: use StringLike for the pattern", c.Operator, v, op)
			}
		}
	}
	// Whitespace inside or around the value.
	for _, v := range values {
		if strings.Join(strings.Fields(v), "") == s.sub && v != s.sub {
			return "SubWhitespace", fmt.Sprintf("expects sub %q, which has a stray space; fix: %q", v, s.sub)
		}
	}
	if strings.HasPrefix(op, "StringNot") || strings.HasPrefix(op, "ArnNot") {
		return "SubExcluded", fmt.Sprintf("excludes this subject with %s %s", c.Operator, quoteList(values))
	}
	// Closest subject value: same namespace or same name.
	for _, v := range values {
		ns, name, ok := irsa.ParseSubject(v)
		if !ok {
			continue
		}
		switch {
		case strings.EqualFold(ns, s.sa.Namespace) && strings.EqualFold(name, s.sa.Name):
			return "SubCase", fmt.Sprintf("expects sub %q, which differs only in case (%s compares case-sensitively); "+
				"fix: %q", v, c.Operator, s.sub)
		case ns != s.sa.Namespace && name == s.sa.Name:
			return "WrongNamespace", fmt.Sprintf("expects sub %q (namespace %s, not %s); fix the trust's sub or "+
				"install the service account in %s", v, ns, s.sa.Namespace, ns)
		}
	}
	for _, v := range values {
		ns, name, ok := irsa.ParseSubject(v)
		if ok && ns == s.sa.Namespace && name != s.sa.Name {
			return "WrongName", fmt.Sprintf("expects sub %q (name %s, not %s); fix the trust's sub or the service "+
				"account name", v, name, s.sa.Name)
		}
	}
	return "SubMismatch", fmt.Sprintf("expects sub %s (%s), the token's sub is %q; fix: add %q to the trust's sub "+
		"values", quoteList(values), c.Operator, s.sub, s.sub)
}

// advise adds the warnings for a trust that lets the subject in (or may): what is broad or unchecked.
func (s *subject) advise(d *Diagnosis, res *iampolicy.Result, includeUnknown bool) {
	noSub, broad, noAud, star := false, "", false, false
	for _, st := range res.Statements {
		if st.Effect != iampolicy.EffectAllow {
			continue
		}
		if st.Applies != iampolicy.True && !(includeUnknown && st.Applies == iampolicy.Unknown) {
			continue
		}
		if s.principalIsStar(st.Index) {
			star = true
		}
		hasSub, hasAud := false, false
		for _, c := range st.Conditions {
			op := baseOperator(c.Operator)
			if !restricts(op) {
				continue
			}
			switch s.classify(c.Key) {
			case keySub:
				hasSub = true
				if strings.HasPrefix(op, "StringLike") || strings.HasPrefix(op, "ArnLike") {
					for _, v := range c.Values {
						if strings.ContainsAny(v, "*?") && iampolicy.MatchLike(v, s.sub, false) && broad == "" {
							broad = v
						}
					}
				}
			case keyAud:
				hasAud = true
			}
		}
		noSub = noSub || !hasSub
		noAud = noAud || !hasAud
	}
	if star {
		d.add(Finding{Code: "PrincipalWildcard", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("role %s trusts Principal \"*\"; trust only this cluster's OIDC provider", s.shortRole())})
	}
	if noSub {
		d.add(Finding{Code: "NoSubCondition", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("role %s has no sub condition: any service account of this cluster can assume it; "+
				"add StringEquals %q: %q", s.shortRole(), s.prefix()+":sub", s.sub)})
	} else if broad != "" {
		d.add(Finding{Code: "BroadSubject", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("role %s trusts sub pattern %q, which admits many service accounts; if only this one "+
				"needs it, use StringEquals %q", s.shortRole(), broad, s.sub)})
	}
	if noAud {
		d.add(Finding{Code: "NoAudCondition", Severity: SeverityWarning, Field: roleField,
			Message: fmt.Sprintf("role %s has no aud condition; add StringEquals %q: %q", s.shortRole(),
				s.prefix()+":aud", s.audience)})
	}
}

// restricts reports whether an operator narrows who gets in (a positive string or ARN match).
func restricts(op string) bool {
	switch op {
	case "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike":
		return true
	}
	return false
}

// baseOperator strips the set qualifier and the IfExists suffix.
func baseOperator(op string) string {
	if i := strings.Index(op, ":"); i >= 0 {
		op = op[i+1:]
	}
	return strings.TrimSuffix(op, "IfExists")
}

// shortKey names this issuer's sub and aud keys by their claim; other keys stay as written.
func (s *subject) shortKey(key string) string {
	switch s.classify(key) {
	case keySub:
		return "sub"
	case keyAud:
		return "aud"
	}
	return key
}

func uniqSorted(in []string) []string {
	slices.Sort(in)
	return slices.Compact(in)
}

// actions returns the Action (or "not " NotAction) values of statement i.
func (s *subject) actions(i int) []string {
	st := &s.policy.Statements[i]
	if st.Action != nil {
		return st.Action
	}
	out := make([]string, 0, len(st.NotAction))
	for _, a := range st.NotAction {
		out = append(out, "everything but "+a)
	}
	return out
}

// principals returns the Principal values of statement i by type ("*" for the bare wildcard).
func (s *subject) principals(i int) map[string][]string {
	p := s.policy.Statements[i].Principal
	switch {
	case p == nil:
		return nil
	case p.Wildcard:
		return map[string][]string{"*": {"*"}}
	}
	return p.Values
}

func (s *subject) principalIsStar(i int) bool {
	p := s.policy.Statements[i].Principal
	return p != nil && (p.Wildcard || slices.Contains(p.Values["AWS"], "*"))
}

// caseVariantAdmits reports a Federated value of an Allow statement that equals the provider ARN but for letter
// case and with which, taken as the caller, the policy would let the subject in (or might).
func (s *subject) caseVariantAdmits(allows []iampolicy.StatementResult) (string, bool) {
	for _, st := range allows {
		if !st.ActionMatch || st.PrincipalMatch {
			continue
		}
		for _, v := range s.principals(st.Index)["Federated"] {
			if v == s.provider || !strings.EqualFold(v, s.provider) {
				continue
			}
			req := s.request()
			req.Principal = v
			if dec := iampolicy.Evaluate(s.policy, req).Decision; dec == iampolicy.Allow || dec == iampolicy.Undetermined {
				return v, true
			}
		}
	}
	return "", false
}
