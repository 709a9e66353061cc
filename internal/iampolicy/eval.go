package iampolicy

import (
	"slices"
	"sort"
	"strings"
)

// Request is the call being judged.
type Request struct {
	PrincipalType string // "Federated" for a web identity
	Principal     string // the provider ARN
	Action        string // "sts:AssumeRoleWithWebIdentity"
	Resource      string // the role ARN
	// Context holds the keys known now (names in any case) and their values. A key that is absent is known
	// to be absent from the call. A key with no values counts as absent too, except for the set operators,
	// which see an empty set (ForAllValues true, ForAnyValue false, also with IfExists).
	Context map[string][]string
	// Unknown reports keys whose value only exists at call time (it gets the key as written in the policy
	// and should compare case-insensitively). nil: none. Consulted only for keys not in Context.
	Unknown func(key string) bool
}

// Decision is the outcome of evaluating one policy.
type Decision int

// Decisions. Undetermined: the outcome depends on what only the call itself will show.
const (
	Allow Decision = iota + 1
	ImplicitDeny
	ExplicitDeny
	Undetermined
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ImplicitDeny:
		return "ImplicitDeny"
	case ExplicitDeny:
		return "ExplicitDeny"
	case Undetermined:
		return "Undetermined"
	}
	return "Decision(?)"
}

// Tri is a three-valued truth value.
type Tri int

// Truth values.
const (
	False Tri = iota
	True
	Unknown
)

func (t Tri) String() string {
	switch t {
	case False:
		return "false"
	case True:
		return "true"
	case Unknown:
		return "unknown"
	}
	return "Tri(?)"
}

func triOf(b bool) Tri {
	if b {
		return True
	}
	return False
}

func (t Tri) not() Tri {
	switch t {
	case True:
		return False
	case False:
		return True
	}
	return Unknown
}

func (t Tri) and(u Tri) Tri {
	switch {
	case t == False || u == False:
		return False
	case t == Unknown || u == Unknown:
		return Unknown
	}
	return True
}

func (t Tri) or(u Tri) Tri {
	switch {
	case t == True || u == True:
		return True
	case t == Unknown || u == Unknown:
		return Unknown
	}
	return False
}

// Result is the evaluation of one policy for one request.
type Result struct {
	Decision    Decision
	Statements  []StatementResult // one per statement, document order
	UnknownKeys []string          // condition keys that made any statement Unknown (sorted, deduplicated)
}

// StatementResult explains one statement.
type StatementResult struct {
	Index  int
	Sid    string
	Effect Effect

	Applies        Tri
	PrincipalMatch bool // the Principal element certainly covers the caller
	// PrincipalUnknown: whether the Principal element covers the caller is not documented (e.g.
	// {"AWS": "*"} for a web identity); Applies is then at best Unknown.
	PrincipalUnknown bool
	ActionMatch      bool
	Conditions       []ConditionResult // every (operator, key) pair, document order, all evaluated
	FirstMismatch    *Mismatch         // nil when Applies != False
}

// ConditionResult is the evaluation of one (operator, key) pair.
type ConditionResult struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLike"
	Key      string   // as written
	Values   []string // policy values as written (stringified)
	Result   Tri
}

// Mismatch names the first element that made a statement not apply: "Principal", "Action", "Resource" or
// "Condition" (then Condition points into the statement's Conditions).
type Mismatch struct {
	Element   string
	Condition *ConditionResult
}

// Evaluate evaluates p for req like IAM, with three-valued logic, and explains every statement. It is pure
// and does not short-circuit: every statement and every condition is evaluated.
//
// Decision (reference_policies_evaluation-logic.html: an explicit deny overrides any allow): a Deny
// statement that applies -> ExplicitDeny. Otherwise, if some Deny may apply: Undetermined when some Allow
// applies or may apply, else ImplicitDeny (refused either way). With no Deny that applies or may apply:
// Allow when some Allow applies, Undetermined when one may, else ImplicitDeny.
//
// A document with TrustProblems should not be evaluated; if it is, statements whose Effect is not exactly
// "Allow" or "Deny" count for neither, an unknown operator is Unknown, and a statement without Principal or
// NotPrincipal does not apply.
func Evaluate(p *Policy, req *Request) *Result {
	res := &Result{Decision: ImplicitDeny}
	if p == nil {
		return res
	}
	if req == nil {
		req = &Request{}
	}
	e := &evaluator{req: req, vars: p.VariablesEnabled()}
	res.Statements = make([]StatementResult, len(p.Statements))
	var unknownKeys []string
	allow, deny := False, False
	for i := range p.Statements {
		st := &p.Statements[i]
		sr := &res.Statements[i]
		keys := e.statement(i, st, sr)
		if sr.Applies == Unknown {
			unknownKeys = append(unknownKeys, keys...)
		}
		switch st.Effect {
		case EffectAllow:
			allow = allow.or(sr.Applies)
		case EffectDeny:
			deny = deny.or(sr.Applies)
		}
	}
	switch {
	case deny == True:
		res.Decision = ExplicitDeny
	case deny == Unknown && allow != False:
		res.Decision = Undetermined
	case deny == Unknown:
		res.Decision = ImplicitDeny
	case allow == True:
		res.Decision = Allow
	case allow == Unknown:
		res.Decision = Undetermined
	}
	res.UnknownKeys = dedupeFold(unknownKeys)
	return res
}

// dedupeFold sorts keys and drops those equal to an earlier one but for case (key names are
// case-insensitive); the first spelling in sort order is kept.
func dedupeFold(keys []string) []string {
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	seen := make(map[string]struct{}, len(keys))
	out := keys[:0]
	for _, k := range keys {
		l := strings.ToLower(k)
		if _, dup := seen[l]; dup {
			continue
		}
		seen[l] = struct{}{}
		out = append(out, k)
	}
	return out
}

type keyState uint8

const (
	keyAbsent keyState = iota
	keyEmpty           // in Context with no values: absent, except that set operators see an empty set
	keyPresent
	keyUnknown
)

type evaluator struct {
	req  *Request
	vars bool
}

// context looks a condition key up; key names are case-insensitive ("Context key names are not
// case-sensitive", reference_policies_elements_condition.html).
func (e *evaluator) context(key string) ([]string, keyState) {
	// Keys that differ only in case are one key: their values are merged.
	var vals, merged []string
	matches := 0
	for k, v := range e.req.Context {
		if !strings.EqualFold(k, key) {
			continue
		}
		matches++
		switch matches {
		case 1:
			vals = v
		case 2:
			merged = append(append(merged, vals...), v...)
		default:
			merged = append(merged, v...)
		}
	}
	if matches > 1 {
		vals = merged
	}
	found := matches > 0
	if found {
		if len(vals) == 0 {
			return nil, keyEmpty
		}
		return vals, keyPresent
	}
	if e.req.Unknown != nil && e.req.Unknown(key) {
		return nil, keyUnknown
	}
	return nil, keyAbsent
}

// statement fills sr and returns the keys that made a condition Unknown.
func (e *evaluator) statement(i int, st *Statement, sr *StatementResult) []string {
	sr.Index, sr.Sid, sr.Effect = i, st.Sid, st.Effect

	principal := False
	switch {
	case st.Principal != nil && st.NotPrincipal != nil:
		principal = e.principal(st.Principal).and(e.principal(st.NotPrincipal).not())
	case st.Principal != nil:
		principal = e.principal(st.Principal)
	case st.NotPrincipal != nil:
		principal = e.principal(st.NotPrincipal).not()
	}
	sr.PrincipalMatch, sr.PrincipalUnknown = principal == True, principal == Unknown

	action := False
	switch {
	case st.Action != nil && st.NotAction != nil:
		action = triOf(anyGlob(st.Action, e.req.Action, true) && !anyGlob(st.NotAction, e.req.Action, true))
	case st.Action != nil:
		action = triOf(anyGlob(st.Action, e.req.Action, true))
	case st.NotAction != nil:
		action = triOf(!anyGlob(st.NotAction, e.req.Action, true))
	}
	sr.ActionMatch = action == True

	var keys []string
	resource := True
	if st.Resource != nil {
		resource = e.resources(st.Resource, &keys)
	}
	if st.NotResource != nil {
		resource = resource.and(e.resources(st.NotResource, &keys).not())
	}

	applies := principal.and(action).and(resource)
	sr.Conditions = make([]ConditionResult, len(st.Conditions))
	var firstFalse *ConditionResult
	for j := range st.Conditions {
		c := &st.Conditions[j]
		cr := &sr.Conditions[j]
		var ckeys []string
		*cr = ConditionResult{Operator: c.Operator, Key: c.Key, Values: c.Values, Result: e.condition(c, &ckeys)}
		if cr.Result == Unknown {
			if len(ckeys) == 0 { // e.g. a value that cannot be parsed: the key itself is the culprit
				ckeys = append(ckeys, c.Key)
			}
			keys = append(keys, ckeys...)
		}
		if cr.Result == False && firstFalse == nil {
			firstFalse = cr
		}
		applies = applies.and(cr.Result)
	}
	sr.Applies = applies
	if applies == False {
		switch {
		case principal == False:
			sr.FirstMismatch = &Mismatch{Element: "Principal"}
		case action == False:
			sr.FirstMismatch = &Mismatch{Element: "Action"}
		case resource == False:
			sr.FirstMismatch = &Mismatch{Element: "Resource"}
		default:
			sr.FirstMismatch = &Mismatch{Element: "Condition", Condition: firstFalse}
		}
	}
	return keys
}

func anyGlob(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if globMatch(p, nil, s, fold) {
			return true
		}
	}
	return false
}

// principal reports whether a Principal element covers the caller. "*" covers everyone. A map covers the
// caller when the caller's type lists the caller exactly (Federated: the exact, case-sensitive provider
// ARN). {"AWS": "*"} covers every AWS principal; whether it also covers a web identity (or any non-AWS
// caller) is not settled by the IAM documentation, so it is Unknown. The same holds for a bare "*" under a
// non-AWS type.
func (e *evaluator) principal(pr *Principal) Tri {
	if pr.Wildcard {
		return True
	}
	out := False
	for _, v := range pr.Values[e.req.PrincipalType] {
		if v == e.req.Principal && v != "" {
			return True
		}
		if v == "*" {
			if e.req.PrincipalType == PrincipalAWS {
				return True
			}
			out = Unknown
		}
	}
	if e.req.PrincipalType != PrincipalAWS && slices.Contains(pr.Values[PrincipalAWS], "*") {
		out = Unknown
	}
	return out
}

// resources matches Resource/NotResource values: case-sensitive, with wildcards and (2012-10-17) variables;
// a value whose variable has no value matches no resource (reference_policies_variables).
func (e *evaluator) resources(vals []string, keys *[]string) Tri {
	out := False
	for _, v := range vals {
		r := e.resolve(v, true, keys)
		switch {
		case r.null:
		case r.unknown:
			out = out.or(Unknown)
		default:
			out = out.or(triOf(globMatch(r.text, r.lit, e.req.Resource, false)))
		}
	}
	return out
}

// condition evaluates one (operator, key) pair; keys collects the keys that made it Unknown.
func (e *evaluator) condition(c *Condition, keys *[]string) Tri {
	op, ok := parseOperator(c.Operator)
	if !ok {
		return Unknown // IAM refuses the document; TrustProblems reports it
	}
	vals, st := e.context(c.Key)
	if st == keyUnknown {
		*keys = append(*keys, c.Key)
		return Unknown
	}
	if op.base.kind == kindNull {
		// Null "true": the key must be absent; "false": it must be present
		// (reference_policies_elements_condition_operators.html#Conditions_Null).
		out := False
		for _, v := range c.Values {
			b, ok := parseBool(v)
			if !ok {
				out = out.or(Unknown)
				continue
			}
			out = out.or(triOf(b == (st != keyPresent)))
		}
		return out
	}
	if st != keyPresent {
		// "If the key that you specify in a policy condition is not present in the request context, the
		// values do not match and the condition is false. If the policy condition requires that the key is
		// not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition
		// is true." ...IfExists is true for an absent key; ForAllValues is true for an empty set and
		// ForAnyValue false (reference_policies_condition-single-vs-multi-valued-context-keys.html).
		switch op.qual {
		case qualAllValues:
			return True
		case qualAnyValue:
			if op.ifExists && st == keyAbsent {
				// Which of ForAnyValue (false) and IfExists (true) wins for an absent key is not documented.
				// A key present with an empty set is no absent key: "If the key values in the request
				// resolve to an empty data set ... ForAnyValue returns false".
				*keys = append(*keys, c.Key)
				return Unknown
			}
			return False
		}
		return triOf(op.ifExists || op.base.negated)
	}
	switch op.qual {
	case qualAnyValue:
		out := False
		for _, v := range vals {
			out = out.or(e.value(op.base, v, c.Values, keys))
		}
		return out
	case qualAllValues:
		out := True
		for _, v := range vals {
			out = out.and(e.value(op.base, v, c.Values, keys))
		}
		return out
	}
	if len(vals) == 1 {
		return e.value(op.base, vals[0], c.Values, keys)
	}
	// An unqualified operator on a key with several values: "Multivalued context keys require a condition
	// set operator" (reference_policies_condition-single-vs-multi-valued-context-keys.html) and IAM does not
	// document the result without one, so it is not known.
	*keys = append(*keys, c.Key)
	return Unknown
}

// value tests one context value against the policy values: ORed for positive operators, NORed for negated
// ones (reference_policies_elements_condition.html, "Multiple values for a single key").
func (e *evaluator) value(op baseOp, c string, policy []string, keys *[]string) Tri {
	out := False
	for _, p := range policy {
		out = out.or(e.compare(op, c, p, keys))
	}
	if op.negated {
		return out.not()
	}
	return out
}

// compare tests one context value against one policy value (before negation).
func (e *evaluator) compare(op baseOp, c, p string, keys *[]string) Tri {
	switch op.kind {
	case kindString, kindStringIgnoreCase, kindStringLike, kindArn:
		// Policy variables work with the string and ARN operators only (reference_policies_variables.html).
		glob := op.kind == kindStringLike || op.kind == kindArn
		r := e.resolve(p, glob, keys)
		switch {
		case r.null:
			return False
		case r.unknown:
			return Unknown
		}
		switch op.kind {
		case kindString:
			return triOf(c == r.text)
		case kindStringIgnoreCase:
			return triOf(strings.EqualFold(c, r.text))
		case kindStringLike:
			return triOf(globMatch(r.text, r.lit, c, false))
		default:
			return arnMatch(r.text, r.lit, c)
		}
	case kindNumeric:
		return numericMatch(c, p, op.rel)
	case kindDate:
		return dateMatch(c, p, op.rel)
	case kindBool:
		cb, ok1 := parseBool(c)
		pb, ok2 := parseBool(p)
		if !ok1 || !ok2 {
			return Unknown
		}
		return triOf(cb == pb)
	case kindBinary:
		return binaryEqual(c, p)
	case kindIP:
		return ipMatch(c, p)
	}
	return Unknown
}
