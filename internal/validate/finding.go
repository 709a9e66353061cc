// Package validate turns a role's trust policy, the cluster's identity and a ServiceAccount into a verdict and
// findings, and hosts the admission validators that ask for it. It owns every sentence a user reads.
package validate

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Verdict is the outcome for one object.
type Verdict string

const (
	// Allow: the setup works and nothing is risky.
	Allow Verdict = "allow"
	// Warn: IAM would (or might) let the ServiceAccount in, but something is risky or could not be verified.
	Warn Verdict = "warn"
	// Deny: IAM would certainly refuse sts:AssumeRoleWithWebIdentity.
	Deny Verdict = "deny"
)

// Severity says whether a finding denies or only warns.
type Severity string

const (
	// SeverityError findings make the verdict Deny.
	SeverityError Severity = "error"
	// SeverityWarning findings make the verdict Warn.
	SeverityWarning Severity = "warning"
)

// Finding is one defect or risk, worded for the user.
type Finding struct {
	// Code is a stable identifier (for metrics, JSON output and tests), e.g. "WrongNamespace".
	Code string `json:"code"`
	// Severity is error (denies) or warning.
	Severity Severity `json:"severity"`
	// Field is the path of the object field the finding is about, e.g.
	// metadata.annotations[eks.amazonaws.com/role-arn].
	Field string `json:"field"`
	// Message says what failed and how to fix it, without the field path.
	Message string `json:"message"`
	// Fix, when a fix is clear, is a trust-policy statement that would make the setup work.
	Fix string `json:"fix,omitempty"`
	// Invalid, for an error about a malformed value, is that value: the finding then reads like Kubernetes'
	// "Invalid value" field errors.
	Invalid string `json:"-"`
}

// String renders the finding as a user reads it: for errors in the shape of a Kubernetes field error
// ("<field>: Forbidden: <message>"), for warnings "<field>: <message>" (kubectl adds "Warning:").
func (f Finding) String() string {
	switch {
	case f.Severity == SeverityError && f.Invalid != "":
		return fmt.Sprintf("%s: Invalid value: %q: %s", f.Field, truncate(f.Invalid, maxValue), f.Message)
	case f.Severity == SeverityError:
		return f.Field + ": Forbidden: " + f.Message
	}
	return f.Field + ": " + f.Message
}

// Diagnosis is the engine's answer for one object.
type Diagnosis struct {
	Verdict  Verdict   `json:"verdict"`
	Findings []Finding `json:"findings"`
	// RoleARN is the annotated role, when there is one.
	RoleARN string `json:"-"`
}

func (d *Diagnosis) add(f Finding) {
	d.Findings = append(d.Findings, f)
}

// finish derives the verdict from the findings.
func (d *Diagnosis) finish() {
	d.Verdict = Allow
	for _, f := range d.Findings {
		switch f.Severity {
		case SeverityError:
			d.Verdict = Deny
			return
		case SeverityWarning:
			d.Verdict = Warn
		}
	}
}

// Errors returns the denial findings.
func (d Diagnosis) Errors() []Finding { return d.filter(SeverityError) }

// Warnings returns the warning findings.
func (d Diagnosis) Warnings() []Finding { return d.filter(SeverityWarning) }

func (d Diagnosis) filter(s Severity) []Finding {
	var out []Finding
	for _, f := range d.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// DenialMessage joins the denial findings on one line, as the API server, Argo CD and Flux show it.
func (d Diagnosis) DenialMessage() string {
	errs := d.Errors()
	parts := make([]string, 0, len(errs))
	for _, f := range errs {
		parts = append(parts, f.String())
	}
	return strings.Join(parts, "; ")
}

// WarningMessages renders the warnings, one string each.
func (d Diagnosis) WarningMessages() []string {
	ws := d.Warnings()
	out := make([]string, 0, len(ws))
	for _, f := range ws {
		out = append(out, f.String())
	}
	return out
}

// maxValue bounds a value echoed in a message, so a hostile or mistaken annotation cannot blow up the one line.
const maxValue = 160

// truncate cuts s to at most n bytes on a UTF-8 boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
