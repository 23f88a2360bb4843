//go:build integration

package contract

import (
	"errors"
	"net/http"
	"testing"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// python-keystoneclient parity (issue 16): the access rules header of
// tokens.validate, tokens.get_revoked(audit_id_only=True), and the calls on
// the session's own user (users.update_password, application_credentials.create
// without a user), through the SDK's managers.

// validatorTransport sends a session's requests through the suite's
// validator, so that the SDK's managers are held to the spec too.
type validatorTransport struct{}

func (validatorTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return validator.Do(req)
}

// sdkClientAs returns an identityv3 client of the backend authenticated as
// userID with password, scoped to projectID, whose exchanges the suite
// validates.
func sdkClientAs(t testing.TB, userID, password, projectID string) *identityv3.Client {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: userID},
		Password: password, Scope: authplugin.Scope{ProjectID: projectID}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(keystone.WithAuth(a), keystone.WithTransport(validatorTransport{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.CloseIdleConnections)
	c, err := identityv3.NewClientAt(s, ks.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// keystoneclient's tokens.validate(token, access_rules_support=…) sends
// OpenStack-Identity-Access-Rules: Keystone validates the token of an
// application credential with access rules only for a caller that names a
// version of at least 1.0 (404 otherwise); other tokens validate either way.
func TestAccessRulesHeaderOnValidate(t *testing.T) {
	owner, _, oc := userWithRole(t, "member")
	ruled := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{
		AccessRules: []v3.ApplicationCredentialAccessRuleCreate{{
			Service: ptr("compute"), Path: ptr("/v2.1/servers"), Method: ptr(v3.ApplicationCredentialAccessRuleCreateMethodGET),
		}},
	})
	plain := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{})
	ruledToken, _ := issue(t, appCredByID(ruled.ID, *ruled.Secret))
	plainToken, _ := issue(t, appCredByID(plain.ID, *plain.Secret))

	t.Run("with the header", func(t *testing.T) {
		for _, tok := range []string{ruledToken, plainToken} {
			v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: tok, OpenStackIdentityAccessRules: ptr("1.0")})
			expect(t, v, err, 200)
			if v.JSON200.Token.User.ID != owner.ID {
				t.Errorf("validated a token of %s, want %s", v.JSON200.Token.User.ID, owner.ID)
			}
			h, err := adm.CheckTokenWithResponse(t.Context(), &v3.CheckTokenParams{XSubjectToken: tok, OpenStackIdentityAccessRules: ptr("1.0")})
			expect(t, h, err, 200)
		}
	})
	t.Run("without access rules", func(t *testing.T) {
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: plainToken})
		expect(t, v, err, 200)
	})
	t.Run("without the header", func(t *testing.T) {
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: ruledToken})
		expectError(t, v, err, 404)
		v, err = adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: ruledToken, OpenStackIdentityAccessRules: ptr("0.9")})
		expectError(t, v, err, 404)
		h, err := adm.CheckTokenWithResponse(t.Context(), &v3.CheckTokenParams{XSubjectToken: ruledToken})
		expect(t, h, err, 404)
	})
	t.Run("sdk", func(t *testing.T) {
		c := sdkClientAs(t, adminUser, ks.AdminPassword, adminProj)
		ai, err := c.Tokens.Validate(t.Context(), ruledToken, &identityv3.ValidateOptions{AccessRulesSupport: identityv3.AccessRulesVersion1})
		if err != nil || ai.User.ID != owner.ID {
			t.Fatalf("Validate with AccessRulesSupport: %v %v", ai, err)
		}
		if _, err := c.Tokens.Validate(t.Context(), ruledToken, nil); !errors.Is(err, keystone.ErrNotFound) {
			t.Errorf("Validate without AccessRulesSupport: %v, want ErrNotFound", err)
		}
	})
}

// keystoneclient's tokens.get_revoked(audit_id_only=True) sends
// ?audit_id_only: Keystone 22 answers as without it (403, PKI tokens are
// gone), and the SDK returns the typed error.
func TestRevokedPKIAuditIDOnly(t *testing.T) {
	for name, c := range map[string]*v3.ClientWithResponses{"no token": anon, "admin": adm} {
		t.Run(name, func(t *testing.T) {
			p, err := c.ListRevokedPKITokensWithResponse(t.Context(), &v3.ListRevokedPKITokensParams{AuditIDOnly: ptr(true)})
			expectError(t, p, err, 403)
		})
	}
	t.Run("sdk", func(t *testing.T) {
		c := sdkClientAs(t, adminUser, ks.AdminPassword, adminProj)
		for _, opts := range []*identityv3.RevokedPKIOptions{nil, {AuditIDOnly: true}} {
			_, err := c.Tokens.RevokedPKIWith(t.Context(), opts)
			var he *keystone.HTTPError
			if !errors.Is(err, keystone.ErrForbidden) || !errors.As(err, &he) || he.StatusCode != 403 {
				t.Errorf("RevokedPKIWith(%+v): %v, want a 403 *keystone.HTTPError", opts, err)
			}
		}
	})
}

// keystoneclient's users.update_password(old, new) and
// application_credentials.create(name) act on the session's user: the SDK's
// UpdateOwnPassword and CreateOwn find it from the session's token.
func TestSelfCalls(t *testing.T) {
	u, pw := userWithPassword(t)
	p := newProject(t, v3.ProjectCreate{})
	gr, err := adm.GrantProjectUserRoleWithResponse(t.Context(), p.ID, u.ID, roleID(t, "member"))
	expect(t, gr, err, 204)
	c := sdkClientAs(t, u.ID, pw, p.ID)
	ctx := t.Context()

	ac, err := c.ApplicationCredentials.CreateOwn(ctx, identityv3.ApplicationCredentialCreate{Name: uniq("own")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		deleteQuietly(t, "application credential "+ac.ID, func() (response, error) {
			return adm.DeleteApplicationCredentialWithResponse(cleanupCtx(), u.ID, ac.ID)
		})
	})
	g, err := adm.GetApplicationCredentialWithResponse(ctx, u.ID, ac.ID)
	expect(t, g, err, 200)
	if ac.ProjectID == nil || *ac.ProjectID != p.ID || ac.Secret == nil {
		t.Errorf("created %+v", ac)
	}
	tok, body := issue(t, appCredByID(ac.ID, *ac.Secret))
	if tok == "" || body.User.ID != u.ID {
		t.Errorf("the credential's token is %s's, want %s's", body.User.ID, u.ID)
	}

	if err := c.Users.UpdateOwnPassword(ctx, "wrong-"+pw, "new-"+pw); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("wrong current password: %v, want ErrUnauthorized", err)
	}
	if err := c.Users.UpdateOwnPassword(ctx, pw, "new-"+pw); err != nil {
		t.Fatal(err)
	}
	old, err := anon.IssueTokenWithResponse(ctx, nil, passwordByID(u.ID, pw, nil))
	expectError(t, old, err, 401)
	issue(t, passwordByID(u.ID, "new-"+pw, nil))
}
