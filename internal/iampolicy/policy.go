package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Policy versions. A document without Version follows the 2008-10-17 rules (no policy variables).
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Principal types of the Principal element.
const (
	PrincipalAWS           = "AWS"
	PrincipalFederated     = "Federated"
	PrincipalService       = "Service"
	PrincipalCanonicalUser = "CanonicalUser"
)

// Effect is a statement's Effect as written. Only EffectAllow and EffectDeny are valid (case-sensitive).
type Effect string

// The two valid effects.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Policy is a parsed IAM policy document.
type Policy struct {
	Version    string // as written; "" when absent (2008-10-17 rules)
	ID         string // the Id element
	Statements []Statement

	hasVersion   bool
	hasStatement bool
	stmtObject   bool // Statement was a single object, not a list
}

// HasVersion reports whether the document has a Version element.
func (p *Policy) HasVersion() bool { return p.hasVersion || p.Version != "" }

// VariablesEnabled reports whether policy variables are resolved (Version 2012-10-17 only).
func (p *Policy) VariablesEnabled() bool { return p.Version == Version2012 }

// Statement is one statement. A nil slice or pointer means the element is absent; a present element is
// never nil (an empty list in the document is an empty, non-nil slice).
type Statement struct {
	Sid          string
	Effect       Effect // as written; "" when absent
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Conditions   []Condition // every (operator, key) pair in document order

	hasEffect bool
}

// HasEffect reports whether the statement has an Effect element.
func (s *Statement) HasEffect() bool { return s.hasEffect || s.Effect != "" }

// Principal is a Principal or NotPrincipal element: "*" or a map of principal type to values.
type Principal struct {
	Wildcard bool                // the bare string "*"
	Values   map[string][]string // principal type ("AWS", "Federated", ...) -> values as written
}

// Condition is one key test of a Condition block: operator -> key -> values.
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLike"
	Key      string   // as written
	Values   []string // as written; numbers keep their text, bools are "true"/"false"
}

// SyntaxError is a malformed policy document. Path names the offending element, e.g.
// `Statement[1].Condition.StringEquals["k"]`; it is empty for errors about the whole document.
type SyntaxError struct {
	Path string
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Path == "" {
		return "policy: " + e.Msg
	}
	return "policy: " + e.Path + ": " + e.Msg
}

// maxDepth bounds JSON nesting; a policy never needs more than 6 levels.
const maxDepth = 32

// Parse parses a policy document: JSON, or the URL-encoded JSON that iam:GetRole returns (detected by a
// leading '%'). It returns a *SyntaxError for any malformed document and never panics.
//
// Choices (each pinned by a test): duplicate keys in one JSON object are refused (IAM's behaviour is not
// documented and either reading could be wrong); data after the document is refused; null is refused
// wherever a value is expected; unknown top-level and statement elements are refused (element names are
// case-sensitive); an empty Statement list parses (TrustProblems reports it).
func Parse(doc []byte) (*Policy, error) {
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) == 0 {
		return nil, &SyntaxError{Msg: "empty document"}
	}
	if trimmed[0] == '%' {
		dec, err := percentDecode(trimmed)
		if err != nil {
			return nil, err
		}
		trimmed = bytes.TrimSpace(dec)
		if len(trimmed) == 0 {
			return nil, &SyntaxError{Msg: "empty document (after URL decoding)"}
		}
	}
	root, err := readJSON(trimmed)
	if err != nil {
		return nil, err
	}
	return buildPolicy(root)
}

// percentDecode decodes %XX escapes. Unlike form decoding, '+' stays '+'.
func percentDecode(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+2 >= len(b) {
			return nil, &SyntaxError{Msg: fmt.Sprintf("bad URL encoding at offset %d: truncated %%-escape", i)}
		}
		hi, ok1 := unhex(b[i+1])
		lo, ok2 := unhex(b[i+2])
		if !ok1 || !ok2 {
			return nil, &SyntaxError{Msg: fmt.Sprintf("bad URL encoding at offset %d: %q is not a %%-escape", i, b[i:i+3])}
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// JSON tree that keeps object member order (conditions are reported in document order).

type jkind uint8

const (
	jString jkind = iota
	jNumber
	jBool
	jNull
	jObject
	jArray
)

type jnode struct {
	kind jkind
	text string // string value, number text, "true"/"false"
	obj  []jmember
	arr  []jnode
}

type jmember struct {
	key string
	val jnode
}

func (k jkind) String() string {
	switch k {
	case jString:
		return "a string"
	case jNumber:
		return "a number"
	case jBool:
		return "a bool"
	case jNull:
		return "null"
	case jObject:
		return "an object"
	default:
		return "a list"
	}
}

func readJSON(b []byte) (jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	root, err := readValue(dec, "", 0, styleNormal)
	if err != nil {
		return jnode{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return jnode{}, &SyntaxError{Msg: fmt.Sprintf("unexpected data after the document at offset %d", dec.InputOffset())}
	}
	return root, nil
}

func jsonErr(dec *json.Decoder, path string, err error) error {
	msg := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = fmt.Sprintf("invalid JSON at offset %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	} else if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "invalid JSON: unexpected end of document"
	} else {
		msg = fmt.Sprintf("invalid JSON at offset %d: %s", dec.InputOffset(), strings.TrimPrefix(msg, "json: "))
	}
	return &SyntaxError{Path: path, Msg: msg}
}

// memberStyle says how an object's member keys are written in error paths: condition keys (members of an
// operator block) as ["key"], everything else as .Name when it is a plain name.
type memberStyle uint8

const (
	styleNormal    memberStyle = iota
	styleCondition             // members are operators
	styleOperator              // members are condition keys
)

func readValue(dec *json.Decoder, path string, depth int, style memberStyle) (jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return jnode{}, jsonErr(dec, path, err)
	}
	return readFrom(dec, tok, path, depth, style)
}

func readFrom(dec *json.Decoder, tok json.Token, path string, depth int, style memberStyle) (jnode, error) {
	switch t := tok.(type) {
	case string:
		return jnode{kind: jString, text: t}, nil
	case json.Number:
		return jnode{kind: jNumber, text: string(t)}, nil
	case bool:
		return jnode{kind: jBool, text: strconv.FormatBool(t)}, nil
	case nil:
		return jnode{kind: jNull}, nil
	case json.Delim:
		if depth >= maxDepth {
			return jnode{}, &SyntaxError{Path: path, Msg: fmt.Sprintf("nested deeper than %d levels", maxDepth)}
		}
		if t == '[' {
			n := jnode{kind: jArray}
			for i := 0; ; i++ {
				tok, err := dec.Token()
				if err != nil {
					return jnode{}, jsonErr(dec, path, err)
				}
				if d, ok := tok.(json.Delim); ok && d == ']' {
					if n.arr == nil {
						n.arr = []jnode{}
					}
					return n, nil
				}
				v, err := readFrom(dec, tok, fmt.Sprintf("%s[%d]", path, i), depth+1, styleNormal)
				if err != nil {
					return jnode{}, err
				}
				n.arr = append(n.arr, v)
			}
		}
		// '{'
		n := jnode{kind: jObject}
		var seen map[string]struct{}
		for {
			tok, err := dec.Token()
			if err != nil {
				return jnode{}, jsonErr(dec, path, err)
			}
			if d, ok := tok.(json.Delim); ok && d == '}' {
				return n, nil
			}
			key, ok := tok.(string)
			if !ok { // the decoder guarantees string keys; keep the check so a change cannot panic
				return jnode{}, &SyntaxError{Path: path, Msg: "object key is not a string"}
			}
			if seen == nil {
				seen = make(map[string]struct{}, 4)
			}
			mpath, child := joinKey(path, key), styleNormal
			switch {
			case style == styleOperator:
				mpath = keyPath(path, key)
			case style == styleCondition:
				child = styleOperator
			case key == "Condition":
				child = styleCondition
			}
			if _, dup := seen[key]; dup {
				return jnode{}, &SyntaxError{Path: mpath, Msg: "duplicate key (IAM's reading of duplicates is undocumented)"}
			}
			seen[key] = struct{}{}
			v, err := readValue(dec, mpath, depth+1, child)
			if err != nil {
				return jnode{}, err
			}
			n.obj = append(n.obj, jmember{key: key, val: v})
		}
	}
	return jnode{}, &SyntaxError{Path: path, Msg: fmt.Sprintf("unexpected JSON token %v", tok)}
}

// joinKey appends an object key to a path: `.Name` for element-like names, `["key"]` otherwise.
func joinKey(path, key string) string {
	if isSimpleName(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func isSimpleName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func keyPath(path, key string) string { return path + "[" + strconv.Quote(key) + "]" }

func buildPolicy(root jnode) (*Policy, error) {
	if root.kind != jObject {
		return nil, &SyntaxError{Msg: fmt.Sprintf("the document must be a JSON object, not %s", root.kind)}
	}
	p := &Policy{}
	for _, m := range root.obj {
		switch m.key {
		case "Version":
			s, err := str(m.val, "Version")
			if err != nil {
				return nil, err
			}
			p.Version, p.hasVersion = s, true
		case "Id":
			s, err := str(m.val, "Id")
			if err != nil {
				return nil, err
			}
			p.ID = s
		case "Statement":
			p.hasStatement = true
			switch m.val.kind {
			case jObject:
				p.stmtObject = true
				st, err := buildStatement(m.val, "Statement")
				if err != nil {
					return nil, err
				}
				p.Statements = []Statement{st}
			case jArray:
				p.Statements = make([]Statement, 0, len(m.val.arr))
				for i, el := range m.val.arr {
					path := fmt.Sprintf("Statement[%d]", i)
					if el.kind != jObject {
						return nil, &SyntaxError{Path: path, Msg: fmt.Sprintf("a statement must be an object, not %s", el.kind)}
					}
					st, err := buildStatement(el, path)
					if err != nil {
						return nil, err
					}
					p.Statements = append(p.Statements, st)
				}
			default:
				return nil, &SyntaxError{Path: "Statement", Msg: fmt.Sprintf("must be an object or a list of objects, not %s", m.val.kind)}
			}
		default:
			return nil, &SyntaxError{Path: joinKey("", m.key), Msg: "unknown policy element" + hint(m.key, "Version", "Id", "Statement")}
		}
	}
	return p, nil
}

// hint suggests the valid name a misspelled or mis-cased element name was probably meant to be.
func hint(got string, valid ...string) string {
	for _, v := range valid {
		if strings.EqualFold(got, v) || strings.EqualFold(strings.TrimSpace(got), v) {
			return fmt.Sprintf(" (element names are case-sensitive; did you mean %q?)", v)
		}
	}
	return ""
}

func str(n jnode, path string) (string, error) {
	if n.kind != jString {
		return "", &SyntaxError{Path: path, Msg: fmt.Sprintf("must be a string, not %s", n.kind)}
	}
	return n.text, nil
}

// strList reads a string or a list of strings.
func strList(n jnode, path string) ([]string, error) {
	switch n.kind {
	case jString:
		return []string{n.text}, nil
	case jArray:
		out := make([]string, 0, len(n.arr))
		for i, el := range n.arr {
			if el.kind != jString {
				return nil, &SyntaxError{Path: fmt.Sprintf("%s[%d]", path, i), Msg: fmt.Sprintf("must be a string, not %s", el.kind)}
			}
			out = append(out, el.text)
		}
		return out, nil
	}
	return nil, &SyntaxError{Path: path, Msg: fmt.Sprintf("must be a string or a list of strings, not %s", n.kind)}
}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

func buildStatement(n jnode, path string) (Statement, error) {
	var st Statement
	for _, m := range n.obj {
		mpath := path + "." + m.key
		var err error
		switch m.key {
		case "Sid":
			st.Sid, err = str(m.val, mpath)
		case "Effect":
			var s string
			s, err = str(m.val, mpath)
			st.Effect, st.hasEffect = Effect(s), true
		case "Principal":
			st.Principal, err = buildPrincipal(m.val, mpath)
		case "NotPrincipal":
			st.NotPrincipal, err = buildPrincipal(m.val, mpath)
		case "Action":
			st.Action, err = strList(m.val, mpath)
		case "NotAction":
			st.NotAction, err = strList(m.val, mpath)
		case "Resource":
			st.Resource, err = strList(m.val, mpath)
		case "NotResource":
			st.NotResource, err = strList(m.val, mpath)
		case "Condition":
			st.Conditions, err = buildConditions(m.val, mpath)
		default:
			err = &SyntaxError{Path: joinKey(path, m.key), Msg: "unknown statement element" + hint(m.key, statementElements...)}
		}
		if err != nil {
			return Statement{}, err
		}
	}
	return st, nil
}

var principalTypes = []string{PrincipalAWS, PrincipalFederated, PrincipalService, PrincipalCanonicalUser}

func buildPrincipal(n jnode, path string) (*Principal, error) {
	switch n.kind {
	case jString:
		if n.text == "*" {
			return &Principal{Wildcard: true}, nil
		}
		return nil, &SyntaxError{Path: path, Msg: `must be "*" or an object such as {"Federated": "<provider ARN>"}`}
	case jObject:
		pr := &Principal{Values: make(map[string][]string, len(n.obj))}
		for _, m := range n.obj {
			mpath := joinKey(path, m.key)
			known := false
			for _, t := range principalTypes {
				if m.key == t {
					known = true
				}
			}
			if !known {
				return nil, &SyntaxError{Path: mpath, Msg: "unknown principal type (want AWS, Federated, Service or CanonicalUser)" + hint(m.key, principalTypes...)}
			}
			vals, err := strList(m.val, mpath)
			if err != nil {
				return nil, err
			}
			pr.Values[m.key] = vals
		}
		return pr, nil
	}
	return nil, &SyntaxError{Path: path, Msg: fmt.Sprintf(`must be "*" or an object, not %s`, n.kind)}
}

const condValueMsg = "value must be a string, number, bool or a list of them"

func buildConditions(n jnode, path string) ([]Condition, error) {
	if n.kind != jObject {
		return nil, &SyntaxError{Path: path, Msg: fmt.Sprintf("must be an object of operator -> key -> values, not %s", n.kind)}
	}
	out := []Condition{}
	for _, op := range n.obj {
		opPath := joinKey(path, op.key)
		if op.val.kind != jObject {
			return nil, &SyntaxError{Path: opPath, Msg: fmt.Sprintf("must be an object of key -> values, not %s", op.val.kind)}
		}
		seen := make(map[string]string, len(op.val.obj))
		for _, k := range op.val.obj {
			kPath := keyPath(opPath, k.key)
			// Condition key names are case-insensitive, so "X:sub" and "x:SUB" in one block are one key written
			// twice, which IAM does not document (as exact duplicates, which the JSON reader refuses).
			if first, dup := seen[strings.ToLower(k.key)]; dup {
				return nil, &SyntaxError{Path: kPath, Msg: fmt.Sprintf("the same condition key as %q (key names are case-insensitive)", first)}
			}
			seen[strings.ToLower(k.key)] = k.key
			var vals []string
			switch k.val.kind {
			case jString, jNumber, jBool:
				vals = []string{k.val.text}
			case jArray:
				vals = make([]string, 0, len(k.val.arr))
				for i, el := range k.val.arr {
					switch el.kind {
					case jString, jNumber, jBool:
						vals = append(vals, el.text)
					default:
						return nil, &SyntaxError{Path: fmt.Sprintf("%s[%d]", kPath, i), Msg: condValueMsg}
					}
				}
			default:
				return nil, &SyntaxError{Path: kPath, Msg: condValueMsg}
			}
			out = append(out, Condition{Operator: op.key, Key: k.key, Values: vals})
		}
	}
	return out, nil
}
