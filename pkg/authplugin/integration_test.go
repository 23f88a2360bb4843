//go:build integration

package authplugin_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// realKeystone returns the Keystone settings and an admin client (through a
// session with the password plugin: itself under test).
func realKeystone(t *testing.T) (testenv.Keystone, *keystone.Session, *v3.ClientWithResponses) {
	t.Helper()
	ks := testenv.Require(t)
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	c, err := identityGen(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	return ks, s, c
}

func uniq(p string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return "it-" + p + "-" + hex.EncodeToString(b)
}

func ptr[T any](v T) *T { return &v }

// cleanupCtx is the context of cleanups (which run after the test's own
// context is cancelled); the session's timeout bounds them.
func cleanupCtx() context.Context { return context.Background() }

// fixture is a user with a password and the member role on a new project.
type fixture struct {
	userID, userName, password string
	projectID, projectName     string
	roleID                     string
}

func newFixture(t *testing.T, c *v3.ClientWithResponses, ks testenv.Keystone, opts ...func(*v3.UserCreate)) fixture {
	t.Helper()
	ctx := t.Context()
	f := fixture{userName: uniq("user"), password: uniq("pw"), projectName: uniq("project")}
	p, err := c.CreateProjectWithResponse(ctx, v3.ProjectCreateRequest{Project: v3.ProjectCreate{Name: f.projectName, DomainID: nullable.NewNullableWithValue(ks.Domain)}})
	if err != nil {
		t.Fatal(err)
	}
	f.projectID = p.JSON201.Project.ID
	t.Cleanup(func() { c.DeleteProjectWithResponse(cleanupCtx(), f.projectID) })
	uc := v3.UserCreate{Name: f.userName, DomainID: &ks.Domain, Password: nullable.NewNullableWithValue(f.password)}
	for _, o := range opts {
		o(&uc)
	}
	u, err := c.CreateUserWithResponse(ctx, v3.UserCreateRequest{User: uc})
	if err != nil {
		t.Fatal(err)
	}
	f.userID = u.JSON201.User.ID
	t.Cleanup(func() { c.DeleteUserWithResponse(cleanupCtx(), f.userID) })
	roles, err := c.ListRolesWithResponse(ctx, &v3.ListRolesParams{Name: ptr("member")})
	if err != nil || len(roles.JSON200.Roles) != 1 {
		t.Fatalf("member role: %v", err)
	}
	f.roleID = roles.JSON200.Roles[0].ID
	if _, err := c.GrantProjectUserRoleWithResponse(ctx, f.projectID, f.userID, f.roleID); err != nil {
		t.Fatal(err)
	}
	return f
}

func accessOf(t *testing.T, a *keystone.Auth) *keystone.AccessInfo {
	t.Helper()
	s, err := keystone.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	ai, err := a.Access(t.Context(), s)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return ai
}

func TestPasswordPluginScopes(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	dom, err := c.GetDomainWithResponse(t.Context(), ks.Domain)
	if err != nil {
		t.Fatal(err)
	}
	domainName := dom.JSON200.Domain.Name
	if _, err := c.GrantDomainUserRoleWithResponse(t.Context(), ks.Domain, f.userID, f.roleID); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.RevokeDomainUserRoleWithResponse(cleanupCtx(), ks.Domain, f.userID, f.roleID) })

	users := map[string]authplugin.User{
		"user ID":                   {ID: f.userID},
		"user name and domain ID":   {Name: f.userName, DomainID: ks.Domain},
		"user name and domain name": {Name: f.userName, DomainName: domainName},
	}
	for name, u := range users {
		a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL + "/v3", User: u, Password: f.password,
			Scope: authplugin.Scope{ProjectID: f.projectID}})
		if err != nil {
			t.Fatal(err)
		}
		if ai := accessOf(t, a); ai.User.ID != f.userID || ai.Project.ID != f.projectID {
			t.Errorf("%s: %v", name, ai)
		}
	}
	scopes := []struct {
		name  string
		scope authplugin.Scope
		check func(*keystone.AccessInfo) bool
	}{
		{"project by name and domain ID", authplugin.Scope{ProjectName: f.projectName, ProjectDomainID: ks.Domain},
			func(ai *keystone.AccessInfo) bool {
				return ai.ProjectScoped() && ai.Project.ID == f.projectID && ai.Catalog().Len() > 0
			}},
		{"project by name and domain name", authplugin.Scope{ProjectName: f.projectName, ProjectDomainName: domainName},
			func(ai *keystone.AccessInfo) bool { return ai.ProjectScoped() && ai.Project.ID == f.projectID }},
		{"domain by ID", authplugin.Scope{DomainID: ks.Domain},
			func(ai *keystone.AccessInfo) bool { return ai.DomainScoped() && ai.Domain.ID == ks.Domain }},
		{"domain by name", authplugin.Scope{DomainName: domainName},
			func(ai *keystone.AccessInfo) bool { return ai.DomainScoped() && ai.Domain.ID == ks.Domain }},
		{"unscoped", authplugin.Scope{Unscoped: true},
			func(ai *keystone.AccessInfo) bool { return !ai.Scoped() && ai.Catalog() == nil }},
	}
	for _, sc := range scopes {
		a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password, Scope: sc.scope})
		if err != nil {
			t.Fatal(err)
		}
		if ai := accessOf(t, a); !sc.check(ai) {
			t.Errorf("%s: %v", sc.name, ai)
		}
	}
	// System scope: the bootstrap admin has it.
	sys, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: authplugin.Scope{System: true}})
	if ai := accessOf(t, sys); !ai.SystemScoped() {
		t.Errorf("system: %v", ai)
	}
	// Wrong password: a typed authorization failure without the password in it.
	bad, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: "not-" + f.password})
	s, _ := keystone.NewSession()
	_, err = bad.Token(t.Context(), s)
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), f.password) {
		t.Errorf("the error shows the password: %v", err)
	}
}

func TestDefaultProjectScope(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	if _, err := c.UpdateUserWithResponse(t.Context(), f.userID, v3.UserUpdateRequest{User: v3.UserUpdate{
		DefaultProjectID: nullable.NewNullableWithValue(f.projectID)}}); err != nil {
		t.Fatal(err)
	}
	a, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password})
	if ai := accessOf(t, a); !ai.ProjectScoped() || ai.Project.ID != f.projectID {
		t.Errorf("no scope should give the default project: %v", ai)
	}
	explicit, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password,
		Scope: authplugin.Scope{Unscoped: true}})
	if ai := accessOf(t, explicit); ai.Scoped() {
		t.Errorf("explicitly unscoped: %v", ai)
	}
}

func TestTokenPlugin(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	pw, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password, Scope: authplugin.Scope{Unscoped: true}})
	unscoped := accessOf(t, pw)
	tok, _ := authplugin.NewToken(authplugin.TokenOptions{AuthURL: ks.URL, Token: unscoped.Token(), Scope: authplugin.Scope{ProjectID: f.projectID}})
	ai := accessOf(t, tok)
	if !ai.ProjectScoped() || !slices.Contains(ai.Methods, "token") || ai.Token() == unscoped.Token() {
		t.Errorf("rescoped: %v %v", ai, ai.Methods)
	}
}

func TestApplicationCredentialPlugin(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	// Application credentials are created by their owner, with a token scoped
	// to the project they are for.
	owner, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password,
		Scope: authplugin.Scope{ProjectID: f.projectID}})
	s, _ := keystone.NewSession(keystone.WithAuth(owner))
	oc, err := identityGen(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	name := uniq("appcred")
	r, err := oc.CreateApplicationCredentialWithResponse(t.Context(), f.userID, v3.ApplicationCredentialCreateRequest{
		ApplicationCredential: v3.ApplicationCredentialCreate{Name: name}})
	if err != nil {
		t.Fatal(err)
	}
	ac := r.JSON201.ApplicationCredential
	secret := *ac.Secret

	byID, _ := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: ks.URL, ID: ac.ID, Secret: secret})
	ai := accessOf(t, byID)
	if ai.ApplicationCredential == nil || ai.ApplicationCredential.ID != ac.ID || ai.Project.ID != f.projectID {
		t.Errorf("by ID: %v %+v", ai, ai.ApplicationCredential)
	}
	byName, _ := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: ks.URL, Name: name,
		User: authplugin.User{Name: f.userName, DomainID: ks.Domain}, Secret: secret})
	if ai := accessOf(t, byName); ai.ApplicationCredential == nil || ai.ApplicationCredential.Name != name {
		t.Errorf("by name: %v", ai)
	}
	wrong, _ := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: ks.URL, ID: ac.ID, Secret: "wrong"})
	s2, _ := keystone.NewSession()
	if _, err := wrong.Token(t.Context(), s2); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("wrong secret: %v", err)
	}
}

// totpCode computes the RFC 6238 passcode Keystone expects.
func totpCode(secret string, at time.Time) string {
	key, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

func newTOTPSecret(t *testing.T, c *v3.ClientWithResponses, userID string) string {
	t.Helper()
	raw := make([]byte, 20)
	rand.Read(raw)
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	r, err := c.CreateCredentialWithResponse(t.Context(), v3.CredentialCreateRequest{Credential: v3.CredentialCreate{Type: "totp", UserID: userID, Blob: secret}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteCredentialWithResponse(cleanupCtx(), r.JSON201.Credential.ID) })
	return secret
}

func TestTOTPAndMultiFactor(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks, func(u *v3.UserCreate) {
		u.Options = &v3.UserOptions{
			MultiFactorAuthEnabled: nullable.NewNullableWithValue(true),
			MultiFactorAuthRules:   nullable.NewNullableWithValue([]v3.UserMFARule{{"password", "totp"}}),
		}
	})
	secret := newTOTPSecret(t, c, f.userID)
	user := authplugin.User{ID: f.userID}
	s, _ := keystone.NewSession()

	// The password alone earns a receipt.
	pw, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: user, Password: f.password, Scope: authplugin.Scope{ProjectID: f.projectID}})
	_, err := pw.Token(t.Context(), s)
	var re *keystone.AuthReceiptError
	if !errors.As(err, &re) || re.Receipt.ID == "" || !slices.Contains(re.Receipt.Methods, "password") {
		t.Fatalf("password alone: %v", err)
	}
	// Continue with the receipt and a TOTP passcode.
	mfa, _ := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.URL, Receipt: re.Receipt, Scope: authplugin.Scope{ProjectID: f.projectID},
		Methods: []authplugin.Method{authplugin.TOTPMethod{User: user, Passcode: totpCode(secret, time.Now())}}})
	ai := accessOf(t, mfa)
	if !slices.Contains(ai.Methods, "totp") || !slices.Contains(ai.Methods, "password") || ai.Project.ID != f.projectID {
		t.Errorf("with the receipt: %v %v", ai, ai.Methods)
	}
	// Both at once, with a passcode function (so it can re-authenticate).
	both, _ := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.URL, Methods: []authplugin.Method{
		authplugin.PasswordMethod{User: user, Password: f.password},
		authplugin.TOTPMethod{User: user, PasscodeFunc: func(context.Context) (string, error) { return totpCode(secret, time.Now()), nil }},
	}})
	if ai := accessOf(t, both); len(ai.Methods) != 2 {
		t.Errorf("both: %v", ai.Methods)
	}
}

func TestTOTPPluginAlone(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	secret := newTOTPSecret(t, c, f.userID)
	a, _ := authplugin.NewTOTP(authplugin.TOTPOptions{AuthURL: ks.URL, User: authplugin.User{Name: f.userName, DomainID: ks.Domain},
		Passcode: totpCode(secret, time.Now()), Scope: authplugin.Scope{ProjectID: f.projectID}})
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	ai, err := a.Access(t.Context(), s)
	if err != nil || !slices.Equal(ai.Methods, []string{"totp"}) {
		t.Fatalf("totp: %v %v", ai, err)
	}
	// The passcode was single-use: once the token is rejected, no new one.
	a.Invalidate(ai.Token())
	if _, err := a.Token(t.Context(), s); !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Errorf("after invalidation: %v", err)
	}
}

func TestTrustScope(t *testing.T) {
	ks, _, c := realKeystone(t)
	trustor := newFixture(t, c, ks)
	trustee := newFixture(t, c, ks)
	// The trustor creates the trust with its own project-scoped token.
	ta, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: trustor.userID}, Password: trustor.password,
		Scope: authplugin.Scope{ProjectID: trustor.projectID}})
	s, _ := keystone.NewSession(keystone.WithAuth(ta))
	tc, _ := identityGen(t.Context(), s)
	r, err := tc.CreateTrustWithResponse(t.Context(), v3.TrustCreateRequest{Trust: v3.TrustCreate{
		TrustorUserID: trustor.userID, TrusteeUserID: trustee.userID, Impersonation: false,
		ProjectID: nullable.NewNullableWithValue(trustor.projectID), Roles: []v3.TrustRoleRef{{ID: &trustor.roleID}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	trustID := r.JSON201.Trust.ID
	t.Cleanup(func() { c.DeleteTrustWithResponse(cleanupCtx(), trustID) })
	a, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: trustee.userID}, Password: trustee.password,
		Scope: authplugin.Scope{TrustID: trustID}})
	ai := accessOf(t, a)
	if !ai.TrustScoped() || ai.Trust.ID != trustID || ai.Trust.TrustorUserID != trustor.userID || ai.Project.ID != trustor.projectID {
		t.Errorf("trust-scoped: %v %+v", ai, ai.Trust)
	}
}

func TestAdminTokenPlugin(t *testing.T) {
	ks := testenv.Require(t)
	if ks.AdminToken == "" {
		if testenv.InCI() {
			t.Fatal("KEYSTONE_ADMIN_TOKEN is not set (scripts/keystone-local.sh sets it)")
		}
		t.Skip("the Keystone has no admin_token")
	}
	a, _ := authplugin.NewAdminToken(ks.URL+"/v3", ks.AdminToken)
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	c, err := identityGen(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.ListDomainsWithResponse(t.Context(), nil)
	if err != nil || len(r.JSON200.Domains) == 0 {
		t.Fatalf("list domains with the admin token: %v", err)
	}
	wrong, _ := authplugin.NewAdminToken(ks.URL, "not-the-admin-token")
	s2, _ := keystone.NewSession(keystone.WithAuth(wrong))
	c2, _ := identityGen(t.Context(), s2)
	_, err = c2.ListDomainsWithResponse(t.Context(), nil)
	if !errors.Is(err, keystone.ErrUnauthorized) || !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Errorf("wrong admin token: %v", err)
	}
}

func TestGenericPluginAndSavedState(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	g, _ := authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password,
		Scope: authplugin.Scope{ProjectID: f.projectID}})
	s, _ := keystone.NewSession(keystone.WithAuth(g))
	ai, err := g.Access(t.Context(), s)
	if err != nil || ai.Version() != "v3" || ai.Project.ID != f.projectID {
		t.Fatalf("generic: %v %v", ai, err)
	}
	state, _ := g.ExportState()
	saved, err := keystone.ParseAccessInfo(state)
	if err != nil {
		t.Fatal(err)
	}
	reused := authplugin.NewFromAccess(saved)
	s2, _ := keystone.NewSession(keystone.WithAuth(reused))
	c2, err := identityGen(t.Context(), s2)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c2.ListAuthProjectsWithResponse(t.Context()); err != nil || len(r.JSON200.Projects) != 1 {
		t.Fatalf("with the saved token: %v", err)
	}
}

func TestReauthenticationAfterRevocation(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	a, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password,
		Scope: authplugin.Scope{ProjectID: f.projectID}})
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	uc, _ := identityGen(t.Context(), s)
	if _, err := uc.ListAuthProjectsWithResponse(t.Context()); err != nil {
		t.Fatal(err)
	}
	old := a.Current().Token()
	// The admin revokes the user's token; the next call re-authenticates once.
	if _, err := c.RevokeTokenWithResponse(t.Context(), &v3.RevokeTokenParams{XSubjectToken: old}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // revocation events have one-second resolution
	if _, err := uc.ListAuthProjectsWithResponse(t.Context()); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if a.Current().Token() == old {
		t.Error("the revoked token is still in use")
	}
}

func TestFileStoreWithRealKeystone(t *testing.T) {
	ks, _, c := realKeystone(t)
	f := newFixture(t, c, ks)
	store, err := keystone.NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mk := func() *keystone.Auth {
		a, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: f.userID}, Password: f.password,
			Scope: authplugin.Scope{ProjectID: f.projectID}}, keystone.WithTokenStore(store))
		return a
	}
	first := accessOf(t, mk())
	second := accessOf(t, mk()) // a new plugin, as another process would build: same token from the store
	if first.Token() != second.Token() {
		t.Error("the second plugin authenticated again instead of using the stored token")
	}
}

func TestSessionAgainstRealKeystone(t *testing.T) {
	ks := testenv.Require(t)
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain}})
	s, _ := keystone.NewSession(keystone.WithAuth(a), keystone.WithLogger(logger))

	// The catalog bootstrap made: identity on three interfaces in the region.
	for _, iface := range []string{"public", "internal", "admin"} {
		u, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", Interfaces: []string{iface}, Region: ks.Region})
		if err != nil || u != ks.URL+"/v3" {
			t.Errorf("%s identity endpoint: %q %v", iface, u, err)
		}
	}
	u, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", MinVersion: "3.0", MaxVersion: "3"})
	if err != nil || u != ks.URL+"/v3/" {
		t.Errorf("versioned identity endpoint: %q %v", u, err)
	}
	if _, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "compute"}); !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Errorf("compute: %v", err)
	}
	d, err := s.Discover(t.Context(), ks.URL)
	if err != nil || d.Versions[0].ID != "v3.14" {
		t.Errorf("discovery: %+v %v", d, err)
	}
	// Errors from the real server are typed.
	c, _ := identityGen(t.Context(), s)
	_, err = c.GetProjectWithResponse(t.Context(), "no-such-project", nil)
	var he *keystone.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 404 || he.RequestID == "" || !strings.Contains(he.Message, "no-such-project") {
		t.Errorf("404: %#v", err)
	}
	mu.Lock()
	text := logs.String()
	mu.Unlock()
	if strings.Contains(text, ks.AdminPassword) || strings.Contains(text, a.Current().Token()) {
		t.Error("the debug log shows the password or the token")
	}
	if !strings.Contains(text, "X-Subject-Token: {SHA256}") || !strings.Contains(text, "curl -g -i -X POST") {
		t.Errorf("the debug log lacks the request or the redacted subject token:\n%.2000s", text)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// identityGen returns the generated Identity v3 client for the identity
// endpoint of s's catalog, with s as its HTTP doer.
func identityGen(ctx context.Context, s *keystone.Session) (*v3.ClientWithResponses, error) {
	u, err := s.EndpointURL(ctx, nil, keystone.EndpointFilter{ServiceType: "identity"})
	if err != nil {
		return nil, err
	}
	return v3.NewClientWithResponses(keystone.UnversionedURL(u), v3.WithHTTPClient(s))
}
