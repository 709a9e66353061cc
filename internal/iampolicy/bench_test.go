package iampolicy

import (
	"net/url"
	"testing"
)

// benchPolicy is a typical IRSA trust policy shared by two clusters; the request matches the second.
const benchPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/9F8E7D6C5B4A39281706F5E4D3C2B1A0"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {"StringEquals": {
        "oidc.eks.us-west-2.amazonaws.com/id/9F8E7D6C5B4A39281706F5E4D3C2B1A0:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
        "oidc.eks.us-west-2.amazonaws.com/id/9F8E7D6C5B4A39281706F5E4D3C2B1A0:aud": "sts.amazonaws.com"}}
    },
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {"StringEquals": {
        "oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
        "oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C:aud": "sts.amazonaws.com"}}
    }
  ]
}`

const benchIssuer = "oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"

func benchRequest() *Request {
	return &Request{
		PrincipalType: PrincipalFederated,
		Principal:     "arn:aws:iam::111122223333:oidc-provider/" + benchIssuer,
		Action:        "sts:AssumeRoleWithWebIdentity",
		Resource:      "arn:aws:iam::111122223333:role/AmazonEKSLoadBalancerControllerRole",
		Context: map[string][]string{
			benchIssuer + ":sub": {"system:serviceaccount:kube-system:aws-load-balancer-controller"},
			benchIssuer + ":aud": {"sts.amazonaws.com"},
		},
		Unknown: func(string) bool { return false },
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p, err := Parse([]byte(benchPolicy))
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequest()
	if res := Evaluate(p, req); res.Decision != Allow {
		b.Fatalf("Decision = %v, want Allow", res.Decision)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(p, req)
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchPolicy)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseURLEncoded(b *testing.B) {
	doc := []byte(url.PathEscape(benchPolicy))
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}
