package keystonetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// --- credentials

// ec2Access reads the access key of an ec2 credential's blob.
func ec2Access(blob string) (string, bool) {
	var b struct {
		Access string `json:"access"`
	}
	if json.Unmarshal([]byte(blob), &b) != nil || b.Access == "" {
		return "", false
	}
	return b.Access, true
}

// ListCredentials lists credentials.
func (s *v3) ListCredentials(ctx context.Context, req v3s.ListCredentialsRequestObject) (v3s.ListCredentialsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	caller := callerFrom(ctx)
	out := []v3s.Credential{}
	for _, c := range st.credentials.all() {
		if (req.Params.UserID != nil && c.UserID != *req.Params.UserID) || (req.Params.Type != nil && c.Type != *req.Params.Type) {
			continue
		}
		// Keystone lists the credentials the caller may get.
		if caller != nil && !st.allowed("identity:get_credential", caller.tok, map[string]string{"target.credential.user_id": c.UserID}) {
			continue
		}
		out = append(out, *c)
	}
	return v3s.ListCredentials200JSONResponse{Credentials: out, Links: st.collection("credentials")}, nil
}

// CreateCredential creates a credential; an ec2 one needs a project and an
// access key, which gives its ID.
func (s *v3) CreateCredential(_ context.Context, req v3s.CreateCredentialRequestObject) (v3s.CreateCredentialResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find credential in request body.")
	}
	in := req.Body.Credential
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	if in.Type == "ec2" {
		access, ok := ec2Access(in.Blob)
		if !ok || in.ProjectID == nil {
			return nil, badRequest("Invalid blob in credential: an ec2 credential needs a project_id and a blob with an access key.")
		}
		sum := sha256.Sum256([]byte(access))
		id = hex.EncodeToString(sum[:])
		if st.credentials.get(id) != nil {
			return nil, conflict("credential", "id", id)
		}
	}
	c := &v3s.Credential{ID: id, Type: in.Type, Blob: in.Blob, UserID: in.UserID, ProjectID: null[string](),
		Links: st.link("credentials/" + id), AdditionalProperties: in.AdditionalProperties}
	if in.ProjectID != nil {
		c.ProjectID = some(*in.ProjectID)
	}
	st.credentials.put(id, c)
	return v3s.CreateCredential201JSONResponse{Credential: *c}, nil
}

// GetCredential shows a credential.
func (s *v3) GetCredential(_ context.Context, req v3s.GetCredentialRequestObject) (v3s.GetCredentialResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.credentials.get(req.CredentialID)
	if c == nil {
		return nil, notFound("credential", req.CredentialID)
	}
	return v3s.GetCredential200JSONResponse{Credential: *c}, nil
}

// UpdateCredential updates a credential.
func (s *v3) UpdateCredential(_ context.Context, req v3s.UpdateCredentialRequestObject) (v3s.UpdateCredentialResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find credential in request body.")
	}
	in := req.Body.Credential
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.credentials.get(req.CredentialID)
	if c == nil {
		return nil, notFound("credential", req.CredentialID)
	}
	if in.Blob != nil {
		c.Blob = *in.Blob
	}
	if in.Type != nil {
		c.Type = *in.Type
	}
	if in.UserID != nil {
		c.UserID = *in.UserID
	}
	if in.ProjectID != nil {
		c.ProjectID = some(*in.ProjectID)
	}
	mergeExtras(&c.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdateCredential200JSONResponse{Credential: *c}, nil
}

// DeleteCredential deletes a credential.
func (s *v3) DeleteCredential(_ context.Context, req v3s.DeleteCredentialRequestObject) (v3s.DeleteCredentialResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.credentials.get(req.CredentialID) == nil {
		return nil, notFound("credential", req.CredentialID)
	}
	st.credentials.del(req.CredentialID)
	return v3s.DeleteCredential204Response{}, nil
}

// --- policies (the deprecated policy blobs)

// ListPolicies lists policies.
func (s *v3) ListPolicies(_ context.Context, req v3s.ListPoliciesRequestObject) (v3s.ListPoliciesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.Policy{}
	for _, p := range st.policies.all() {
		if req.Params.Type == nil || p.Type == *req.Params.Type {
			out = append(out, *p)
		}
	}
	return v3s.ListPolicies200JSONResponse{Policies: out, Links: st.collection("policies")}, nil
}

// CreatePolicy creates a policy.
func (s *v3) CreatePolicy(_ context.Context, req v3s.CreatePolicyRequestObject) (v3s.CreatePolicyResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find policy in request body.")
	}
	in := req.Body.Policy
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	p := &v3s.Policy{ID: id, Type: in.Type, Blob: in.Blob, Links: st.link("policies/" + id), AdditionalProperties: in.AdditionalProperties}
	st.policies.put(id, p)
	return v3s.CreatePolicy201JSONResponse{Policy: *p}, nil
}

// GetPolicy shows a policy.
func (s *v3) GetPolicy(_ context.Context, req v3s.GetPolicyRequestObject) (v3s.GetPolicyResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.policies.get(req.PolicyID)
	if p == nil {
		return nil, notFound("policy", req.PolicyID)
	}
	return v3s.GetPolicy200JSONResponse{Policy: *p}, nil
}

// UpdatePolicy updates a policy.
func (s *v3) UpdatePolicy(_ context.Context, req v3s.UpdatePolicyRequestObject) (v3s.UpdatePolicyResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find policy in request body.")
	}
	in := req.Body.Policy
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.policies.get(req.PolicyID)
	if p == nil {
		return nil, notFound("policy", req.PolicyID)
	}
	if in.Blob != nil {
		p.Blob = *in.Blob
	}
	if in.Type != nil {
		p.Type = *in.Type
	}
	mergeExtras(&p.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdatePolicy200JSONResponse{Policy: *p}, nil
}

// DeletePolicy deletes a policy.
func (s *v3) DeletePolicy(_ context.Context, req v3s.DeletePolicyRequestObject) (v3s.DeletePolicyResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.policies.get(req.PolicyID) == nil {
		return nil, notFound("policy", req.PolicyID)
	}
	st.policies.del(req.PolicyID)
	return v3s.DeletePolicy204Response{}, nil
}
