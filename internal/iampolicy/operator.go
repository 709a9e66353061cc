package iampolicy

import "strings"

// opKind is the comparison family of a base condition operator.
type opKind uint8

const (
	kindString opKind = iota + 1
	kindStringIgnoreCase
	kindStringLike
	kindNumeric
	kindDate
	kindBool
	kindBinary
	kindIP
	kindArn
	kindNull
)

// cmpRel is the relation a numeric or date operator tests (context value REL policy value).
type cmpRel uint8

const (
	relEq cmpRel = iota
	relLT
	relLE
	relGT
	relGE
)

type baseOp struct {
	kind    opKind
	negated bool // NOR over the policy values (StringNotEquals, NotIpAddress, ...)
	rel     cmpRel
}

// baseOps are the condition operators IAM knows. Names are case-sensitive: IAM refuses "stringEquals" with
// MalformedPolicyDocument "Invalid Condition type : stringEquals".
var baseOps = map[string]baseOp{
	"StringEquals":              {kind: kindString},
	"StringNotEquals":           {kind: kindString, negated: true},
	"StringEqualsIgnoreCase":    {kind: kindStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {kind: kindStringIgnoreCase, negated: true},
	"StringLike":                {kind: kindStringLike},
	"StringNotLike":             {kind: kindStringLike, negated: true},
	"NumericEquals":             {kind: kindNumeric, rel: relEq},
	"NumericNotEquals":          {kind: kindNumeric, rel: relEq, negated: true},
	"NumericLessThan":           {kind: kindNumeric, rel: relLT},
	"NumericLessThanEquals":     {kind: kindNumeric, rel: relLE},
	"NumericGreaterThan":        {kind: kindNumeric, rel: relGT},
	"NumericGreaterThanEquals":  {kind: kindNumeric, rel: relGE},
	"DateEquals":                {kind: kindDate, rel: relEq},
	"DateNotEquals":             {kind: kindDate, rel: relEq, negated: true},
	"DateLessThan":              {kind: kindDate, rel: relLT},
	"DateLessThanEquals":        {kind: kindDate, rel: relLE},
	"DateGreaterThan":           {kind: kindDate, rel: relGT},
	"DateGreaterThanEquals":     {kind: kindDate, rel: relGE},
	"Bool":                      {kind: kindBool},
	"BinaryEquals":              {kind: kindBinary},
	"IpAddress":                 {kind: kindIP},
	"NotIpAddress":              {kind: kindIP, negated: true},
	// ArnEquals and ArnLike behave the same in IAM (both compare the six ARN parts with wildcards).
	"ArnEquals":    {kind: kindArn},
	"ArnLike":      {kind: kindArn},
	"ArnNotEquals": {kind: kindArn, negated: true},
	"ArnNotLike":   {kind: kindArn, negated: true},
	"Null":         {kind: kindNull},
}

type qualifier uint8

const (
	qualNone qualifier = iota
	qualAnyValue
	qualAllValues
)

// operator is a parsed condition operator name such as "ForAllValues:StringLikeIfExists".
type operator struct {
	base     baseOp
	name     string // base name without qualifier and IfExists
	qual     qualifier
	ifExists bool
}

const (
	prefixAnyValue  = "ForAnyValue:"
	prefixAllValues = "ForAllValues:"
	suffixIfExists  = "IfExists"
)

// parseOperator parses an operator name; ok is false for a name IAM would refuse.
func parseOperator(s string) (operator, bool) {
	var op operator
	switch {
	case strings.HasPrefix(s, prefixAnyValue):
		op.qual, s = qualAnyValue, s[len(prefixAnyValue):]
	case strings.HasPrefix(s, prefixAllValues):
		op.qual, s = qualAllValues, s[len(prefixAllValues):]
	}
	b, ok := baseOps[s]
	if !ok && strings.HasSuffix(s, suffixIfExists) {
		s = s[:len(s)-len(suffixIfExists)]
		b, ok = baseOps[s]
		op.ifExists = true
	}
	if !ok {
		return operator{}, false
	}
	if b.kind == kindNull && (op.ifExists || op.qual != qualNone) {
		// Null tests presence itself; IAM has no NullIfExists, and a set qualifier makes no sense on it.
		return operator{}, false
	}
	op.base, op.name = b, s
	return op, true
}

// suggestOperator returns the canonical spelling of a mis-cased operator name, or "".
func suggestOperator(s string) string {
	prefix := ""
	for _, p := range []string{prefixAnyValue, prefixAllValues} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			prefix, s = p, s[len(p):]
			break
		}
	}
	suffix := ""
	if len(s) > len(suffixIfExists) && strings.EqualFold(s[len(s)-len(suffixIfExists):], suffixIfExists) {
		if _, ok := lookupFold(s); !ok {
			suffix, s = suffixIfExists, s[:len(s)-len(suffixIfExists)]
		}
	}
	name, ok := lookupFold(s)
	if !ok {
		return ""
	}
	return prefix + name + suffix
}

func lookupFold(s string) (string, bool) {
	for name := range baseOps {
		if strings.EqualFold(name, s) {
			return name, true
		}
	}
	return "", false
}
