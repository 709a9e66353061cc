package irsa

import "strings"

// subjectPrefix starts the sub claim of every ServiceAccount token.
const subjectPrefix = "system:serviceaccount:"

// Subject returns the sub claim of a token issued to the ServiceAccount namespace/name:
// "system:serviceaccount:<namespace>:<name>".
func Subject(namespace, name string) string {
	return subjectPrefix + namespace + ":" + name
}

// ParseSubject splits a sub value of the form "system:serviceaccount:<namespace>:<name>", as written in
// a trust policy, into its namespace and name. It reports ok=false when s does not have that form (wrong
// prefix, a part missing or empty, or an extra ':'). The parts are not otherwise validated, so a
// pattern such as "system:serviceaccount:team-*:app" or a name with a stray space still splits: this is
// for diagnosing what a policy expects, not for deciding whether it matches.
func ParseSubject(s string) (namespace, name string, ok bool) {
	rest, found := strings.CutPrefix(s, subjectPrefix)
	if !found {
		return "", "", false
	}
	namespace, name, found = strings.Cut(rest, ":")
	if !found || namespace == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return namespace, name, true
}
