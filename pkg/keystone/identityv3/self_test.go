package identityv3_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// memberOf creates, with the admin client c, a user with a password and the
// member role on the admin project, and returns its ID and password.
func memberOf(t *testing.T, c *identityv3.Client, ks *keystonetest.Server) (string, string) {
	t.Helper()
	ctx := t.Context()
	pw := uniqueName("pw")
	u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: uniqueName("user"), DomainID: new(ks.DomainID), Password: new(pw)}))
	member := must(c.Roles.Find(ctx, "member", nil))
	if err := c.Roles.Grant(ctx, member.ID, identityv3.UserActor(u.ID), identityv3.OnProject(ks.AdminProjectID)); err != nil {
		t.Fatal(err)
	}
	return u.ID, pw
}

// userClient is a client of ks authenticated as userID with password,
// scoped to the admin project, and its auth plugin.
func userClient(t *testing.T, ks *keystonetest.Server, userID, password string) (*identityv3.Client, *keystone.Auth) {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.AuthURL(), User: authplugin.User{ID: userID},
		Password: password, Scope: authplugin.Scope{ProjectID: ks.AdminProjectID}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := identityv3.NewClientAt(newSession(t, keystone.WithAuth(a)), ks.AuthURL())
	if err != nil {
		t.Fatal(err)
	}
	return c, a
}

// passwordWorks reports whether userID can authenticate with password.
func passwordWorks(t *testing.T, ks *keystonetest.Server, userID, password string) error {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.AuthURL(), User: authplugin.User{ID: userID}, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Access(t.Context(), newSession(t))
	return err
}

// UpdateOwnPassword changes the password of the session's user, found from
// its token, as keystoneclient's users.update_password(old, new).
func TestUsersUpdateOwnPassword(t *testing.T) {
	ks, admin := fakeClient(t)
	ctx := t.Context()
	userID, pw := memberOf(t, admin, ks)
	c, _ := userClient(t, ks, userID, pw)

	before := ks.RequestCount("")
	for _, args := range [][2]string{{"", "new"}, {pw, ""}} {
		if err := c.Users.UpdateOwnPassword(ctx, args[0], args[1]); !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("UpdateOwnPassword(%q, %q): %v, want ErrInvalidArgument", args[0], args[1], err)
		}
	}
	if n := ks.RequestCount(""); n != before {
		t.Errorf("%d requests for invalid arguments", n-before)
	}
	if err := c.Users.UpdateOwnPassword(ctx, "wrong", "new-"+pw); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("wrong current password: %v, want ErrUnauthorized", err)
	}
	newPW := "new-" + pw
	if err := c.Users.UpdateOwnPassword(ctx, pw, newPW); err != nil {
		t.Fatal(err)
	}
	if n := ks.RequestCount("POST /v3/users/" + userID + "/password"); n != 2 {
		t.Errorf("%d password changes of the session's user, want 2", n)
	}
	if err := passwordWorks(t, ks, userID, pw); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("old password after the change: %v, want ErrUnauthorized", err)
	}
	if err := passwordWorks(t, ks, userID, newPW); err != nil {
		t.Errorf("new password: %v", err)
	}
	// The admin's own client changes the admin's password, not the user's.
	if err := admin.Users.UpdateOwnPassword(ctx, ks.AdminPassword, "admin-2"); err != nil {
		t.Fatal(err)
	}
	if n := ks.RequestCount("POST /v3/users/" + ks.AdminUserID + "/password"); n != 1 {
		t.Errorf("%d password changes of the admin, want 1", n)
	}
	if err := passwordWorks(t, ks, ks.AdminUserID, "admin-2"); err != nil {
		t.Errorf("admin's new password: %v", err)
	}
}

// Without an auth plugin there is no session user: nothing is sent.
func TestOwnCallsNeedAnAuthPlugin(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	c, err := identityv3.NewClientAt(newSession(t), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Users.UpdateOwnPassword(t.Context(), "a", "b"); !errors.Is(err, keystone.ErrMissingAuthPlugin) {
		t.Errorf("UpdateOwnPassword: %v, want ErrMissingAuthPlugin", err)
	}
	if _, err := c.ApplicationCredentials.CreateOwn(t.Context(), identityv3.ApplicationCredentialCreate{Name: "x"}); !errors.Is(err, keystone.ErrMissingAuthPlugin) {
		t.Errorf("CreateOwn: %v, want ErrMissingAuthPlugin", err)
	}
	if n.Load() != 0 {
		t.Errorf("%d requests sent", n.Load())
	}
}

// CreateOwn creates an application credential for the session's user, as
// keystoneclient's application_credentials.create(name) without a user.
func TestApplicationCredentialsCreateOwn(t *testing.T) {
	ks, admin := fakeClient(t)
	ctx := t.Context()
	userID, pw := memberOf(t, admin, ks)
	c, _ := userClient(t, ks, userID, pw)

	ac, err := c.ApplicationCredentials.CreateOwn(ctx, identityv3.ApplicationCredentialCreate{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if ac.Secret == nil || *ac.Secret == "" || ac.ProjectID == nil || *ac.ProjectID != ks.AdminProjectID {
		t.Fatalf("created %+v", ac)
	}
	if n := ks.RequestCount("POST /v3/users/" + userID + "/application_credentials"); n != 1 {
		t.Errorf("%d creations for the session's user, want 1", n)
	}
	// The credential is the user's: listed under it, and its tokens are the user's.
	if got := must(admin.ApplicationCredentials.Get(ctx, userID, ac.ID)); got.Name != "ci" {
		t.Errorf("got %+v", got)
	}
	a, err := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: ks.AuthURL(), ID: ac.ID, Secret: *ac.Secret})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := a.Access(ctx, newSession(t))
	if err != nil {
		t.Fatal(err)
	}
	if ai.User.ID != userID {
		t.Errorf("the credential's token is %s's, want %s's", ai.User.ID, userID)
	}
	if _, err := c.ApplicationCredentials.CreateOwn(ctx, identityv3.ApplicationCredentialCreate{Name: "ci"}); !errors.Is(err, keystone.ErrConflict) {
		t.Errorf("same name again: %v, want ErrConflict", err)
	}
}

// Validate sends OpenStack-Identity-Access-Rules when AccessRulesSupport is
// set, and only then.
func TestTokensValidateAccessRulesHeader(t *testing.T) {
	var got atomic.Value
	got.Store([]string(nil))
	srv, _, _ := tokenServer(t)
	spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Values("OpenStack-Identity-Access-Rules"))
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(spy.Close)
	c := adminTokenClient(t, spy.URL)
	ctx := t.Context()
	if _, err := c.Tokens.Validate(ctx, "subject-tok", &identityv3.ValidateOptions{AccessRulesSupport: identityv3.AccessRulesVersion1}); err != nil {
		t.Fatal(err)
	}
	if h := got.Load().([]string); len(h) != 1 || h[0] != "1.0" {
		t.Errorf("header %q, want [1.0]", h)
	}
	for _, opts := range []*identityv3.ValidateOptions{nil, {NoCatalog: true}} {
		if _, err := c.Tokens.Validate(ctx, "subject-tok", opts); err != nil {
			t.Fatal(err)
		}
		if h := got.Load().([]string); len(h) != 0 {
			t.Errorf("header %q sent without AccessRulesSupport", h)
		}
	}
}

// On the in-memory Keystone: the token of an application credential with
// access rules validates with the header (the fake does not enforce its
// absence; the contract suite checks Keystone's 404 on the real one).
func TestTokensValidateAccessRulesFake(t *testing.T) {
	ks, admin := fakeClient(t)
	ctx := t.Context()
	ac, err := admin.ApplicationCredentials.CreateOwn(ctx, identityv3.ApplicationCredentialCreate{Name: "restricted-ac",
		AccessRules: []identityv3.ApplicationCredentialAccessRuleCreate{{Service: new("compute"), Path: new("/v2.1/servers"), Method: new("GET")}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: ks.AuthURL(), ID: ac.ID, Secret: *ac.Secret})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := a.Access(ctx, newSession(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := admin.Tokens.Validate(ctx, ai.Token(), &identityv3.ValidateOptions{AccessRulesSupport: identityv3.AccessRulesVersion1})
	if err != nil {
		t.Fatal(err)
	}
	if got.User.ID != ks.AdminUserID {
		t.Errorf("validated a token of %s", got.User.ID)
	}
	if h := ks.LastRequest("GET /v3/auth/tokens").Header.Get("OpenStack-Identity-Access-Rules"); h != "1.0" {
		t.Errorf("header %q", h)
	}
}

// The revocation list of PKI tokens is gone: the typed error Keystone
// answers (403 from Keystone 22 and the fake), with or without
// audit_id_only, which is sent only when asked for.
func TestTokensRevokedPKI(t *testing.T) {
	ks, c := fakeClient(t)
	ctx := t.Context()
	if _, err := c.Tokens.RevokedPKI(ctx); !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("RevokedPKI: %v, want ErrForbidden", err)
	}
	if q := ks.LastRequest("GET /v3/auth/tokens/OS-PKI/revoked").URL.RawQuery; q != "" {
		t.Errorf("query %q", q)
	}
	_, err := c.Tokens.RevokedPKIWith(ctx, &identityv3.RevokedPKIOptions{AuditIDOnly: true})
	var he *keystone.HTTPError
	if !errors.Is(err, keystone.ErrForbidden) || !errors.As(err, &he) || he.StatusCode != http.StatusForbidden {
		t.Errorf("RevokedPKIWith(audit_id_only): %v, want a 403 *keystone.HTTPError", err)
	}
	if q := ks.LastRequest("GET /v3/auth/tokens/OS-PKI/revoked").URL.Query(); !q.Has("audit_id_only") {
		t.Errorf("query %v: no audit_id_only", q)
	}
	if _, err := c.Tokens.RevokedPKIWith(ctx, &identityv3.RevokedPKIOptions{}); !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("RevokedPKIWith(zero options): %v", err)
	}
	if q := ks.LastRequest("GET /v3/auth/tokens/OS-PKI/revoked").URL.RawQuery; q != "" {
		t.Errorf("query %q with AuditIDOnly false", q)
	}
}
