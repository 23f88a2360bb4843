package keystonetest_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// adminClient authenticates as the fake's administrator through the SDK.
func adminClient(t *testing.T, srv *keystonetest.Server) (*identityv3.Client, *keystone.Auth) {
	t.Helper()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  srv.AuthURL(),
		User:     authplugin.User{Name: srv.AdminUser, DomainID: srv.DomainID},
		Password: srv.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: srv.AdminProject, ProjectDomainID: srv.DomainID},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		t.Fatal(err)
	}
	c, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return c, auth
}

func TestBootstrapAndCatalog(t *testing.T) {
	srv := keystonetest.NewServer(t)
	c, auth := adminClient(t, srv)
	ai, err := auth.Access(t.Context(), c.Session())
	if err != nil {
		t.Fatal(err)
	}
	if ai.User.ID != srv.AdminUserID || ai.Project == nil || ai.Project.ID != srv.AdminProjectID {
		t.Fatalf("token user %+v project %+v", ai.User, ai.Project)
	}
	roles := map[string]bool{}
	for _, r := range ai.Roles {
		roles[r.Name] = true
	}
	if !roles["admin"] || !roles["member"] || !roles["reader"] {
		t.Errorf("roles %v: want admin and the roles it implies", ai.Roles)
	}
	url, err := c.Session().EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", Interfaces: []string{"internal"}, Region: srv.Region})
	if err != nil || url != srv.URL+"/v3/" {
		t.Errorf("identity endpoint %q, %v", url, err)
	}
}

// A user created through the SDK can authenticate once granted a role, loses
// access when the grant is revoked, and its token dies with its password.
func TestUserLifecycle(t *testing.T) {
	srv := keystonetest.NewServer(t)
	c, _ := adminClient(t, srv)
	ctx := t.Context()
	p, err := c.Projects.Create(ctx, identityv3.ProjectCreate{Name: "demo", DomainID: new(srv.DomainID)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.Users.Create(ctx, identityv3.UserCreate{Name: "alice", Password: new("pw-1"), DefaultProjectID: new(p.ID)})
	if err != nil {
		t.Fatal(err)
	}
	member, err := c.Roles.Find(ctx, "member", nil)
	if err != nil {
		t.Fatal(err)
	}
	login := func(password string) (*keystone.AccessInfo, error) {
		a, err := authplugin.NewPassword(authplugin.PasswordOptions{
			AuthURL: srv.AuthURL(), User: authplugin.User{ID: u.ID}, Password: password,
			Scope: authplugin.Scope{ProjectID: p.ID},
		})
		if err != nil {
			return nil, err
		}
		s, err := keystone.NewSession(keystone.WithAuth(a))
		if err != nil {
			return nil, err
		}
		return a.Access(ctx, s)
	}
	if _, err := login("pw-1"); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("login without a role: %v, want ErrUnauthorized", err)
	}
	if err := c.Roles.Grant(ctx, member.ID, identityv3.UserActor(u.ID), identityv3.OnProject(p.ID)); err != nil {
		t.Fatal(err)
	}
	ai, err := login("pw-1")
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project.Name != "demo" || len(ai.Roles) != 2 { // member, and reader which it implies
		t.Errorf("project %+v roles %+v", ai.Project, ai.Roles)
	}
	if _, err := login("wrong"); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := c.Tokens.Validate(ctx, ai.Token(), nil); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if _, err := c.Users.Update(ctx, u.ID, identityv3.UserUpdate{Password: new("pw-2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tokens.Validate(ctx, ai.Token(), nil); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("token after a password change: %v, want ErrNotFound", err)
	}
	if err := c.Roles.Revoke(ctx, member.ID, identityv3.UserActor(u.ID), identityv3.OnProject(p.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := login("pw-2"); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("login after the revocation: %v", err)
	}
}

// Tokens expire with the server's clock, and the SDK refreshes them ahead of
// expiry, once.
func TestTokenExpiry(t *testing.T) {
	srv := keystonetest.NewServer(t, keystonetest.WithTokenLifetime(10*time.Minute))
	c, auth := adminClient(t, srv)
	ctx := t.Context()
	first, err := auth.Token(ctx, c.Session())
	if err != nil {
		t.Fatal(err)
	}
	issued := srv.TokenCount()
	srv.Advance(11 * time.Minute)
	if _, err := c.Tokens.Validate(ctx, first, nil); err == nil {
		t.Fatal("an expired token still validates")
	}
	// Within Keystone's allow_expired_window (48 h), allow_expired accepts it.
	if ai, err := c.Tokens.Validate(ctx, first, &identityv3.ValidateOptions{AllowExpired: true}); err != nil || ai.Token() != first {
		t.Fatalf("allow_expired: %v", err)
	}
	if ok, err := c.Tokens.Check(ctx, first, true); !ok || err != nil {
		t.Fatalf("allow_expired (HEAD): %v %v", ok, err)
	}
	if ok, _ := c.Tokens.Check(ctx, first, false); ok {
		t.Fatal("HEAD without allow_expired accepts an expired token")
	}
	// The SDK's own token has expired too: the next call gets a 401, the SDK
	// re-authenticates once and retries.
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := srv.TokenCount() - issued; n != 1 {
		t.Errorf("%d authentications after expiry, want 1", n)
	}
}

func TestErrorsAreKeystones(t *testing.T) {
	srv := keystonetest.NewServer(t)
	c, _ := adminClient(t, srv)
	ctx := t.Context()
	_, err := c.Projects.Get(ctx, "no-such-project", nil)
	var he *keystone.HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound || !strings.Contains(he.Message, "no-such-project") {
		t.Errorf("get unknown project: %v", err)
	}
	if _, err := c.Domains.Create(ctx, identityv3.DomainCreate{Name: "Default"}); !errors.Is(err, keystone.ErrConflict) {
		t.Errorf("duplicate domain: %v", err)
	}
	if err := c.Domains.Delete(ctx, srv.DomainID); !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("delete an enabled domain: %v", err)
	}

	// Raw requests: no token, unknown path, wrong method.
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/v3/projects", 401},
		{"GET", "/v3/no-such-thing", 404},
		{"PUT", "/v3/projects", 405},
	} {
		req, _ := http.NewRequestWithContext(ctx, tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, body)
		}
	}
}

// Requests that do not conform to the spec are answered 400, as Keystone's
// schema validation does, and reported.
func TestInvalidRequestsAreRefusedAndRecorded(t *testing.T) {
	srv := keystonetest.NewServer(t)
	c, auth := adminClient(t, srv)
	token, err := auth.Token(t.Context(), c.Session())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/v3/projects", strings.NewReader(`{"project": {}}`))
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if f := srv.Failures(); len(f) != 1 || !strings.Contains(f[0].Error(), "createProject") {
		t.Errorf("failures %v", f)
	}
}

func TestApplicationCredentialAuth(t *testing.T) {
	srv := keystonetest.NewServer(t)
	c, _ := adminClient(t, srv)
	ctx := t.Context()
	ac, err := c.ApplicationCredentials.Create(ctx, srv.AdminUserID, identityv3.ApplicationCredentialCreate{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{
		AuthURL: srv.AuthURL(), ID: ac.ID, Secret: *ac.Secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	ai, err := a.Access(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.ID != srv.AdminProjectID || ai.ApplicationCredential == nil {
		t.Errorf("project %+v app cred %+v", ai.Project, ai.ApplicationCredential)
	}
	if err := c.ApplicationCredentials.Delete(ctx, srv.AdminUserID, ac.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tokens.Validate(ctx, ai.Token(), nil); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("token of a deleted credential: %v", err)
	}
}

// totpNow computes the current RFC 6238 passcode for a base32 secret.
func totpNow(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

// The SDK's multi-factor flow: the password earns an auth receipt, TOTP with
// the receipt completes it.
func TestMultiFactorWithReceipt(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := keystonetest.NewServer(t, keystonetest.WithClock(func() time.Time { return now }))
	c, _ := adminClient(t, srv)
	ctx := t.Context()
	u, err := c.Users.Create(ctx, identityv3.UserCreate{Name: "carol", Password: new("pw-mfa"),
		Options: &identityv3.UserOptions{MultiFactorAuthEnabled: new(true), MultiFactorAuthRules: [][]string{{"password", "totp"}}}})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if _, err := c.Credentials.Create(ctx, identityv3.CredentialCreate{Type: "totp", UserID: u.ID, Blob: secret}); err != nil {
		t.Fatal(err)
	}
	user := authplugin.User{ID: u.ID}
	first, _ := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: srv.AuthURL(),
		Methods: []authplugin.Method{authplugin.PasswordMethod{User: user, Password: "pw-mfa"}}})
	s, _ := keystone.NewSession(keystone.WithAuth(first))
	_, err = first.Token(ctx, s)
	var re *keystone.AuthReceiptError
	if !errors.As(err, &re) || !errors.Is(err, keystone.ErrAuthReceiptRequired) {
		t.Fatalf("password alone: %v, want an auth receipt", err)
	}
	second, _ := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: srv.AuthURL(), Receipt: re.Receipt,
		Methods: []authplugin.Method{authplugin.TOTPMethod{User: user, Passcode: totpNow(t, secret, now)}}})
	s2, _ := keystone.NewSession(keystone.WithAuth(second))
	ai, err := second.Access(ctx, s2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ai.Methods, "password") || !slices.Contains(ai.Methods, "totp") {
		t.Errorf("methods %v", ai.Methods)
	}
	wrong, _ := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: srv.AuthURL(),
		Methods: []authplugin.Method{authplugin.PasswordMethod{User: user, Password: "pw-mfa"}, authplugin.TOTPMethod{User: user, Passcode: "000000"}}})
	s3, _ := keystone.NewSession(keystone.WithAuth(wrong))
	if totpNow(t, secret, now) != "000000" {
		if _, err := wrong.Token(ctx, s3); !errors.Is(err, keystone.ErrAuthorizationFailure) {
			t.Errorf("wrong passcode: %v", err)
		}
	}
}

// TestAllowExpiredWindow: allow_expired accepts a token up to 48 hours after
// its expiry (Keystone's default allow_expired_window), not later.
func TestAllowExpiredWindow(t *testing.T) {
	srv := keystonetest.NewServer(t, keystonetest.WithTokenLifetime(time.Hour))
	c, auth := adminClient(t, srv)
	ctx := t.Context()
	tok, err := auth.Token(ctx, c.Session())
	if err != nil {
		t.Fatal(err)
	}
	srv.Advance(48 * time.Hour) // 47 h after expiry
	if _, err := c.Tokens.Validate(ctx, tok, &identityv3.ValidateOptions{AllowExpired: true}); err != nil {
		t.Errorf("47 h after expiry: %v", err)
	}
	srv.Advance(2 * time.Hour) // 49 h after expiry
	if _, err := c.Tokens.Validate(ctx, tok, &identityv3.ValidateOptions{AllowExpired: true}); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("49 h after expiry: %v, want ErrNotFound", err)
	}
}
