package irsa

import "testing"

func TestClusterPartition(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		issuer, given, want, wantErr string
	}{
		"EKS issuer names it":             {issuer: "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC", want: "aws-cn"},
		"GovCloud":                        {issuer: "https://oidc.eks.us-gov-west-1.amazonaws.com/id/ABC", want: "aws-us-gov"},
		"given and agreeing":              {issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC", given: "aws", want: "aws"},
		"given and contradicting":         {issuer: "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC", given: "aws", wantErr: "aws contradicts the issuer's region cn-north-1, which is in partition aws-cn"},
		"self-hosted issuer: default aws": {issuer: "https://issuer.example.com/cluster", want: "aws"},
		"self-hosted issuer: given":       {issuer: "https://issuer.example.com/cluster", given: "aws-us-gov", want: "aws-us-gov"},
		"unknown partition":               {issuer: "https://issuer.example.com/cluster", given: "aws-moon", wantErr: `unknown partition "aws-moon"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			iss, err := ParseIssuer(tc.issuer)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ClusterPartition(iss, tc.given)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
