package iam

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Dir serves roles and OIDC providers from a folder of `aws iam get-role` outputs and
// `aws iam get-open-id-connect-provider` outputs (with an added "Arn" field), for air-gapped clusters, demos and
// the offline check command. It is read once, by NewDir. Safe for concurrent use.
type Dir struct {
	complete  bool
	roles     map[string]map[string]*Role // account -> lower-case role name -> role
	providers map[string]*OIDCProvider    // lower-case ARN -> provider
	roleList  []Role
	provList  []OIDCProvider
}

// NewDir reads every *.json file under dir (recursively; names starting with "." are skipped, which also skips
// the ..data copies of a mounted ConfigMap). A file holds one output object or a JSON array of them. complete
// says the folder holds every role and provider: what is absent then does not exist (ErrNotFound); otherwise
// an absent object is ErrNotInDir.
func NewDir(dir string, complete bool) (*Dir, error) {
	d := &Dir{complete: complete, roles: map[string]map[string]*Role{}, providers: map[string]*OIDCProvider{}}
	seen := map[string]string{} // key -> file that defined it
	now := time.Now()
	files := 0
	// WalkDir does not enter a root that is a symlink; resolve it.
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("read iam dir %s: %w", dir, err)
	}
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != root && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			rel = path
		}
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		files++
		return d.load(rel, data, now, seen)
	})
	if err != nil {
		return nil, fmt.Errorf("read iam dir %s: %w", dir, err)
	}
	if files == 0 {
		return nil, fmt.Errorf("read iam dir %s: no *.json files", dir)
	}
	return d, nil
}

func (d *Dir) load(file string, data []byte, now time.Time, seen map[string]string) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return fmt.Errorf("%s: %w", file, jsonError(err))
		}
		for i, item := range items {
			if err := d.loadObject(fmt.Sprintf("%s[%d]", file, i), item, now, seen); err != nil {
				return err
			}
		}
		return nil
	}
	return d.loadObject(file, data, now, seen)
}

var errNotOutput = errors.New("not a get-role or get-open-id-connect-provider output")

func (d *Dir) loadObject(where string, data []byte, now time.Time, seen map[string]string) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%s: %w", where, errNotOutput)
		}
		return fmt.Errorf("%s: %w", where, jsonError(err))
	}
	switch {
	case obj["Role"] != nil:
		r, err := parseGetRoleOutput(obj["Role"])
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		r.RetrievedAt = now
		ref, _ := parseRoleARN(r.ARN) // validated by parseGetRoleOutput
		key := "role " + strings.ToLower(ref.account+"/"+ref.name)
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s: role %s is also defined in %s", where, r.Name, prev)
		}
		seen[key] = where
		if d.roles[ref.account] == nil {
			d.roles[ref.account] = map[string]*Role{}
		}
		d.roles[ref.account][strings.ToLower(ref.name)] = r
		d.roleList = append(d.roleList, *r)
	case obj["Url"] != nil:
		p, err := parseGetProviderOutput(obj)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		p.RetrievedAt = now
		key := "provider " + strings.ToLower(p.ARN)
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s: provider %s is also defined in %s", where, p.ARN, prev)
		}
		seen[key] = where
		d.providers[strings.ToLower(p.ARN)] = p
		d.provList = append(d.provList, *p)
	default:
		return fmt.Errorf("%s: %w", where, errNotOutput)
	}
	return nil
}

// jsonError shortens encoding/json's messages a little.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid json at byte %d: %s", se.Offset, se.Error())
	}
	return fmt.Errorf("invalid json: %w", err)
}

func parseGetRoleOutput(raw json.RawMessage) (*Role, error) {
	var r struct {
		Arn, RoleName, Path      string
		AssumeRolePolicyDocument json.RawMessage
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("role: %w", jsonError(err))
	}
	if r.Arn == "" {
		return nil, errors.New(`role has no "Arn"`)
	}
	ref, err := parseRoleARN(r.Arn)
	if err != nil {
		return nil, fmt.Errorf("\"Role.Arn\" %q: %w", r.Arn, err)
	}
	if r.RoleName != "" && r.RoleName != ref.name {
		return nil, fmt.Errorf("\"Role.RoleName\" %q does not match \"Role.Arn\" %q", r.RoleName, r.Arn)
	}
	if r.Path != "" && r.Path != ref.path {
		return nil, fmt.Errorf("\"Role.Path\" %q does not match \"Role.Arn\" %q", r.Path, r.Arn)
	}
	doc := bytes.TrimSpace(r.AssumeRolePolicyDocument)
	var policy string
	switch {
	case len(doc) == 0 || string(doc) == "null":
		return nil, errors.New(`role has no "AssumeRolePolicyDocument"`)
	case doc[0] == '{':
		policy = string(doc)
	case doc[0] == '"':
		var s string
		if err := json.Unmarshal(doc, &s); err != nil {
			return nil, fmt.Errorf("\"Role.AssumeRolePolicyDocument\": %w", jsonError(err))
		}
		if policy, err = decodePolicy(s); err != nil {
			return nil, fmt.Errorf("\"Role.AssumeRolePolicyDocument\": %w", err)
		}
	default:
		return nil, errors.New("\"Role.AssumeRolePolicyDocument\" is neither an object nor a url-encoded string")
	}
	return &Role{ARN: r.Arn, Name: ref.name, Path: ref.path, TrustPolicy: policy}, nil
}

func parseGetProviderOutput(obj map[string]json.RawMessage) (*OIDCProvider, error) {
	var p struct {
		Arn, OpenIDConnectProviderArn, Url string
		ClientIDList                       []string
	}
	b, _ := json.Marshal(obj) // re-encoding a decoded map cannot fail
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("oidc provider: %w", jsonError(err))
	}
	arn := p.Arn
	if arn == "" {
		arn = p.OpenIDConnectProviderArn
	}
	if arn == "" {
		return nil, errors.New(`get-open-id-connect-provider output needs an added "Arn" field`)
	}
	ref, err := parseProviderARN(arn)
	if err != nil {
		return nil, fmt.Errorf("\"Arn\" %q: %w", arn, err)
	}
	u := strings.TrimPrefix(p.Url, "https://")
	if !strings.EqualFold(strings.TrimSuffix(u, "/"), strings.TrimSuffix(ref.url, "/")) {
		return nil, fmt.Errorf("\"Url\" %q does not match \"Arn\" %q", p.Url, arn)
	}
	return &OIDCProvider{ARN: arn, URL: u, ClientIDs: slices.Clone(p.ClientIDList)}, nil
}

// GetRole implements Source. maxAge is ignored: the folder is read once.
func (d *Dir) GetRole(_ context.Context, roleARN string, _ time.Duration) (*Role, error) {
	ref, err := parseRoleARN(roleARN)
	if err != nil {
		return nil, &Error{Op: opGetRole, Name: roleARN, Kind: ErrNotFound, Reason: "not found: " + err.Error()}
	}
	r, ok := d.roles[ref.account][strings.ToLower(ref.name)]
	if !ok {
		return nil, d.absent(opGetRole, ref.name)
	}
	// Role names are unique within an account whatever the path, so a role of this name at another path
	// proves the annotated one does not exist, complete folder or not.
	if !sameRole(ref, r.ARN) {
		return nil, &Error{Op: opGetRole, Name: ref.name, Kind: ErrNotFound, Reason: pathMismatch(ref, r.Path)}
	}
	cp := *r
	return &cp, nil
}

// GetOIDCProvider implements Source. maxAge is ignored: the folder is read once.
func (d *Dir) GetOIDCProvider(_ context.Context, providerARN string, _ time.Duration) (*OIDCProvider, error) {
	p, ok := d.providers[strings.ToLower(providerARN)]
	if !ok {
		return nil, d.absent(opGetProvider, providerName(providerARN))
	}
	cp := *p
	cp.ClientIDs = slices.Clone(p.ClientIDs)
	return &cp, nil
}

func (d *Dir) absent(op, name string) error {
	if d.complete {
		return &Error{Op: op, Name: name, Kind: ErrNotFound, Reason: "not found in --iam-dir"}
	}
	return &Error{Op: op, Name: name, Kind: ErrNotInDir}
}

// Roles returns every role read, in file order.
func (d *Dir) Roles() []Role { return slices.Clone(d.roleList) }

// OIDCProviders returns every provider read, in file order.
func (d *Dir) OIDCProviders() []OIDCProvider {
	out := slices.Clone(d.provList)
	for i := range out {
		out[i].ClientIDs = slices.Clone(out[i].ClientIDs)
	}
	return out
}
