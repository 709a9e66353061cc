package irsa

import (
	"fmt"
	"strings"
)

// partition is one AWS partition: its ID (the second field of an ARN) and the DNS suffix of its
// regional endpoints, which EKS uses in the cluster's OIDC issuer host.
type partition struct {
	id        string
	dnsSuffix string
}

// partitions lists the AWS partitions, as published in the AWS SDKs' partitions.json
// (aws-sdk-go-v2 internal/endpoints/awsrulesfn/partitions.json, checked for v1.48.0).
var partitions = []partition{
	{"aws", "amazonaws.com"},
	{"aws-cn", "amazonaws.com.cn"},
	{"aws-us-gov", "amazonaws.com"},
	{"aws-iso", "c2s.ic.gov"},
	{"aws-iso-b", "sc2s.sgov.gov"},
	{"aws-iso-e", "cloud.adc-e.uk"},
	{"aws-iso-f", "csp.hci.ic.gov"},
	{"aws-eusc", "amazonaws.eu"},
}

// Partitions returns the IDs of the known AWS partitions, "aws" first.
func Partitions() []string {
	ids := make([]string, len(partitions))
	for i, p := range partitions {
		ids[i] = p.id
	}
	return ids
}

// KnownPartition reports whether id is the ID of a known AWS partition (case-sensitive, as in ARNs).
func KnownPartition(id string) bool {
	return lookupPartition(id) != nil
}

func lookupPartition(id string) *partition {
	for i := range partitions {
		if partitions[i].id == id {
			return &partitions[i]
		}
	}
	return nil
}

// PartitionForRegion returns the partition a region belongs to, from its name: cn-* is aws-cn,
// us-gov-* aws-us-gov, us-iso-* aws-iso, us-isob-* aws-iso-b, eu-isoe-* aws-iso-e, us-isof-* aws-iso-f,
// eusc-* aws-eusc, anything else aws.
func PartitionForRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	default:
		return "aws"
	}
}

// nearestPartition returns the known partition within edit distance 2 of id, or "".
func nearestPartition(id string) string {
	best, bestDist := "", 3
	for _, p := range partitions {
		if d := editDistance(strings.ToLower(id), p.id, 2); d < bestDist {
			best, bestDist = p.id, d
		}
	}
	return best
}

// ClusterPartition is the partition of a cluster with this issuer: the one given, which must agree with an
// EKS issuer's region, or else the region's (aws for issuers that name none).
func ClusterPartition(issuer Issuer, given string) (string, error) {
	fromIssuer := ""
	if issuer.EKSRegion != "" {
		fromIssuer = PartitionForRegion(issuer.EKSRegion)
	}
	switch {
	case given == "" && fromIssuer != "":
		return fromIssuer, nil
	case given == "":
		return "aws", nil
	case !KnownPartition(given):
		return "", fmt.Errorf("unknown partition %q", given)
	case fromIssuer != "" && given != fromIssuer:
		return "", fmt.Errorf("%s contradicts the issuer's region %s, which is in partition %s", given, issuer.EKSRegion, fromIssuer)
	}
	return given, nil
}
