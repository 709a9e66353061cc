package irsa

import (
	"reflect"
	"testing"
)

func TestCheckAnnotations(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:iam::111122223333:role/x"
	warn := func(key, msg string) AnnotationProblem { return AnnotationProblem{key, SeverityWarning, msg} }
	fail := func(key, msg string) AnnotationProblem { return AnnotationProblem{key, SeverityError, msg} }
	tests := map[string]struct {
		ann  map[string]string
		want []AnnotationProblem
	}{
		"none":            {nil, nil},
		"correct minimal": {map[string]string{RoleARNAnnotation: arn}, nil},
		"correct full": {map[string]string{
			RoleARNAnnotation: arn, AudienceAnnotation: "internal-gateway",
			STSRegionalEndpointsAnnotation: "true", TokenExpirationAnnotation: "86400",
			"meta.helm.sh/release-name": "x", "eks.amazonaws.com/skip-containers": "sidecar",
		}, nil},
		"role-arn value is not checked here": {map[string]string{RoleARNAnnotation: "not an arn"}, nil},
		"upper-case domain": {map[string]string{"EKS.amazonaws.com/role-arn": arn},
			[]AnnotationProblem{warn("EKS.amazonaws.com/role-arn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (letter case differs)`)}},
		"upper-case name": {map[string]string{"eks.amazonaws.com/Role-ARN": arn},
			[]AnnotationProblem{warn("eks.amazonaws.com/Role-ARN", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (letter case differs)`)}},
		"leading space": {map[string]string{" eks.amazonaws.com/role-arn": arn},
			[]AnnotationProblem{warn(" eks.amazonaws.com/role-arn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (stray whitespace)`)}},
		"space after slash": {map[string]string{"eks.amazonaws.com/ role-arn": arn},
			[]AnnotationProblem{warn("eks.amazonaws.com/ role-arn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (stray whitespace)`)}},
		"amazon.com domain": {map[string]string{"eks.amazon.com/role-arn": arn},
			[]AnnotationProblem{warn("eks.amazon.com/role-arn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (domain "eks.amazon.com")`)}},
		"underscore": {map[string]string{"eks.amazonaws.com/role_arn": arn},
			[]AnnotationProblem{warn("eks.amazonaws.com/role_arn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? ("_" instead of "-")`)}},
		"rolearn": {map[string]string{"eks.amazonaws.com/rolearn": arn},
			[]AnnotationProblem{warn("eks.amazonaws.com/rolearn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (misspelled)`)}},
		"role": {map[string]string{"eks.amazonaws.com/role": arn},
			[]AnnotationProblem{warn("eks.amazonaws.com/role", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (misspelled)`)}},
		"camel case roleArn": {map[string]string{"eks.amazonaws.com/roleArn": arn},
			[]AnnotationProblem{warn("eks.amazonaws.com/roleArn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (misspelled)`)}},
		"typo in domain": {map[string]string{"eks.amazonaw.com/role-arn": arn},
			[]AnnotationProblem{warn("eks.amazonaw.com/role-arn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (domain "eks.amazonaw.com")`)}},
		"typo audience": {map[string]string{RoleARNAnnotation: arn, "eks.amazonaws.com/audiance": "sts.amazonaws.com"},
			[]AnnotationProblem{warn("eks.amazonaws.com/audiance", `IRSA ignores this key; did you mean "eks.amazonaws.com/audience"? (misspelled)`)}},
		"transposition": {map[string]string{"eks.amazonaws.com/token-exipration": "3600"},
			[]AnnotationProblem{warn("eks.amazonaws.com/token-exipration", `IRSA ignores this key; did you mean "eks.amazonaws.com/token-expiration"? (misspelled)`)}},
		"singular sts-regional-endpoint": {map[string]string{"eks.amazonaws.com/sts-regional-endpoint": "true"},
			[]AnnotationProblem{warn("eks.amazonaws.com/sts-regional-endpoint", `IRSA ignores this key; did you mean "eks.amazonaws.com/sts-regional-endpoints"? (misspelled)`)}},
		"kiam alone": {map[string]string{"iam.amazonaws.com/role": "my-role"},
			[]AnnotationProblem{warn("iam.amazonaws.com/role", "kiam/kube2iam's annotation, which IRSA ignores; IRSA reads eks.amazonaws.com/role-arn")}},
		"kiam beside role-arn": {map[string]string{"iam.amazonaws.com/role": "my-role", RoleARNAnnotation: arn},
			[]AnnotationProblem{warn("iam.amazonaws.com/role", "kiam/kube2iam's annotation; IRSA ignores it and uses eks.amazonaws.com/role-arn")}},
		"iam domain with role-arn": {map[string]string{"iam.amazonaws.com/role-arn": arn},
			[]AnnotationProblem{warn("iam.amazonaws.com/role-arn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (domain "iam.amazonaws.com")`)}},
		"unrelated keys": {map[string]string{"eks.amazonaws.com/compute-type": "fargate", "app.kubernetes.io/name": "x",
			"kubernetes.io/enforce-mountable-secrets": "true", "iam.amazonaws.com/permitted": ".*", "norole": "x"}, nil},
		"audience empty": {map[string]string{AudienceAnnotation: ""},
			[]AnnotationProblem{warn(AudienceAnnotation, "is empty: the token's audience would likely be the API server's own, which STS rejects")}},
		"audience with space": {map[string]string{AudienceAnnotation: " sts.amazonaws.com"},
			[]AnnotationProblem{warn(AudienceAnnotation, `has leading/trailing whitespace: the token's aud would be " sts.amazonaws.com", not "sts.amazonaws.com"`)}},
		"audience with newline": {map[string]string{AudienceAnnotation: "sts.amazonaws.com\n"},
			[]AnnotationProblem{warn(AudienceAnnotation, `has leading/trailing whitespace: the token's aud would be "sts.amazonaws.com\n", not "sts.amazonaws.com"`)}},
		"regional false": {map[string]string{STSRegionalEndpointsAnnotation: "false"}, nil},
		"regional TRUE": {map[string]string{STSRegionalEndpointsAnnotation: "TRUE"},
			[]AnnotationProblem{warn(STSRegionalEndpointsAnnotation, `write "true" or "false"; the pod identity webhook reads "TRUE" as true`)}},
		"regional 0": {map[string]string{STSRegionalEndpointsAnnotation: "0"},
			[]AnnotationProblem{warn(STSRegionalEndpointsAnnotation, `write "true" or "false"; the pod identity webhook reads "0" as false`)}},
		"regional yes": {map[string]string{STSRegionalEndpointsAnnotation: "yes"},
			[]AnnotationProblem{warn(STSRegionalEndpointsAnnotation, `"yes" is not "true" or "false"; the pod identity webhook ignores it`)}},
		"regional empty": {map[string]string{STSRegionalEndpointsAnnotation: ""},
			[]AnnotationProblem{warn(STSRegionalEndpointsAnnotation, `"" is not "true" or "false"; the pod identity webhook ignores it`)}},
		"expiration minimum":   {map[string]string{TokenExpirationAnnotation: "3600"}, nil},
		"expiration with plus": {map[string]string{TokenExpirationAnnotation: "+7200"}, nil},
		"expiration below minimum": {map[string]string{TokenExpirationAnnotation: "600"},
			[]AnnotationProblem{warn(TokenExpirationAnnotation, "600 is below 3600; the pod identity webhook raises it to 3600 seconds")}},
		"expiration negative": {map[string]string{TokenExpirationAnnotation: "-1"},
			[]AnnotationProblem{warn(TokenExpirationAnnotation, "-1 is below 3600; the pod identity webhook raises it to 3600 seconds")}},
		"expiration over a day": {map[string]string{TokenExpirationAnnotation: "86401"},
			[]AnnotationProblem{warn(TokenExpirationAnnotation, "86401 is over 86400; EKS issues tokens for 24 hours at most")}},
		"expiration 2^32 is accepted by the API server": {map[string]string{TokenExpirationAnnotation: "4294967296"},
			[]AnnotationProblem{warn(TokenExpirationAnnotation, "4294967296 is over 86400; EKS issues tokens for 24 hours at most")}},
		"expiration over 2^32": {map[string]string{TokenExpirationAnnotation: "4294967297"},
			[]AnnotationProblem{fail(TokenExpirationAnnotation, "4294967297 is over 2^32 seconds: the API server rejects the pods' token volume")}},
		"expiration with unit": {map[string]string{TokenExpirationAnnotation: "1h"},
			[]AnnotationProblem{warn(TokenExpirationAnnotation, `"1h" is not a whole number of seconds; the pod identity webhook ignores it (default 86400)`)}},
		"expiration overflows int64": {map[string]string{TokenExpirationAnnotation: "99999999999999999999"},
			[]AnnotationProblem{warn(TokenExpirationAnnotation, `"99999999999999999999" is not a whole number of seconds; the pod identity webhook ignores it (default 86400)`)}},
		"sorted by key": {map[string]string{"eks.amazonaws.com/rolearn": arn, AudienceAnnotation: "", "EKS.amazonaws.com/audience": "x"},
			[]AnnotationProblem{
				warn("EKS.amazonaws.com/audience", `IRSA ignores this key; did you mean "eks.amazonaws.com/audience"? (letter case differs)`),
				warn(AudienceAnnotation, "is empty: the token's audience would likely be the API server's own, which STS rejects"),
				warn("eks.amazonaws.com/rolearn", `IRSA ignores this key; did you mean "eks.amazonaws.com/role-arn"? (misspelled)`),
			}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := CheckAnnotations(tc.ann)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CheckAnnotations(%q):\n got %q\nwant %q", tc.ann, got, tc.want)
			}
			for _, p := range got {
				if len(p.Msg) > 120 {
					t.Errorf("message of %d characters (max 120): %q", len(p.Msg), p.Msg)
				}
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"", "", 2, 0},
		{"abc", "abc", 2, 0},
		{"abc", "abd", 2, 1},
		{"abc", "acb", 2, 1}, // transposition
		{"abc", "ab", 2, 1},
		{"abc", "", 2, 3}, // over max: max+1
		{"kitten", "sitting", 5, 3},
		{"audience", "audiance", 2, 1},
		{"role-arn", "role", 2, 3}, // length difference over max
		{"abcdef", "badcfe", 2, 3},
	}
	for _, tc := range tests {
		if got := editDistance(tc.a, tc.b, tc.max); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
}
