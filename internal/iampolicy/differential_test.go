package iampolicy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/irsa-guard/irsa-guard/internal/iampolicy"
)

// The differential test replays the answers of an independent evaluator, @cloud-copilot/iam-simulate,
// recorded by hack/oracle (see its README to regenerate). It needs no npm: only the recorded file.

const diffVectorsPath = "testdata/differential/vectors.json"

// diffMinVectors keeps the corpus from shrinking silently.
const diffMinVectors = 300

// diffOperators are the base condition operators every regeneration must keep exercising.
var diffOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
	"Null",
}

// diffForms are the ways an operator is written; every operator but Null must appear in each.
var diffForms = []string{"plain", "IfExists", "ForAnyValue", "ForAllValues"}

// diffShapes are the request shapes (vector "covers" labels) every operator but Null must meet.
var diffShapes = []string{"single", "multi", "absent"}

var diffShapeWords = map[string]string{"single": "single-valued", "multi": "multivalued", "absent": "absent"}

type diffFile struct {
	Oracle  string       `json:"oracle"`
	Vectors []diffVector `json:"vectors"`
}

type diffVector struct {
	ID       string          `json:"id"`
	Covers   []string        `json:"covers"`
	Policy   json.RawMessage `json:"policy"`
	Request  diffRequest     `json:"request"`
	Oracle   string          `json:"oracle"`
	Expected string          `json:"expected"`
	Note     string          `json:"note"`
}

type diffRequest struct {
	PrincipalType string              `json:"principalType"`
	Principal     string              `json:"principal"`
	Action        string              `json:"action"`
	Resource      string              `json:"resource"`
	Context       map[string][]string `json:"context"`
}

var diffDecisions = map[iampolicy.Decision]string{
	iampolicy.Allow:        "Allow",
	iampolicy.ImplicitDeny: "ImplicitDeny",
	iampolicy.ExplicitDeny: "ExplicitDeny",
}

func loadDiffVectors(t *testing.T) diffFile {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(diffVectorsPath))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var f diffFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("decode %s: %v", diffVectorsPath, err)
	}
	return f
}

// evalVector returns the decision name for one vector, or a description of what went wrong.
func evalVector(v diffVector) (got string) {
	defer func() {
		if r := recover(); r != nil {
			got = fmt.Sprintf("panic: %v", r)
		}
	}()
	p, err := iampolicy.Parse(v.Policy)
	if err != nil {
		return fmt.Sprintf("parse error: %v", err)
	}
	res := iampolicy.Evaluate(p, &iampolicy.Request{
		PrincipalType: v.Request.PrincipalType,
		Principal:     v.Request.Principal,
		Action:        v.Request.Action,
		Resource:      v.Request.Resource,
		Context:       v.Request.Context,
	})
	if res == nil {
		return "nil result"
	}
	if res.Decision == iampolicy.Undetermined {
		// With Unknown nil every key is known, so Undetermined only stands where the docs leave the answer
		// open; such vectors expect it and carry a note saying why (the corpus test enforces the note).
		return "Undetermined"
	}
	name, ok := diffDecisions[res.Decision]
	if !ok {
		return fmt.Sprintf("Decision(%d)", res.Decision)
	}
	return name
}

func TestDifferential(t *testing.T) {
	t.Parallel()
	f := loadDiffVectors(t)
	var mismatches []string
	ran := 0
	for _, v := range f.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			ran++
			got := evalVector(v)
			if got != v.Expected {
				msg := fmt.Sprintf("%s: expected %s, got %s (oracle %s)", v.ID, v.Expected, got, v.Oracle)
				mismatches = append(mismatches, msg)
				var policy bytes.Buffer
				if err := json.Compact(&policy, v.Policy); err != nil {
					policy.Write(v.Policy)
				}
				t.Errorf("%s\npolicy: %s\ncontext: %v", msg, policy.Bytes(), v.Request.Context)
			}
		})
	}
	if len(mismatches) > 0 {
		t.Errorf("%d of %d vectors run disagree with %s (replayed from %s):\n%s",
			len(mismatches), ran, f.Oracle, diffVectorsPath, strings.Join(mismatches, "\n"))
	}
}

// TestDifferentialCorpus guards the corpus itself: its size, its coverage and its explanations.
func TestDifferentialCorpus(t *testing.T) {
	t.Parallel()
	f := loadDiffVectors(t)
	if !strings.HasPrefix(f.Oracle, "@cloud-copilot/iam-simulate@") {
		t.Errorf("oracle = %q, want @cloud-copilot/iam-simulate@<version>", f.Oracle)
	}
	if len(f.Vectors) < diffMinVectors {
		t.Errorf("%d vectors, want at least %d", len(f.Vectors), diffMinVectors)
	}

	valid := []string{"Allow", "ImplicitDeny", "ExplicitDeny"}
	ids := map[string]bool{}
	forms := map[string]map[string]bool{}  // base operator -> qualifier forms written in some policy
	shapes := map[string]map[string]bool{} // base operator -> context shapes met (from covers)
	for _, name := range diffOperators {
		forms[name], shapes[name] = map[string]bool{}, map[string]bool{}
	}
	for _, v := range f.Vectors {
		if v.ID == "" || ids[v.ID] {
			t.Errorf("vector id %q is empty or repeated", v.ID)
		}
		ids[v.ID] = true
		if !slices.Contains(valid, v.Oracle) || !(slices.Contains(valid, v.Expected) || v.Expected == "Undetermined") {
			t.Errorf("%s: oracle %q / expected %q, want one of %v (expected may also be Undetermined)", v.ID, v.Oracle, v.Expected, valid)
		}
		if v.Expected != v.Oracle && strings.TrimSpace(v.Note) == "" {
			t.Errorf("%s: expected %s differs from oracle %s without a note", v.ID, v.Expected, v.Oracle)
		}
		ops, err := diffConditionOperators(v.Policy)
		if err != nil {
			t.Errorf("%s: %v", v.ID, err)
		}
		for _, op := range ops {
			base, form := diffSplitOperator(op)
			if forms[base] == nil {
				continue
			}
			forms[base][form] = true
			for _, c := range v.Covers {
				shapes[base][c] = true
			}
		}
	}
	for _, name := range diffOperators {
		want := diffForms
		wantShapes := diffShapes
		if name == "Null" {
			want, wantShapes = []string{"plain"}, []string{"single", "absent"}
		}
		for _, form := range want {
			if !forms[name][form] {
				t.Errorf("no vector writes %s in form %s", name, form)
			}
		}
		for _, s := range wantShapes {
			if !shapes[name][s] {
				t.Errorf("no vector tests %s with a context key that is %s", name, diffShapeWords[s])
			}
		}
	}
}

// diffConditionOperators lists the condition operators written in a policy document, read from the JSON itself
// (not from the package under test) so that coverage is measured independently.
func diffConditionOperators(doc json.RawMessage) ([]string, error) {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	type statement struct {
		Condition map[string]json.RawMessage
	}
	var list []statement
	if err := json.Unmarshal(p.Statement, &list); err != nil {
		var one statement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
		list = []statement{one}
	}
	var ops []string
	for _, st := range list {
		for op := range st.Condition {
			ops = append(ops, op)
		}
	}
	return ops, nil
}

// diffSplitOperator splits "ForAllValues:StringLikeIfExists" into ("StringLike", "ForAllValues"). A set
// qualifier wins over IfExists when both are written.
func diffSplitOperator(op string) (base, form string) {
	form = "plain"
	for _, q := range []string{"ForAnyValue", "ForAllValues"} {
		if rest, ok := strings.CutPrefix(op, q+":"); ok {
			op, form = rest, q
		}
	}
	if rest, ok := strings.CutSuffix(op, "IfExists"); ok {
		op = rest
		if form == "plain" {
			form = "IfExists"
		}
	}
	return op, form
}
