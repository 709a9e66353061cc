package iampolicy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MatchLike reports whether s matches an IAM StringLike pattern: '*' matches any run of characters (including
// ':' and '/'), '?' exactly one. fold compares case-insensitively.
func MatchLike(pattern, s string, fold bool) bool { return globMatch(pattern, nil, s, fold) }

// globMatch reports whether s matches pattern pat, where '*' matches any run of characters (including ':'
// and '/') and '?' exactly one character. lit, when non-nil, marks byte positions of pat that are literal
// even though they hold '*' or '?' (the ${*} and ${?} escapes). fold compares case-insensitively.
// Runs in O(len(pat)*len(s)) at worst: one backtrack point, no recursion.
func globMatch(pat string, lit []bool, s string, fold bool) bool {
	if lit == nil && strings.IndexAny(pat, "*?") < 0 { // no wildcard: a plain comparison
		if !fold {
			return pat == s
		}
		if eq, ascii := asciiEqualFold(pat, s); ascii {
			return eq
		}
	}
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for px < len(pat) || sx < len(s) {
		if px < len(pat) {
			pc, pw := utf8.DecodeRuneInString(pat[px:])
			special := lit == nil || !lit[px]
			switch {
			case pc == '*' && special:
				starPx, starSx = px, sx
				px += pw
				continue
			case pc == '?' && special:
				if sx < len(s) {
					_, sw := utf8.DecodeRuneInString(s[sx:])
					px += pw
					sx += sw
					continue
				}
			default:
				if sx < len(s) {
					sc, sw := utf8.DecodeRuneInString(s[sx:])
					if pat[px:px+pw] == s[sx:sx+sw] || fold && pc != utf8.RuneError && equalFoldRune(pc, sc) {
						px += pw
						sx += sw
						continue
					}
				}
			}
		}
		if starPx >= 0 && starSx < len(s) {
			_, sw := utf8.DecodeRuneInString(s[starSx:])
			starSx += sw
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

// asciiEqualFold compares two ASCII strings case-insensitively; ascii is false when either is not ASCII.
func asciiEqualFold(a, b string) (eq, ascii bool) {
	if len(a) != len(b) {
		return false, isASCII(a) && isASCII(b)
	}
	eq = true
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x|y >= utf8.RuneSelf {
			return false, false
		}
		if x != y && lower(x) != lower(y) {
			eq = false
		}
	}
	return eq, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFoldRune(a, b rune) bool {
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// arnMatch compares the six colon-separated ARN parts separately, each with '*' and '?' wildcards, the way
// ArnLike and ArnEquals do (the resource part, the sixth, may itself contain ':'). A value that is not a
// six-part ARN cannot be compared the way IAM would: Unknown.
func arnMatch(pat string, lit []bool, s string) Tri {
	pp, ok1 := arnParts(pat)
	sp, ok2 := arnParts(s)
	if !ok1 || !ok2 {
		return Unknown
	}
	for i := range 6 {
		var l []bool
		if lit != nil {
			l = lit[pp[i][0]:pp[i][1]]
		}
		if !globMatch(pat[pp[i][0]:pp[i][1]], l, s[sp[i][0]:sp[i][1]], false) {
			return False
		}
	}
	return True
}

// arnParts returns the [start,end) byte ranges of the six ARN parts.
func arnParts(s string) ([6][2]int, bool) {
	var parts [6][2]int
	start := 0
	for i := range 5 {
		j := strings.IndexByte(s[start:], ':')
		if j < 0 {
			return parts, false
		}
		parts[i] = [2]int{start, start + j}
		start += j + 1
	}
	parts[5] = [2]int{start, len(s)}
	return parts, true
}

// parseNumber accepts decimal numbers only (no hex, inf or nan).
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789+-.eE", rune(s[i])) {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z0700",
	"20060102T150405Z",
	"20060102",
}

// parseDate accepts ISO 8601 / RFC 3339 forms (UTC when no zone is given) and epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	allDigits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			allDigits = false
			break
		}
	}
	if allDigits && len(s) != 8 { // 8 digits is the basic date form YYYYMMDD
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func parseBinary(s string) ([]byte, bool) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}

func binaryEqual(c, p string) Tri {
	cb, ok1 := parseBinary(c)
	pb, ok2 := parseBinary(p)
	if !ok1 || !ok2 {
		return Unknown
	}
	return triOf(bytes.Equal(cb, pb))
}

// parsePrefix accepts a CIDR block or a single address.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

func ipMatch(c, p string) Tri {
	pre, ok := parsePrefix(p)
	addr, err := netip.ParseAddr(c)
	if !ok || err != nil {
		return Unknown
	}
	return triOf(pre.Contains(addr.Unmap().WithZone("")))
}

func compareRel(c int, rel cmpRel) bool {
	switch rel {
	case relLT:
		return c < 0
	case relLE:
		return c <= 0
	case relGT:
		return c > 0
	case relGE:
		return c >= 0
	default:
		return c == 0
	}
}

func numericMatch(c, p string, rel cmpRel) Tri {
	cf, ok1 := parseNumber(c)
	pf, ok2 := parseNumber(p)
	if !ok1 || !ok2 {
		return Unknown
	}
	cmp := 0
	switch {
	case cf < pf:
		cmp = -1
	case cf > pf:
		cmp = 1
	}
	return triOf(compareRel(cmp, rel))
}

func dateMatch(c, p string, rel cmpRel) Tri {
	ct, ok1 := parseDate(c)
	pt, ok2 := parseDate(p)
	if !ok1 || !ok2 {
		return Unknown
	}
	return triOf(compareRel(ct.Compare(pt), rel))
}
