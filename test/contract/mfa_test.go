//go:build integration

package contract

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// totpCode computes the RFC 6238 passcode (SHA-1, 30 s, 6 digits) Keystone expects.
func totpCode(secret string, at time.Time) string {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		panic(err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

func totpMethod(userID, passcode string) *v3.AuthTOTP {
	return &v3.AuthTOTP{User: v3.AuthTOTPUser{ID: &userID, Passcode: passcode}}
}

// TestMultiFactorAuth covers the multi-step (auth receipt) flow of
// POST /v3/auth/tokens with password and TOTP.
func TestMultiFactorAuth(t *testing.T) {
	password := uniq("pw")
	u := newUser(t, v3.UserCreate{
		Password: nullable.NewNullableWithValue(password),
		Options: &v3.UserOptions{
			MultiFactorAuthEnabled: nullable.NewNullableWithValue(true),
			MultiFactorAuthRules:   nullable.NewNullableWithValue([][]string{{"password", "totp"}}),
		},
	})
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	c, err := adm.CreateCredentialWithResponse(t.Context(), v3.CredentialCreateRequest{Credential: v3.CredentialCreate{
		Type: "totp", UserID: u.ID, Blob: secret,
	}})
	expect(t, c, err, 201)
	t.Cleanup(func() {
		deleteQuietly(t, "TOTP credential", func() (response, error) {
			return adm.DeleteCredentialWithResponse(cleanupCtx(), c.JSON201.Credential.ID)
		})
	})

	// Step 1: the password alone earns a receipt, not a token.
	r, err := anon.IssueTokenWithResponse(t.Context(), nil, passwordByID(u.ID, password, nil))
	expect(t, r, err, 401)
	receipt := r.Headers401.OpenstackAuthReceipt
	if receipt == nil || *receipt == "" {
		t.Fatal("no Openstack-Auth-Receipt header on the 401")
	}
	body := r.JSON401
	if body == nil || body.Receipt == nil || body.Error != nil {
		t.Fatalf("401 body is not a receipt: %s", string(r.Body))
	}
	if body.Receipt.User.ID != u.ID || !slices.Equal(body.Receipt.Methods, []string{"password"}) {
		t.Errorf("receipt = %+v", body.Receipt)
	}
	if len(body.RequiredAuthMethods) != 1 || !slices.Contains(body.RequiredAuthMethods[0], "totp") {
		t.Errorf("required_auth_methods = %v", body.RequiredAuthMethods)
	}

	// Step 2: the receipt plus a TOTP passcode completes it.
	totpOnly := v3.AuthRequest{Auth: v3.Auth{Identity: v3.AuthIdentity{
		Methods: []string{"totp"}, TOTP: totpMethod(u.ID, totpCode(secret, time.Now())),
	}}}
	done, err := anon.IssueTokenWithResponse(t.Context(), &v3.IssueTokenParams{OpenstackAuthReceipt: receipt}, totpOnly)
	expect(t, done, err, 201)
	if m := done.JSON201.Token.Methods; !slices.Contains(m, "password") || !slices.Contains(m, "totp") {
		t.Errorf("methods = %v, want password and totp", m)
	}

	// A forged receipt fails with Keystone's error body.
	forged, err := anon.IssueTokenWithResponse(t.Context(), &v3.IssueTokenParams{OpenstackAuthReceipt: ptr("not-a-receipt")}, totpOnly)
	expect(t, forged, err, 401)
	if forged.JSON401 == nil || forged.JSON401.Error == nil || forged.JSON401.Receipt != nil {
		t.Errorf("forged receipt: %s", string(forged.Body))
	}

	// Both methods at once need no receipt.
	both := passwordByID(u.ID, password, nil)
	both.Auth.Identity.Methods = []string{"password", "totp"}
	both.Auth.Identity.TOTP = totpMethod(u.ID, totpCode(secret, time.Now()))
	issue(t, both)

	// A wrong passcode fails outright.
	bad := passwordByID(u.ID, password, nil)
	bad.Auth.Identity.Methods = []string{"password", "totp"}
	bad.Auth.Identity.TOTP = totpMethod(u.ID, strings.Repeat("0", 6))
	if totpCode(secret, time.Now()) != "000000" {
		w, err := anon.IssueTokenWithResponse(t.Context(), nil, bad)
		expect(t, w, err, 401)
	}
}

// TestReaderIsForbidden checks the 403 paths: a user with only the reader role
// can read but not change identity resources.
func TestReaderIsForbidden(t *testing.T) {
	_, project, reader := userWithRole(t, "reader")

	l, err := reader.ListProjectsWithResponse(t.Context(), nil)
	expectError(t, l, err, 403) // listing all projects needs an admin
	g, err := reader.GetProjectWithResponse(t.Context(), project.ID, nil)
	expect(t, g, err, 200) // but a reader may see the project it is on

	checks := []struct {
		name string
		call func() (response, error)
	}{
		{"createProject", func() (response, error) {
			return reader.CreateProjectWithResponse(t.Context(), v3.ProjectCreateRequest{Project: v3.ProjectCreate{Name: uniq("p")}})
		}},
		{"updateProject", func() (response, error) {
			return reader.UpdateProjectWithResponse(t.Context(), project.ID, v3.ProjectUpdateRequest{Project: v3.ProjectUpdate{Enabled: ptr(false)}})
		}},
		{"deleteProject", func() (response, error) { return reader.DeleteProjectWithResponse(t.Context(), project.ID) }},
		{"createDomain", func() (response, error) {
			return reader.CreateDomainWithResponse(t.Context(), v3.DomainCreateRequest{Domain: v3.DomainCreate{Name: uniq("d")}})
		}},
		{"createGroup", func() (response, error) {
			return reader.CreateGroupWithResponse(t.Context(), v3.GroupCreateRequest{Group: v3.GroupCreate{Name: uniq("g")}})
		}},
		{"createRole", func() (response, error) {
			return reader.CreateRoleWithResponse(t.Context(), v3.RoleCreateRequest{Role: v3.RoleCreate{Name: uniq("r")}})
		}},
		{"createRegion", func() (response, error) {
			return reader.CreateRegionWithResponse(t.Context(), v3.RegionCreateRequest{Region: v3.RegionCreate{}})
		}},
		{"createService", func() (response, error) {
			return reader.CreateServiceWithResponse(t.Context(), v3.ServiceCreateRequest{Service: v3.ServiceCreate{Type: uniq("t")}})
		}},
		{"listEndpoints", func() (response, error) { return reader.ListEndpointsWithResponse(t.Context(), nil) }},
		{"listPolicies", func() (response, error) { return reader.ListPoliciesWithResponse(t.Context(), nil) }},
		{"addProjectTag", func() (response, error) { return reader.AddProjectTagWithResponse(t.Context(), project.ID, "x") }},
		{"listRoleAssignments", func() (response, error) { return reader.ListRoleAssignmentsWithResponse(t.Context(), nil) }},
	}
	for _, c := range checks {
		r, err := c.call()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.StatusCode() != 403 {
			t.Errorf("%s: got %s, want 403", c.name, r.Status())
		}
	}
	s, err := reader.ListAuthSystemWithResponse(t.Context())
	expect(t, s, err, 200)
	if len(s.JSON200.System) != 0 {
		t.Errorf("a reader on a project has no system scope, got %+v", s.JSON200.System)
	}
}
