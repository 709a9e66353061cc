package irsa

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IAM limits on role names and paths (CreateRole).
const (
	maxRoleNameLen = 64
	maxPathLen     = 512
)

// RoleARN is a parsed IAM role ARN: arn:<Partition>:iam::<Account>:role<Path><Name>.
type RoleARN struct {
	Partition string // "aws", "aws-cn", ...
	Account   string // 12 digits
	Path      string // "/" or "/team/app/": starts and ends with "/"
	Name      string // the role name, what iam:GetRole takes
}

// String returns the ARN in its canonical form; for a RoleARN returned by ParseRoleARN it is the parsed
// value, byte for byte.
func (r RoleARN) String() string {
	return "arn:" + r.Partition + ":iam::" + r.Account + ":role" + r.Path + r.Name
}

// RoleName returns the role's name: the last segment of the resource, without the path. It is what
// iam:GetRole takes.
func (r RoleARN) RoleName() string { return r.Name }

// ARNError reports why a value is not a usable ARN. Problems lists every problem found, each worded for
// the person who wrote the value, in the order they appear in it.
type ARNError struct {
	Value    string
	Problems []string
	// RegionOnly: the one problem is a region in the ARN. IAM ARNs have none, but whether STS refuses such a
	// role ARN is not documented, so callers warn rather than deny; Role is the ARN without the region.
	RegionOnly bool
	Role       RoleARN
}

// Error joins the problems on one line.
func (e *ARNError) Error() string { return strings.Join(e.Problems, "; ") }

// ParseRoleARN parses the value of the role-arn annotation. It accepts exactly the ARNs of IAM roles:
// a known partition, service iam, an empty region, a 12-digit account and a resource role/<path...>/<name>
// where the name uses IAM's role-name characters (letters, digits and _+=,.@-, 1 to 64 of them) and the
// path IAM's path characters (printable ASCII without space, 512 at most including the slashes).
// On failure it returns a *ARNError listing every problem.
func ParseRoleARN(s string) (RoleARN, error) {
	var p problems
	f, ok := splitARN(s, &p, "role/NAME")
	if !ok {
		return RoleARN{}, p.err(s)
	}
	var r RoleARN
	r.Partition, r.Account = f.partition, f.account
	typ, rest, hasSlash := strings.Cut(f.resource, "/")
	switch {
	case f.resource == "":
		p.add("the resource is empty; expected role/NAME after the account ID")
	case typ == "role" && hasSlash:
		r.Path, r.Name = parseRoleResource(rest, &p)
	case typ == "role":
		p.add(`the resource "role" has no role name; expected role/NAME`)
	case f.service == "sts" && typ == "assumed-role":
		// The service problem already says so and names the role ARN to use.
	default:
		p.add(wrongResourceType(typ, f.resource, "role"))
	}
	if len(p) == 1 && f.region != "" && strings.HasPrefix(p[0], "the region must be empty") {
		return RoleARN{}, &ARNError{Value: s, Problems: p, RegionOnly: true, Role: r}
	}
	if len(p) > 0 {
		return RoleARN{}, p.err(s)
	}
	return r, nil
}

// parseRoleResource checks rest, the resource after "role/", and splits it into path and name.
func parseRoleResource(rest string, p *problems) (path, name string) {
	if i := indexFoldASCII(rest, "arn:"); i >= 0 {
		p.add(fmt.Sprintf("the role name contains another ARN (%s); the annotation takes one role ARN",
			quote(rest[i:], 80)))
		return "", ""
	}
	if rest == "" {
		p.add("the role name is empty; expected role/NAME")
		return "", ""
	}
	i := strings.LastIndexByte(rest, '/')
	name = rest[i+1:]
	path = "/" + rest[:i+1] // i == -1 gives "/"
	checkRoleName(name, p)
	checkPath(path, p)
	return path, name
}

func checkRoleName(name string, p *problems) {
	if name == "" {
		p.add(`the role name is empty (the ARN ends with "/")`)
		return
	}
	var bad []rune
	switch {
	case name[0] == ' ':
		p.add(fmt.Sprintf("the role name %s starts with a space", quote(name, 70)))
		bad = badRunes(strings.TrimLeft(name, " "), isRoleNameRune)
	default:
		bad = badRunes(name, isRoleNameRune)
	}
	if len(bad) > 0 {
		p.add(fmt.Sprintf("the role name %s contains %s, which IAM does not allow in role names",
			quote(name, 70), describeRunes(bad)))
	}
	if n := utf8.RuneCountInString(name); n > maxRoleNameLen {
		p.add(fmt.Sprintf("the role name is longer than %d characters (%d)", maxRoleNameLen, n))
	}
}

func checkPath(path string, p *problems) {
	if path == "/" {
		return
	}
	if strings.Contains(path, "//") {
		p.add(fmt.Sprintf(`the role path %s has an empty segment ("//")`, quote(path, 40)))
	}
	if bad := badRunes(path, isPathRune); len(bad) > 0 {
		p.add(fmt.Sprintf("the role path %s contains %s, which IAM does not allow in paths",
			quote(path, 40), describeRunes(bad)))
	}
	if n := len(path); n > maxPathLen {
		p.add(fmt.Sprintf("the role path is longer than %d characters (%d)", maxPathLen, n))
	}
}

// isRoleNameRune reports whether IAM allows r in a role name: [\w+=,.@-] (ASCII \w).
func isRoleNameRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("_+=,.@-", r)
}

// isPathRune reports whether IAM allows r in a path: printable ASCII from '!' to '~'. A backslash is
// allowed by IAM but reported on its own (see splitARN), so it is not listed twice.
func isPathRune(r rune) bool { return r >= '!' && r <= '~' }

// arnFields are the six colon-separated fields of an ARN.
type arnFields struct {
	partition, service, region, account, resource string
}

// splitARN checks everything of an IAM ARN but its resource, adding problems to p. It returns
// ok=false when s is not split into fields at all (too few colons), in which case p says why.
// example is the resource form to suggest ("role/NAME").
func splitARN(s string, p *problems, example string) (arnFields, bool) {
	if s == "" {
		p.add("the value is empty; expected arn:aws:iam::ACCOUNT:" + example)
		return arnFields{}, false
	}
	v := s
	if t := strings.TrimSpace(s); t != s {
		p.add("has leading/trailing whitespace")
		if t == "" {
			return arnFields{}, false
		}
		v = t
	}
	if strings.ContainsRune(v, '\\') {
		p.add(`contains a backslash (an escaped string pasted verbatim?)`)
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) < 6 {
		switch {
		case len(parts) == 1 && !strings.Contains(v, "/") && len(badRunes(v, isRoleNameRune)) == 0 && example == "role/NAME":
			p.add(fmt.Sprintf("%s is a role name, not an ARN; use arn:aws:iam::ACCOUNT:role/%s", quote(v, 64), v))
		case len(parts) == 1:
			p.add(fmt.Sprintf("%s is not an ARN; expected arn:aws:iam::ACCOUNT:%s", quote(v, 40), example))
		default:
			p.add(fmt.Sprintf("%s has %d colon-separated fields, an ARN has 6 (a missing \":\"?); expected arn:aws:iam::ACCOUNT:%s",
				quote(v, 40), len(parts), example))
		}
		return arnFields{}, false
	}
	f := arnFields{partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts[5]}
	switch {
	case parts[0] == "arn":
	case strings.EqualFold(parts[0], "arn"):
		p.add(fmt.Sprintf(`starts with %q; ARNs start with lower-case "arn:"`, parts[0]+":"))
	default:
		p.add(fmt.Sprintf(`%s does not start with "arn:"`, quote(v, 12)))
	}
	switch {
	case f.partition == "":
		p.add("the partition is empty; expected one of " + strings.Join(Partitions(), ", "))
	case !KnownPartition(f.partition):
		msg := fmt.Sprintf("unknown partition %s", quote(f.partition, 20))
		if n := nearestPartition(f.partition); n != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", n)
		}
		p.add(msg)
	}
	switch {
	case f.service == "iam":
	case f.service == "sts":
		p.add(fmt.Sprintf(`the service is "sts", not "iam" (an assumed-role ARN? use the role's ARN %s)`, roleARNHint(f)))
	case strings.EqualFold(f.service, "iam"):
		p.add(fmt.Sprintf(`the service is %q; IAM ARNs use lower-case "iam"`, f.service))
	case f.service == "":
		p.add(`the service is empty, not "iam"`)
	default:
		p.add(fmt.Sprintf(`the service is %s, not "iam"`, quote(f.service, 20)))
	}
	if f.region != "" {
		p.add(fmt.Sprintf("the region must be empty in an IAM ARN (found %s)", quote(f.region, 20)))
	}
	checkAccount(f.account, p)
	return f, true
}

// roleARNHint suggests the role ARN behind an assumed-role ARN
// (arn:aws:sts::ACCT:assumed-role/NAME/SESSION), filling in what is known.
func roleARNHint(f arnFields) string {
	partition, account, name := "aws", "ACCOUNT", "NAME"
	if KnownPartition(f.partition) {
		partition = f.partition
	}
	if isAccountID(f.account) {
		account = f.account
	}
	if rest, ok := strings.CutPrefix(f.resource, "assumed-role/"); ok {
		if n, _, _ := strings.Cut(rest, "/"); n != "" && len(badRunes(n, isRoleNameRune)) == 0 {
			name = n
		}
	}
	return "arn:" + partition + ":iam::" + account + ":role/" + name
}

func checkAccount(account string, p *problems) {
	if isAccountID(account) {
		return
	}
	if account == "" {
		p.add("the account ID is empty; expected 12 digits")
		return
	}
	msg := fmt.Sprintf("the account ID %s is not 12 digits", quote(account, 20))
	if allDigits(account) {
		msg += fmt.Sprintf(" (it has %d)", len(account))
	} else if looksLikePlaceholder(account) {
		msg += " (still a placeholder?)"
	}
	p.add(msg)
}

func isAccountID(s string) bool { return len(s) == 12 && allDigits(s) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// looksLikePlaceholder reports whether an account field looks like template text rather than a typo:
// letters (xxxx, ACCOUNT_ID), braces, angle brackets or a dollar sign.
func looksLikePlaceholder(s string) bool {
	return strings.ContainsAny(s, "<>{}$") || strings.IndexFunc(s, func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}) >= 0
}

// wrongResourceType words the problem of an ARN whose resource type is typ where want was expected.
func wrongResourceType(typ, resource, want string) string {
	switch {
	case strings.EqualFold(typ, want):
		return fmt.Sprintf("the resource type is %q; IAM expects lower-case %q", typ, want+"/")
	case typ == "user":
		return "names an IAM user, not " + wantNoun(want)
	case typ == "group":
		return "names an IAM group, not " + wantNoun(want)
	case typ == "assumed-role":
		return "names an assumed-role session, not " + wantNoun(want)
	case typ == "instance-profile":
		return "names an instance profile, not " + wantNoun(want)
	case typ == "policy":
		return "names a managed policy, not " + wantNoun(want)
	case typ == "role":
		return "names an IAM role, not " + wantNoun(want)
	case typ == "oidc-provider":
		return "names an OIDC provider, not " + wantNoun(want)
	case typ == "saml-provider":
		return "names a SAML provider, not " + wantNoun(want)
	case typ == want+"s":
		return fmt.Sprintf("the resource type is %q, not %q", typ, want)
	default:
		return fmt.Sprintf("the resource %s does not start with %q", quote(resource, 30), want+"/")
	}
}

// wantNoun names the expected resource type with its article: "a role", "an OIDC provider".
func wantNoun(want string) string {
	if want == "oidc-provider" {
		return "an OIDC provider"
	}
	return "a " + want
}

// indexFoldASCII returns the byte index of the first match of the ASCII string sub in s, ignoring the
// case of ASCII letters, or -1. Unlike strings.ToLower it keeps byte offsets of invalid UTF-8 intact.
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// problems collects user-facing problem descriptions.
type problems []string

func (p *problems) add(msg string) { *p = append(*p, msg) }

func (p problems) err(value string) error {
	return &ARNError{Value: value, Problems: p}
}

// badRunes returns the distinct runes of s that ok rejects, in order of first appearance, leaving out
// the backslash (reported on its own). Invalid UTF-8 shows as U+FFFD.
func badRunes(s string, ok func(rune) bool) []rune {
	var bad []rune
	for _, r := range s {
		if r == '\\' || ok(r) || slices.Contains(bad, r) {
			continue
		}
		bad = append(bad, r)
	}
	return bad
}

// describeRunes words a list of characters: `a space, ":" and "*"`. At most five are named.
func describeRunes(rs []rune) string {
	const maxNamed = 5
	var names []string
	for i, r := range rs {
		if i == maxNamed {
			names = append(names, fmt.Sprintf("%d more", len(rs)-maxNamed))
			break
		}
		switch r {
		case ' ':
			names = append(names, "a space")
		case '\t':
			names = append(names, "a tab")
		default:
			names = append(names, strconv.QuoteRune(r))
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// quote returns s as a Go-quoted string (so control characters cannot break the line), cut to at most
// max runes with "..." when longer.
func quote(s string, max int) string {
	if utf8.RuneCountInString(s) > max {
		i, n := 0, 0
		for i = range s {
			if n == max {
				break
			}
			n++
		}
		return strconv.Quote(s[:i] + "...")
	}
	return strconv.Quote(s)
}
