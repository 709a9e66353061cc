package testcases

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/irsa-guard/irsa-guard/internal/irsa"
)

// Fixed values for what the cases do not record.
const (
	// CreateDate is the creation date written for every role and provider, as the AWS CLI prints dates.
	CreateDate = "2024-01-15T09:30:00+00:00"
	// Thumbprint is the thumbprint written for every provider (the one of the EKS issuers' root CA).
	Thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
)

// GetRoleOutput is what `aws iam get-role --output json` prints.
type GetRoleOutput struct {
	Role IAMRole `json:"Role"`
}

// IAMRole is the Role member of GetRoleOutput.
type IAMRole struct {
	Path                     string          `json:"Path"`
	RoleName                 string          `json:"RoleName"`
	RoleID                   string          `json:"RoleId"`
	Arn                      string          `json:"Arn"`
	CreateDate               string          `json:"CreateDate"`
	AssumeRolePolicyDocument json.RawMessage `json:"AssumeRolePolicyDocument"`
	MaxSessionDuration       int             `json:"MaxSessionDuration"`
	RoleLastUsed             struct{}        `json:"RoleLastUsed"`
}

// GetOIDCProviderOutput is what `aws iam get-open-id-connect-provider --output json` prints, plus the
// provider's Arn (which the CLI leaves out because it is the input).
type GetOIDCProviderOutput struct {
	Arn            string   `json:"Arn"`
	URL            string   `json:"Url"`
	ClientIDList   []string `json:"ClientIDList"`
	ThumbprintList []string `json:"ThumbprintList"`
	CreateDate     string   `json:"CreateDate"`
	Tags           []string `json:"Tags"`
}

// RoleFile and ProviderFile name the files WriteIAMDir writes.
func RoleFile(roleName string) string { return "role-" + roleName + ".json" }

// ProviderFile names the file of the n-th provider (1-based) of a case.
func ProviderFile(n int) string { return fmt.Sprintf("oidc-provider-%d.json", n) }

// IAMRoleOf returns the get-role output for the case's role.
func (c Case) IAMRoleOf() (GetRoleOutput, error) {
	arn, err := irsa.ParseRoleARN(c.Role.ARN)
	if err != nil {
		return GetRoleOutput{}, fmt.Errorf("case %s: role.arn: %w", c.ID, err)
	}
	return GetRoleOutput{Role: IAMRole{
		Path:                     arn.Path,
		RoleName:                 arn.Name,
		RoleID:                   roleID(arn.String()),
		Arn:                      arn.String(),
		CreateDate:               CreateDate,
		AssumeRolePolicyDocument: c.Role.TrustPolicy,
		MaxSessionDuration:       3600,
	}}, nil
}

// IAMProviders returns the get-open-id-connect-provider outputs for the case's providers, in order.
func (c Case) IAMProviders() []GetOIDCProviderOutput {
	out := make([]GetOIDCProviderOutput, 0, len(c.OIDCProviders))
	for _, p := range c.OIDCProviders {
		_, hostPath, _ := strings.Cut(p.ARN, ":oidc-provider/")
		clientIDs := p.ClientIDs
		if clientIDs == nil {
			clientIDs = []string{}
		}
		out = append(out, GetOIDCProviderOutput{
			Arn:            p.ARN,
			URL:            hostPath,
			ClientIDList:   clientIDs,
			ThumbprintList: []string{Thumbprint},
			CreateDate:     CreateDate,
			Tags:           []string{},
		})
	}
	return out
}

// WriteIAMDir writes the case's IAM state into dir (created if needed) as the AWS CLI prints it:
// RoleFile(name) holds `aws iam get-role` output for the role, and ProviderFile(n) the
// `aws iam get-open-id-connect-provider` output of the n-th provider with its Arn added.
func (c Case) WriteIAMDir(dir string) error {
	role, err := c.IAMRoleOf()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create IAM dir: %w", err)
	}
	if err := writeJSON(filepath.Join(dir, RoleFile(role.Role.RoleName)), role); err != nil {
		return err
	}
	for i, p := range c.IAMProviders() {
		if err := writeJSON(filepath.Join(dir, ProviderFile(i+1)), p); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write IAM file: %w", err)
	}
	return nil
}

// roleID returns a stable role ID of the form IAM uses (AROA and 17 upper-case letters and digits),
// derived from the ARN.
func roleID(arn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(arn))
	id := []byte("AROA")
	for i := 0; i < 17; i++ {
		id = append(id, alphabet[sum[i]%32])
	}
	return string(id)
}
