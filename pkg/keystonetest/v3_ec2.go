package keystonetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// EC2 credentials live where Keystone keeps them: as credentials of type ec2
// whose blob holds the access key and secret, and whose ID is the SHA-256 of
// the access key. The v3 OS-EC2 user paths and v2.0's OS-EC2 read the same.

type ec2Blob struct {
	Access  string  `json:"access"`
	Secret  *string `json:"secret,omitempty"`
	TrustID *string `json:"trust_id"`
}

func ec2ID(access string) string {
	sum := sha256.Sum256([]byte(access))
	return hex.EncodeToString(sum[:])
}

// newEC2 stores a new EC2 credential of userID on projectID.
func (st *state) newEC2(userID, projectID string) (*v3s.Credential, ec2Blob) {
	secret := newID()
	b := ec2Blob{Access: newID(), Secret: &secret}
	raw, _ := json.Marshal(b)
	id := ec2ID(b.Access)
	c := &v3s.Credential{ID: id, Type: "ec2", Blob: string(raw), UserID: userID, ProjectID: some(projectID), Links: st.link("credentials/" + id)}
	st.credentials.put(id, c)
	return c, b
}

// ec2ByAccess finds the EC2 credential with this access key: 404 when there
// is none, 401 when the credential is no longer of type ec2 (as Keystone).
func (st *state) ec2ByAccess(access string) (*v3s.Credential, ec2Blob, error) {
	c := st.credentials.get(ec2ID(access))
	if c == nil {
		return nil, ec2Blob{}, notFound("credential", access)
	}
	var b ec2Blob
	if c.Type != "ec2" || json.Unmarshal([]byte(c.Blob), &b) != nil || b.Access != access {
		return nil, ec2Blob{}, errorf(http.StatusUnauthorized, "EC2 access key not found.")
	}
	return c, b, nil
}

func (st *state) ec2Out(c *v3s.Credential, b ec2Blob, pathUser string) v3s.EC2Credential {
	out := v3s.EC2Credential{Access: b.Access, UserID: c.UserID, Secret: null[string](), TrustID: null[string](),
		Links: st.link("users/" + pathUser + "/credentials/OS-EC2/" + b.Access)}
	out.TenantID, _ = value(c.ProjectID)
	if b.Secret != nil {
		out.Secret = some(*b.Secret)
	}
	if b.TrustID != nil {
		out.TrustID = some(*b.TrustID)
	}
	return out
}

// ListUserEC2Credentials lists a user's EC2 credentials.
func (s *v3) ListUserEC2Credentials(ctx context.Context, req v3s.ListUserEC2CredentialsRequestObject) (v3s.ListUserEC2CredentialsResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	out := []v3s.EC2Credential{}
	for _, c := range st.credentials.all() {
		var b ec2Blob
		if c.Type == "ec2" && c.UserID == req.UserID && json.Unmarshal([]byte(c.Blob), &b) == nil {
			out = append(out, st.ec2Out(c, b, req.UserID))
		}
	}
	return v3s.ListUserEC2Credentials200JSONResponse{Credentials: out, Links: st.collection("users/" + req.UserID + "/credentials/OS-EC2")}, nil
}

// CreateUserEC2Credential creates an EC2 credential for a user on a project.
func (s *v3) CreateUserEC2Credential(ctx context.Context, req v3s.CreateUserEC2CredentialRequestObject) (v3s.CreateUserEC2CredentialResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	project := ""
	if req.Body != nil {
		project = req.Body.TenantID
	}
	if st.projects.get(project) == nil {
		return nil, notFound("project", project)
	}
	c, b := st.newEC2(req.UserID, project)
	return v3s.CreateUserEC2Credential201JSONResponse{Credential: st.ec2Out(c, b, req.UserID)}, nil
}

// GetUserEC2Credential shows an EC2 credential (Keystone does not check that
// it is the path's user's).
func (s *v3) GetUserEC2Credential(ctx context.Context, req v3s.GetUserEC2CredentialRequestObject) (v3s.GetUserEC2CredentialResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	c, b, err := st.ec2ByAccess(req.CredentialID)
	if err != nil {
		return nil, err
	}
	return v3s.GetUserEC2Credential200JSONResponse{Credential: st.ec2Out(c, b, req.UserID)}, nil
}

// DeleteUserEC2Credential deletes an EC2 credential.
func (s *v3) DeleteUserEC2Credential(ctx context.Context, req v3s.DeleteUserEC2CredentialRequestObject) (v3s.DeleteUserEC2CredentialResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	c, _, err := st.ec2ByAccess(req.CredentialID)
	if err != nil {
		return nil, err
	}
	st.credentials.del(c.ID)
	return v3s.DeleteUserEC2Credential204Response{}, nil
}
