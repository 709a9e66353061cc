package iampolicy

import (
	"fmt"
	"strconv"
)

// Problem is one thing IAM would refuse in a role trust policy.
type Problem struct {
	Path string // e.g. "Statement[0].Effect"
	Msg  string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Msg
	}
	return p.Path + ": " + p.Msg
}

// TrustProblems reports every reason IAM would refuse this document as a role trust policy (it does not stop
// at the first). A non-empty result means the document cannot exist on a role: report it, do not evaluate.
//
// Effect values and condition operator names are case-sensitive in IAM ("The Effect value is case
// sensitive", reference_policies_elements_effect.html; CreateRole answers MalformedPolicyDocument
// "Invalid Condition type : stringEquals" for a mis-cased operator).
func (p *Policy) TrustProblems() []Problem {
	var out []Problem
	add := func(path, format string, args ...any) {
		out = append(out, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if p.HasVersion() && p.Version != Version2012 && p.Version != Version2008 {
		add("Version", "must be %q or %q, not %q", Version2012, Version2008, p.Version)
	}
	switch {
	case !p.hasStatement && len(p.Statements) == 0:
		add("Statement", "is required")
	case len(p.Statements) == 0:
		add("Statement", "must contain at least one statement")
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		path := p.statementPath(i)
		switch {
		case !st.HasEffect():
			add(path+".Effect", `is required ("Allow" or "Deny")`)
		case st.Effect != EffectAllow && st.Effect != EffectDeny:
			add(path+".Effect", `must be "Allow" or "Deny" (case-sensitive), not %q`, string(st.Effect))
		}
		switch {
		case st.Action != nil && st.NotAction != nil:
			add(path+".NotAction", "cannot be used together with Action")
		case st.Action == nil && st.NotAction == nil:
			add(path+".Action", "is required (or NotAction)")
		case st.Action != nil && len(st.Action) == 0:
			add(path+".Action", "must name at least one action")
		case st.NotAction != nil && len(st.NotAction) == 0:
			add(path+".NotAction", "must name at least one action")
		}
		if st.Resource != nil {
			add(path+".Resource", "is not allowed in a trust policy")
		}
		if st.NotResource != nil {
			add(path+".NotResource", "is not allowed in a trust policy")
		}
		if st.NotPrincipal != nil {
			add(path+".NotPrincipal", "is not allowed in a trust policy; use Principal")
		} else if st.Principal == nil {
			add(path+".Principal", "is required in a trust policy")
		}
		if st.Principal != nil && !st.Principal.Wildcard {
			if len(st.Principal.Values) == 0 {
				add(path+".Principal", "must name at least one principal")
			}
			for _, t := range principalTypes {
				if v, ok := st.Principal.Values[t]; ok && len(v) == 0 {
					add(path+".Principal."+t, "must name at least one principal")
				}
			}
		}
		var badOps map[string]bool
		for _, c := range st.Conditions {
			cpath := joinKey(path+".Condition", c.Operator)
			if _, ok := parseOperator(c.Operator); !ok && !badOps[c.Operator] {
				if badOps == nil {
					badOps = map[string]bool{}
				}
				badOps[c.Operator] = true
				msg := "unknown condition operator"
				if s := suggestOperator(c.Operator); s != "" && s != c.Operator {
					if _, ok := parseOperator(s); ok {
						msg += fmt.Sprintf(" (operator names are case-sensitive; did you mean %q?)", s)
					}
				}
				add(cpath, "%s", msg)
			}
			if len(c.Values) == 0 {
				add(keyPath(cpath, c.Key), "must have at least one value")
			}
		}
	}
	return out
}

func (p *Policy) statementPath(i int) string {
	if p.stmtObject {
		return "Statement"
	}
	return "Statement[" + strconv.Itoa(i) + "]"
}
