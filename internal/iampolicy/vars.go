package iampolicy

import (
	"strings"
)

// resolved is a policy value after policy-variable substitution.
type resolved struct {
	text string
	lit  []bool // byte positions of text that are literal even when '*' or '?'; nil when none
	// null: a variable had no value and no default. IAM: "the value is effectively null. There is no equal
	// or like value" -- positive operators do not match, inverted operators do (reference_policies_variables,
	// "Policy variables with no value").
	null bool
	// unknown: a variable's key only has a value at call time (or has several values, which IAM does not
	// substitute), so the value is not known now.
	unknown bool
}

// resolve substitutes ${key}, ${key, 'default'} and the escapes ${*}, ${?}, ${$} in v. Variables are only
// resolved under Version 2012-10-17; otherwise they are literal text. glob says the value is a wildcard
// pattern: a substituted value containing '*' or '?' is then Unknown, because IAM does not document whether
// substituted text is matched literally.
func (e *evaluator) resolve(v string, glob bool, keys *[]string) resolved {
	if !e.vars || !strings.Contains(v, "${") {
		return resolved{text: v}
	}
	var b strings.Builder
	var lit []bool
	var r resolved
	appendText := func(s string, literal bool) {
		if literal && lit == nil {
			lit = make([]bool, b.Len(), b.Len()+len(s)+8)
		}
		b.WriteString(s)
		if lit != nil {
			for range len(s) {
				lit = append(lit, literal)
			}
		}
	}
	i := 0
	for i < len(v) {
		j := strings.Index(v[i:], "${")
		if j < 0 {
			appendText(v[i:], false)
			break
		}
		appendText(v[i:i+j], false)
		start := i + j
		end, key, def, hasDef, ok := scanVariable(v, start+2)
		if !ok { // not a well-formed variable: literal text
			appendText("${", false)
			i = start + 2
			continue
		}
		i = end
		if !hasDef {
			switch key {
			case "*", "?", "$":
				appendText(key, true)
				continue
			}
		}
		vals, st := e.context(key)
		switch {
		case st == keyPresent && len(vals) == 1:
			if glob && strings.ContainsAny(vals[0], "*?") {
				r.unknown = true
				*keys = append(*keys, key)
			}
			appendText(vals[0], true)
		case st == keyPresent:
			// A multivalued key cannot be a policy variable (reference_policies_condition-single-vs-multi-
			// valued-context-keys); what IAM substitutes then is undocumented.
			r.unknown = true
			*keys = append(*keys, key)
		case st == keyUnknown:
			r.unknown = true
			*keys = append(*keys, key)
		case hasDef:
			if glob && strings.ContainsAny(def, "*?") {
				r.unknown = true
				*keys = append(*keys, key)
			}
			appendText(def, true)
		default:
			r.null = true
		}
	}
	r.text, r.lit = b.String(), lit
	return r
}

// scanVariable parses the inside of a ${...} starting at p (just after "${"). It returns the index after the
// closing brace, the trimmed key, and the default value (with ” unescaped to ') when one is given.
func scanVariable(v string, p int) (end int, key, def string, hasDef, ok bool) {
	i := p
	for i < len(v) && v[i] != '}' && v[i] != ',' {
		i++
	}
	if i >= len(v) {
		return 0, "", "", false, false
	}
	key = strings.TrimSpace(v[p:i])
	if key == "" || strings.ContainsAny(key, " \t${'") && key != "$" {
		return 0, "", "", false, false
	}
	if v[i] == '}' {
		return i + 1, key, "", false, true
	}
	// ", 'default'"
	i++
	for i < len(v) && v[i] == ' ' {
		i++
	}
	if i >= len(v) || v[i] != '\'' {
		return 0, "", "", false, false
	}
	i++
	var d strings.Builder
	for {
		if i >= len(v) {
			return 0, "", "", false, false
		}
		if v[i] == '\'' {
			if i+1 < len(v) && v[i+1] == '\'' {
				d.WriteByte('\'')
				i += 2
				continue
			}
			i++
			break
		}
		d.WriteByte(v[i])
		i++
	}
	for i < len(v) && v[i] == ' ' {
		i++
	}
	if i >= len(v) || v[i] != '}' {
		return 0, "", "", false, false
	}
	return i + 1, key, d.String(), true, true
}
