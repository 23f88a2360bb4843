//go:build integration

package contract

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// Application credentials, access rules, trusts (OS-TRUST) and inherited
// grants (OS-INHERIT).

// newAppCred creates an application credential for userID with the client c
// (whose token must belong to userID) and deletes it when t ends.
func newAppCred(t testing.TB, c *v3.ClientWithResponses, userID string, create v3.ApplicationCredentialCreate) v3.ApplicationCredential {
	t.Helper()
	if create.Name == "" {
		create.Name = uniq("appcred")
	}
	r, err := c.CreateApplicationCredentialWithResponse(t.Context(), userID,
		v3.ApplicationCredentialCreateRequest{ApplicationCredential: create})
	expect(t, r, err, 201)
	ac := r.JSON201.ApplicationCredential
	t.Cleanup(func() {
		deleteQuietly(t, "application credential "+ac.ID, func() (response, error) {
			return adm.DeleteApplicationCredentialWithResponse(cleanupCtx(), userID, ac.ID)
		})
	})
	return ac
}

// appCredByID authenticates with an application credential's ID and secret.
func appCredByID(id, secret string) v3.AuthRequest {
	return v3.AuthRequest{Auth: v3.Auth{Identity: v3.AuthIdentity{
		Methods:               []string{"application_credential"},
		ApplicationCredential: &v3.AuthApplicationCredential{ID: &id, Secret: secret},
	}}}
}

// appCredByName authenticates with an application credential's name, its
// owner and its secret.
func appCredByName(name string, user v3.AuthUser, secret string) v3.AuthRequest {
	return v3.AuthRequest{Auth: v3.Auth{Identity: v3.AuthIdentity{
		Methods:               []string{"application_credential"},
		ApplicationCredential: &v3.AuthApplicationCredential{Name: &name, User: &user, Secret: secret},
	}}}
}

func trustScope(id string) *v3.AuthScopeRequest {
	return scopeOf(v3.AuthScope{OSTRUSTTrust: &v3.AuthScopeTrust{ID: id}})
}

// userWithPassword creates a user with a password; it returns the user and
// the password.
func userWithPassword(t testing.TB) (v3.User, string) {
	t.Helper()
	pw := uniq("pw")
	return newUser(t, v3.UserCreate{Password: nullable.NewNullableWithValue(pw)}), pw
}

// trustor creates a user with the member role (and so, by implication, reader)
// on a new project, and returns the user, the project and a client with a
// token scoped to it.
func trustor(t testing.TB) (v3.User, v3.Project, *v3.ClientWithResponses) {
	t.Helper()
	return userWithRole(t, "member")
}

// newTrust creates a trust with the client c (the trustor's) and deletes it
// when t ends.
func newTrust(t testing.TB, c *v3.ClientWithResponses, create v3.TrustCreate) v3.Trust {
	t.Helper()
	r, err := c.CreateTrustWithResponse(t.Context(), v3.TrustCreateRequest{Trust: create})
	expect(t, r, err, 201)
	tr := r.JSON201.Trust
	t.Cleanup(func() {
		deleteQuietly(t, "trust "+tr.ID, func() (response, error) { return adm.DeleteTrustWithResponse(cleanupCtx(), tr.ID) })
	})
	return tr
}

func appCredIDs(l []v3.ApplicationCredential) []string {
	out := make([]string, 0, len(l))
	for _, a := range l {
		out = append(out, a.ID)
	}
	return out
}

func trustIDs(l []v3.Trust) []string {
	out := make([]string, 0, len(l))
	for _, tr := range l {
		out = append(out, tr.ID)
	}
	return out
}

func tokenRoleNames(tok v3.Token) []string {
	out := make([]string, 0, len(tok.Roles))
	for _, r := range tok.Roles {
		out = append(out, r.Name)
	}
	return out
}

func TestApplicationCredentials(t *testing.T) {
	owner, project, oc := trustor(t)
	readerRole := roleID(t, "reader")
	memberRole := roleID(t, "member")
	expires := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	secret := uniq("secret")
	service := uniq("svc")

	full := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{
		Description: nullable.NewNullableWithValue("contract credential"),
		Secret:      nullable.NewNullableWithValue(secret),
		ExpiresAt:   nullable.NewNullableWithValue(expires),
		Roles:       []v3.ApplicationCredentialRoleRef{{Name: ptr("reader")}},
		AccessRules: []v3.ApplicationCredentialAccessRuleCreate{{
			Service: &service, Path: ptr("/v2.1/servers/*/ips"), Method: ptr(v3.ApplicationCredentialAccessRuleCreateMethodGET),
		}},
		Unrestricted: ptr(false),
	})
	minimal := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{})
	unrestricted := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{Unrestricted: ptr(true)})
	if len(full.AccessRules) != 1 {
		t.Fatalf("access rules of %+v", full)
	}
	rule := full.AccessRules[0]

	t.Run("createApplicationCredential", func(t *testing.T) {
		if full.Secret == nil || *full.Secret != secret || full.UserID != owner.ID || full.ProjectID.MustGet() != project.ID {
			t.Errorf("created %+v", full)
		}
		if full.Description.MustGet() != "contract credential" || full.Unrestricted.MustGet() || !full.System.IsNull() || full.Links.Self == "" {
			t.Errorf("created %+v", full)
		}
		if got := full.ExpiresAt.MustGet(); !strings.HasPrefix(got, expires.Format("2006-01-02T15:04:05")) || strings.HasSuffix(got, "Z") {
			t.Errorf("expires_at %q, want %s without a zone", got, expires)
		}
		if len(full.Roles) != 1 || full.Roles[0].ID != readerRole || full.Roles[0].Name != "reader" || !full.Roles[0].DomainID.IsNull() {
			t.Errorf("roles %+v", full.Roles)
		}
		if rule.ID == "" || rule.Service != service || rule.Path != "/v2.1/servers/*/ips" || rule.Method != "GET" {
			t.Errorf("access rule %+v", rule)
		}
		// Defaults: a generated secret, the token's roles, no expiry, unrestricted null.
		if minimal.Secret == nil || len(*minimal.Secret) < 32 || !minimal.ExpiresAt.IsNull() || !minimal.Unrestricted.IsNull() {
			t.Errorf("minimal %+v", minimal)
		}
		if !minimal.Description.IsNull() || minimal.AccessRules != nil {
			t.Errorf("minimal %+v", minimal)
		}
		var roles []string
		for _, r := range minimal.Roles {
			roles = append(roles, r.ID)
		}
		if !slices.Contains(roles, memberRole) || !slices.Contains(roles, readerRole) {
			t.Errorf("minimal roles %v, want the token's member and reader", roles)
		}
		if !unrestricted.Unrestricted.MustGet() {
			t.Errorf("unrestricted %+v", unrestricted)
		}
		// An access rule given by ID, or identical to an existing one, is reused.
		byID := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{
			AccessRules: []v3.ApplicationCredentialAccessRuleCreate{{ID: &rule.ID}},
		})
		same := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{
			AccessRules: []v3.ApplicationCredentialAccessRuleCreate{{
				Service: &service, Path: &rule.Path, Method: ptr(v3.ApplicationCredentialAccessRuleCreateMethodGET),
			}},
		})
		for _, a := range []v3.ApplicationCredential{byID, same} {
			if len(a.AccessRules) != 1 || a.AccessRules[0].ID != rule.ID {
				t.Errorf("access rule not reused: %+v", a.AccessRules)
			}
		}
	})

	t.Run("listApplicationCredentials", func(t *testing.T) {
		r, err := oc.ListApplicationCredentialsWithResponse(t.Context(), owner.ID, nil)
		expect(t, r, err, 200)
		got := appCredIDs(r.JSON200.ApplicationCredentials)
		for _, id := range []string{full.ID, minimal.ID, unrestricted.ID} {
			if !slices.Contains(got, id) {
				t.Errorf("%s missing from %v", id, got)
			}
		}
		for _, a := range r.JSON200.ApplicationCredentials {
			if a.Secret != nil {
				t.Errorf("secret listed for %s", a.ID)
			}
		}
		r, err = oc.ListApplicationCredentialsWithResponse(t.Context(), owner.ID, &v3.ListApplicationCredentialsParams{Name: &full.Name})
		expect(t, r, err, 200)
		if got := appCredIDs(r.JSON200.ApplicationCredentials); !slices.Equal(got, []string{full.ID}) {
			t.Errorf("name filter: %v", got)
		}
		r, err = oc.ListApplicationCredentialsWithResponse(t.Context(), owner.ID, &v3.ListApplicationCredentialsParams{Name: ptr(uniq("none"))})
		expect(t, r, err, 200)
		if len(r.JSON200.ApplicationCredentials) != 0 {
			t.Errorf("unknown name: %v", appCredIDs(r.JSON200.ApplicationCredentials))
		}
		// An administrator may list them; an unknown user has none (no 404).
		r, err = adm.ListApplicationCredentialsWithResponse(t.Context(), owner.ID, nil)
		expect(t, r, err, 200)
		if !slices.Contains(appCredIDs(r.JSON200.ApplicationCredentials), full.ID) {
			t.Errorf("admin listing misses %s", full.ID)
		}
		r, err = adm.ListApplicationCredentialsWithResponse(t.Context(), "no-such-user", nil)
		expect(t, r, err, 200)
		if len(r.JSON200.ApplicationCredentials) != 0 {
			t.Errorf("unknown user: %v", r.JSON200.ApplicationCredentials)
		}
		r, err = reader(t).ListApplicationCredentialsWithResponse(t.Context(), owner.ID, nil)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").ListApplicationCredentialsWithResponse(t.Context(), owner.ID, nil)
		expectError(t, r, err, 401)
	})

	t.Run("getApplicationCredential", func(t *testing.T) {
		r, err := oc.GetApplicationCredentialWithResponse(t.Context(), owner.ID, full.ID)
		expect(t, r, err, 200)
		got := r.JSON200.ApplicationCredential
		if got.ID != full.ID || got.Name != full.Name || got.Secret != nil || len(got.AccessRules) != 1 || got.ExpiresAt.MustGet() != full.ExpiresAt.MustGet() {
			t.Errorf("got %+v", got)
		}
		r, err = oc.GetApplicationCredentialWithResponse(t.Context(), owner.ID, "no-such-credential")
		expectError(t, r, err, 404)
		r, err = reader(t).GetApplicationCredentialWithResponse(t.Context(), owner.ID, full.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").GetApplicationCredentialWithResponse(t.Context(), owner.ID, full.ID)
		expectError(t, r, err, 401)
	})

	t.Run("listAccessRules", func(t *testing.T) {
		ids := func(p *v3.ListAccessRulesParams) []string {
			t.Helper()
			r, err := oc.ListAccessRulesWithResponse(t.Context(), owner.ID, p)
			expect(t, r, err, 200)
			var out []string
			for _, a := range r.JSON200.AccessRules {
				if a.Links.Self == "" {
					t.Errorf("no self link: %+v", a)
				}
				out = append(out, a.ID)
			}
			return out
		}
		for _, p := range []*v3.ListAccessRulesParams{nil, {Service: &service}, {Method: ptr("GET"), Path: &rule.Path}} {
			if got := ids(p); !slices.Equal(got, []string{rule.ID}) {
				t.Errorf("%+v: %v, want [%s]", p, got, rule.ID)
			}
		}
		if got := ids(&v3.ListAccessRulesParams{Method: ptr("POST")}); len(got) != 0 {
			t.Errorf("method=POST: %v", got)
		}
		// Only the owner or a system reader: a project administrator gets 403.
		r, err := adm.ListAccessRulesWithResponse(t.Context(), owner.ID, nil)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").ListAccessRulesWithResponse(t.Context(), owner.ID, nil)
		expectError(t, r, err, 401)
	})

	t.Run("getAccessRule", func(t *testing.T) {
		r, err := oc.GetAccessRuleWithResponse(t.Context(), owner.ID, rule.ID)
		expect(t, r, err, 200)
		if got := r.JSON200.AccessRule; got.ID != rule.ID || got.Service != service || got.Path != rule.Path || got.Method != "GET" || got.Links.Self == "" {
			t.Errorf("got %+v", got)
		}
		r, err = oc.GetAccessRuleWithResponse(t.Context(), owner.ID, "no-such-rule")
		expectError(t, r, err, 404)
		r, err = reader(t).GetAccessRuleWithResponse(t.Context(), owner.ID, rule.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").GetAccessRuleWithResponse(t.Context(), owner.ID, rule.ID)
		expectError(t, r, err, 401)
	})

	t.Run("authenticate with an application credential", func(t *testing.T) {
		_, tok := issue(t, appCredByID(full.ID, secret))
		if !slices.Equal(tok.Methods, []string{"application_credential"}) || tok.User.ID != owner.ID {
			t.Errorf("methods %v, user %+v", tok.Methods, tok.User)
		}
		if tok.Project == nil || tok.Project.ID != project.ID || !slices.Equal(tokenRoleNames(tok), []string{"reader"}) {
			t.Errorf("project %+v, roles %v", tok.Project, tokenRoleNames(tok))
		}
		ac := tok.ApplicationCredential
		if ac == nil || ac.ID != full.ID || *ac.Name != full.Name || !*ac.Restricted || len(ac.AccessRules) != 1 || ac.AccessRules[0].ID != rule.ID {
			t.Errorf("application_credential %+v", ac)
		}
		_, tok = issue(t, appCredByName(minimal.Name, v3.AuthUser{ID: &owner.ID}, *minimal.Secret))
		if tok.ApplicationCredential == nil || tok.ApplicationCredential.ID != minimal.ID || len(tok.Roles) < 2 {
			t.Errorf("by name and user ID: %+v, roles %v", tok.ApplicationCredential, tokenRoleNames(tok))
		}
		_, tok = issue(t, appCredByName(unrestricted.Name, v3.AuthUser{Name: &owner.Name, Domain: &v3.DomainRef{ID: &ks.Domain}}, *unrestricted.Secret))
		if tok.ApplicationCredential == nil || *tok.ApplicationCredential.Restricted {
			t.Errorf("by name and user name: %+v", tok.ApplicationCredential)
		}

		withScope := appCredByID(full.ID, secret)
		withScope.Auth.Scope = projectScopeByID(project.ID)
		cases := []struct {
			name string
			req  v3.AuthRequest
			want int
		}{
			{"wrong secret", appCredByID(full.ID, "wrong-secret"), 401},
			{"wrong secret by name", appCredByName(full.Name, v3.AuthUser{ID: &owner.ID}, "wrong-secret"), 401},
			{"a scope in the request", withScope, 401},
			{"unknown name", appCredByName(uniq("none"), v3.AuthUser{ID: &owner.ID}, secret), 401},
			{"unknown ID", appCredByID("no-such-credential", secret), 404},
			{"a name without its user", v3.AuthRequest{Auth: v3.Auth{Identity: v3.AuthIdentity{
				Methods:               []string{"application_credential"},
				ApplicationCredential: &v3.AuthApplicationCredential{Name: &full.Name, Secret: secret},
			}}}, 400},
		}
		for _, c := range cases {
			r, err := anon.IssueTokenWithResponse(t.Context(), nil, c.req)
			expect(t, r, err, c.want)
			if c.want == 401 && (r.JSON401 == nil || r.JSON401.Error == nil || r.JSON401.Error.Code != 401) {
				t.Errorf("%s: body %s", c.name, body(r))
			}
		}
	})

	t.Run("restricted and unrestricted application credentials", func(t *testing.T) {
		restrictedToken, _ := issue(t, appCredByID(full.ID, secret))
		rc := newClient(restrictedToken)
		c, err := rc.CreateApplicationCredentialWithResponse(t.Context(), owner.ID,
			v3.ApplicationCredentialCreateRequest{ApplicationCredential: v3.ApplicationCredentialCreate{Name: uniq("appcred")}})
		expectError(t, c, err, 403)
		d, err := rc.DeleteApplicationCredentialWithResponse(t.Context(), owner.ID, minimal.ID)
		expectError(t, d, err, 403)
		trustee, _ := userWithPassword(t)
		tr, err := rc.CreateTrustWithResponse(t.Context(), v3.TrustCreateRequest{Trust: v3.TrustCreate{
			TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
		}})
		expectError(t, tr, err, 403)
		for _, e := range []*v3.Error{c.JSON403, d.JSON403, tr.JSON403} {
			if !strings.Contains(e.Error.Message, "application_credential") {
				t.Errorf("403 for another reason: %s", e.Error.Message)
			}
		}

		unrestrictedToken, _ := issue(t, appCredByID(unrestricted.ID, *unrestricted.Secret))
		child := newAppCred(t, newClient(unrestrictedToken), owner.ID, v3.ApplicationCredentialCreate{})
		if child.ProjectID.MustGet() != project.ID {
			t.Errorf("created with an unrestricted credential: %+v", child)
		}
	})

	t.Run("errors", func(t *testing.T) {
		create := func(c *v3.ClientWithResponses, userID string, ac v3.ApplicationCredentialCreate) (*v3.CreateApplicationCredentialResponse, error) {
			return c.CreateApplicationCredentialWithResponse(t.Context(), userID, v3.ApplicationCredentialCreateRequest{ApplicationCredential: ac})
		}
		r, err := create(oc, owner.ID, v3.ApplicationCredentialCreate{Name: full.Name})
		expectError(t, r, err, 409)
		r, err = create(oc, adminUser, v3.ApplicationCredentialCreate{Name: uniq("appcred")}) // for another user
		expectError(t, r, err, 403)
		r, err = create(adm, owner.ID, v3.ApplicationCredentialCreate{Name: uniq("appcred")}) // even an admin
		expectError(t, r, err, 403)
		r, err = create(oc, owner.ID, v3.ApplicationCredentialCreate{Name: uniq("appcred"),
			Roles: []v3.ApplicationCredentialRoleRef{{ID: ptr(roleID(t, "admin"))}}}) // not in the token
		expectError(t, r, err, 400)
		r, err = create(oc, owner.ID, v3.ApplicationCredentialCreate{Name: uniq("appcred"),
			Roles: []v3.ApplicationCredentialRoleRef{{Name: ptr(uniq("no-such-role"))}}})
		expectError(t, r, err, 404)
		r, err = create(oc, owner.ID, v3.ApplicationCredentialCreate{Name: uniq("appcred"),
			ExpiresAt: nullable.NewNullableWithValue(time.Now().Add(-time.Hour))})
		expectError(t, r, err, 400)
		r, err = create(newClient("not-a-token"), owner.ID, v3.ApplicationCredentialCreate{Name: uniq("appcred")})
		expectError(t, r, err, 401)
		// Keystone's schema allows extra attributes, its storage refuses them.
		r, err = oc.CreateApplicationCredentialWithBodyWithResponse(t.Context(), owner.ID, "application/json",
			stringsReader(`{"application_credential": {"name": "`+uniq("appcred")+`", "ct_extra": 1}}`))
		expectError(t, r, err, 400)
		for _, b := range []string{
			`{"application_credential": {}}`,
			`{"application_credential": {"name": "x", "unrestricted": "yes"}}`,
			`{"application_credential": {"name": "x", "roles": [{"id": "a", "name": "b"}]}}`,
			`{"application_credential": {"name": "x", "access_rules": [{"service": "s", "path": "no-slash", "method": "GET"}]}}`,
			`{"application_credential": {"name": "x", "access_rules": [{"service": "s", "path": "/", "method": "FETCH"}]}}`,
		} {
			r, err := oc.CreateApplicationCredentialWithBodyWithResponse(invalid(t), owner.ID, "application/json", stringsReader(b))
			expectError(t, r, err, 400)
		}
	})

	t.Run("deleteAccessRule", func(t *testing.T) {
		svc := uniq("svc")
		ac := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{AccessRules: []v3.ApplicationCredentialAccessRuleCreate{{
			Service: &svc, Path: ptr("/v1/**"), Method: ptr(v3.ApplicationCredentialAccessRuleCreateMethodPOST),
		}}})
		id := ac.AccessRules[0].ID
		d, err := oc.DeleteAccessRuleWithResponse(t.Context(), owner.ID, id)
		expectError(t, d, err, 403) // in use
		d, err = reader(t).DeleteAccessRuleWithResponse(t.Context(), owner.ID, id)
		expectError(t, d, err, 403)
		dc, err := oc.DeleteApplicationCredentialWithResponse(t.Context(), owner.ID, ac.ID)
		expect(t, dc, err, 204)
		// The rule outlives the credential.
		g, err := oc.GetAccessRuleWithResponse(t.Context(), owner.ID, id)
		expect(t, g, err, 200)
		d, err = newClient("not-a-token").DeleteAccessRuleWithResponse(t.Context(), owner.ID, id)
		expectError(t, d, err, 401)
		d, err = oc.DeleteAccessRuleWithResponse(t.Context(), owner.ID, id)
		expect(t, d, err, 204)
		g, err = oc.GetAccessRuleWithResponse(t.Context(), owner.ID, id)
		expectError(t, g, err, 404)
		d, err = oc.DeleteAccessRuleWithResponse(t.Context(), owner.ID, id)
		expectError(t, d, err, 404)
	})

	t.Run("deleteApplicationCredential", func(t *testing.T) {
		victim := newAppCred(t, oc, owner.ID, v3.ApplicationCredentialCreate{})
		token, _ := issue(t, appCredByID(victim.ID, *victim.Secret))
		d, err := reader(t).DeleteApplicationCredentialWithResponse(t.Context(), owner.ID, victim.ID)
		expectError(t, d, err, 403)
		d, err = newClient("not-a-token").DeleteApplicationCredentialWithResponse(t.Context(), owner.ID, victim.ID)
		expectError(t, d, err, 401)
		d, err = oc.DeleteApplicationCredentialWithResponse(t.Context(), owner.ID, victim.ID)
		expect(t, d, err, 204)
		g, err := oc.GetApplicationCredentialWithResponse(t.Context(), owner.ID, victim.ID)
		expectError(t, g, err, 404)
		d, err = oc.DeleteApplicationCredentialWithResponse(t.Context(), owner.ID, victim.ID)
		expectError(t, d, err, 404)
		// It no longer authenticates, and the tokens it issued are revoked.
		a, err := anon.IssueTokenWithResponse(t.Context(), nil, appCredByID(victim.ID, *victim.Secret))
		expect(t, a, err, 404)
		a, err = anon.IssueTokenWithResponse(t.Context(), nil, appCredByName(victim.Name, v3.AuthUser{ID: &owner.ID}, *victim.Secret))
		expect(t, a, err, 401)
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: token})
		expectError(t, v, err, 404)
	})
}

func TestTrusts(t *testing.T) {
	owner, project, oc := trustor(t)
	trustee, trusteePW := userWithPassword(t)
	third, thirdPW := userWithPassword(t)
	memberRole := roleID(t, "member")
	readerRole := roleID(t, "reader")
	expires := time.Now().UTC().Add(2 * time.Hour).Truncate(time.Second)

	basic := newTrust(t, oc, v3.TrustCreate{
		TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
		ProjectID:            nullable.NewNullableWithValue(project.ID),
		Roles:                []v3.TrustRoleRef{{Name: ptr("member")}},
		ExpiresAt:            nullable.NewNullableWithValue(expires),
		AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	impersonating := newTrust(t, oc, v3.TrustCreate{
		TrustorUserID: owner.ID, TrusteeUserID: trustee.ID, Impersonation: true,
		ProjectID:         nullable.NewNullableWithValue(project.ID),
		Roles:             []v3.TrustRoleRef{{ID: &readerRole}},
		AllowRedelegation: nullable.NewNullableWithValue(true),
		RedelegationCount: nullable.NewNullableWithValue(2),
	})
	projectless := newTrust(t, oc, v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID})
	trusteeToken, _ := issue(t, passwordByID(trustee.ID, trusteePW, nil))
	tc := newClient(trusteeToken)

	t.Run("createTrust", func(t *testing.T) {
		b := basic
		if b.TrustorUserID != owner.ID || b.TrusteeUserID != trustee.ID || b.ProjectID.MustGet() != project.ID || b.Impersonation {
			t.Errorf("created %+v", b)
		}
		if !b.ExpiresAt.MustGet().Equal(expires) || !b.RemainingUses.IsNull() || b.RedelegationCount.MustGet() != 0 ||
			!b.RedelegatedTrustID.IsNull() || !b.DeletedAt.IsNull() || b.Links.Self == "" {
			t.Errorf("created %+v", b)
		}
		if v, _ := b.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", b.AdditionalProperties)
		}
		if !slices.Equal(roleIDsOf(b.Roles), []string{memberRole}) || b.Roles[0].Links.Self == "" || b.RolesLinks == nil || b.RolesLinks.Self == "" {
			t.Errorf("roles %+v, roles_links %+v", b.Roles, b.RolesLinks)
		}
		if _, ok := b.Get("allow_redelegation"); ok {
			t.Error("allow_redelegation returned")
		}
		i := impersonating
		if !i.Impersonation || i.RedelegationCount.MustGet() != 2 || !slices.Equal(roleIDsOf(i.Roles), []string{readerRole}) || !i.ExpiresAt.IsNull() {
			t.Errorf("impersonating %+v", i)
		}
		if !projectless.ProjectID.IsNull() || len(projectless.Roles) != 0 {
			t.Errorf("projectless %+v", projectless)
		}
		limited := newTrust(t, oc, v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
			ProjectID: nullable.NewNullableWithValue(project.ID), Roles: []v3.TrustRoleRef{{ID: &memberRole}},
			RemainingUses: nullable.NewNullableWithValue(3)})
		if limited.RemainingUses.MustGet() != 3 {
			t.Errorf("limited %+v", limited)
		}
	})

	t.Run("getTrust", func(t *testing.T) {
		for _, c := range []*v3.ClientWithResponses{oc, tc, adm} { // trustor, trustee, admin
			r, err := c.GetTrustWithResponse(t.Context(), basic.ID)
			expect(t, r, err, 200)
			if got := r.JSON200.Trust; got.ID != basic.ID || len(got.Roles) != 1 || got.RolesLinks == nil {
				t.Errorf("got %+v", got)
			} else if v, _ := got.Get("ct_extra"); v != "kept" {
				t.Errorf("extra attribute not returned: %v", got.AdditionalProperties)
			}
		}
		r, err := oc.GetTrustWithResponse(t.Context(), "no-such-trust")
		expectError(t, r, err, 404)
		r, err = reader(t).GetTrustWithResponse(t.Context(), basic.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").GetTrustWithResponse(t.Context(), basic.ID)
		expectError(t, r, err, 401)
	})

	t.Run("listTrusts", func(t *testing.T) {
		list := func(c *v3.ClientWithResponses, p *v3.ListTrustsParams) []v3.Trust {
			t.Helper()
			r, err := c.ListTrustsWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			return r.JSON200.Trusts
		}
		mine := []string{basic.ID, impersonating.ID, projectless.ID}
		for _, c := range []struct {
			name   string
			client *v3.ClientWithResponses
			params *v3.ListTrustsParams
		}{
			{"all (admin)", adm, nil},
			{"trustor_user_id (trustor)", oc, &v3.ListTrustsParams{TrustorUserID: &owner.ID}},
			{"trustee_user_id (trustee)", tc, &v3.ListTrustsParams{TrusteeUserID: &trustee.ID}},
		} {
			got := list(c.client, c.params)
			for _, id := range mine {
				if !slices.Contains(trustIDs(got), id) {
					t.Errorf("%s: %s missing from %v", c.name, id, trustIDs(got))
				}
			}
			for _, tr := range got {
				if tr.Roles != nil || tr.RolesLinks != nil {
					t.Errorf("%s: listed trust with roles: %+v", c.name, tr)
				}
			}
		}
		if got := list(tc, &v3.ListTrustsParams{TrustorUserID: &trustee.ID}); len(got) != 0 {
			t.Errorf("the trustee is no trustor: %v", trustIDs(got))
		}
		r, err := tc.ListTrustsWithResponse(t.Context(), nil) // all: admins only
		expectError(t, r, err, 403)
		r, err = reader(t).ListTrustsWithResponse(t.Context(), &v3.ListTrustsParams{TrustorUserID: &owner.ID})
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").ListTrustsWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
	})

	t.Run("listTrustRoles", func(t *testing.T) {
		r, err := tc.ListTrustRolesWithResponse(t.Context(), basic.ID)
		expect(t, r, err, 200)
		if !slices.Equal(roleIDsOf(r.JSON200.Roles), []string{memberRole}) || r.JSON200.Roles[0].Name != "member" || r.JSON200.Links.Self == "" {
			t.Errorf("roles %+v", r.JSON200)
		}
		r, err = oc.ListTrustRolesWithResponse(t.Context(), projectless.ID)
		expect(t, r, err, 200)
		if len(r.JSON200.Roles) != 0 {
			t.Errorf("projectless trust roles %v", roleIDsOf(r.JSON200.Roles))
		}
		r, err = oc.ListTrustRolesWithResponse(t.Context(), "no-such-trust")
		expectError(t, r, err, 404)
		r, err = reader(t).ListTrustRolesWithResponse(t.Context(), basic.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").ListTrustRolesWithResponse(t.Context(), basic.ID)
		expectError(t, r, err, 401)
	})

	t.Run("checkTrustRole", func(t *testing.T) {
		r, err := tc.CheckTrustRoleWithResponse(t.Context(), basic.ID, memberRole)
		expect(t, r, err, 200)
		r, err = tc.CheckTrustRoleWithResponse(t.Context(), basic.ID, readerRole) // implied, not delegated
		expect(t, r, err, 404)
		r, err = tc.CheckTrustRoleWithResponse(t.Context(), "no-such-trust", memberRole)
		expect(t, r, err, 404)
		r, err = reader(t).CheckTrustRoleWithResponse(t.Context(), basic.ID, memberRole)
		expect(t, r, err, 403)
		r, err = newClient("not-a-token").CheckTrustRoleWithResponse(t.Context(), basic.ID, memberRole)
		expect(t, r, err, 401)
	})

	t.Run("getTrustRole", func(t *testing.T) {
		r, err := oc.GetTrustRoleWithResponse(t.Context(), basic.ID, memberRole)
		expect(t, r, err, 200)
		if got := r.JSON200.Role; got.ID != memberRole || got.Name != "member" || got.Links.Self == "" {
			t.Errorf("got %+v", got)
		}
		r, err = oc.GetTrustRoleWithResponse(t.Context(), basic.ID, readerRole)
		expectError(t, r, err, 404)
		r, err = oc.GetTrustRoleWithResponse(t.Context(), "no-such-trust", memberRole)
		expectError(t, r, err, 404)
		r, err = reader(t).GetTrustRoleWithResponse(t.Context(), basic.ID, memberRole)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").GetTrustRoleWithResponse(t.Context(), basic.ID, memberRole)
		expectError(t, r, err, 401)
	})

	t.Run("authenticate with a trust", func(t *testing.T) {
		trustToken, tok := issue(t, passwordByID(trustee.ID, trusteePW, trustScope(basic.ID)))
		tr := tok.OSTRUSTTrust
		if tr == nil || tr.ID != basic.ID || tr.Impersonation || tr.TrustorUser.ID != owner.ID || tr.TrusteeUser.ID != trustee.ID {
			t.Fatalf("OS-TRUST:trust %+v", tr)
		}
		if tok.User.ID != trustee.ID || tok.Project == nil || tok.Project.ID != project.ID || !slices.Contains(tokenRoleNames(tok), "member") {
			t.Errorf("user %+v, project %+v, roles %v", tok.User, tok.Project, tokenRoleNames(tok))
		}
		_, tok = issue(t, tokenMethod(trusteeToken, trustScope(basic.ID)))
		if tok.OSTRUSTTrust == nil || tok.OSTRUSTTrust.ID != basic.ID || !slices.Contains(tok.Methods, "token") {
			t.Errorf("token method: %+v", tok)
		}
		// Impersonation: the token's user is the trustor.
		_, tok = issue(t, passwordByID(trustee.ID, trusteePW, trustScope(impersonating.ID)))
		if tok.User.ID != owner.ID || tok.OSTRUSTTrust == nil || !tok.OSTRUSTTrust.Impersonation || tok.OSTRUSTTrust.TrusteeUser.ID != trustee.ID {
			t.Errorf("impersonating: user %+v, trust %+v", tok.User, tok.OSTRUSTTrust)
		}
		for _, c := range []struct {
			name string
			req  v3.AuthRequest
			want int
		}{
			{"not the trustee", passwordByID(third.ID, thirdPW, trustScope(basic.ID)), 403},
			{"unknown trust", passwordByID(trustee.ID, trusteePW, trustScope("no-such-trust")), 401},
			{"rescoping a trust-scoped token", tokenMethod(trustToken, trustScope(basic.ID)), 403},
			{"exchanging a trust-scoped token", tokenMethod(trustToken, nil), 403},
		} {
			r, err := anon.IssueTokenWithResponse(t.Context(), nil, c.req)
			expect(t, r, err, c.want)
		}
	})

	t.Run("remaining_uses", func(t *testing.T) {
		once := newTrust(t, oc, v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
			ProjectID: nullable.NewNullableWithValue(project.ID), Roles: []v3.TrustRoleRef{{ID: &memberRole}},
			RemainingUses: nullable.NewNullableWithValue(1)})
		issue(t, passwordByID(trustee.ID, trusteePW, trustScope(once.ID)))
		r, err := anon.IssueTokenWithResponse(t.Context(), nil, passwordByID(trustee.ID, trusteePW, trustScope(once.ID)))
		expect(t, r, err, 401)
		// An exhausted trust is gone for getTrust but still listed, with 0 uses left.
		g, err := oc.GetTrustWithResponse(t.Context(), once.ID)
		expectError(t, g, err, 404)
		l, err := oc.ListTrustsWithResponse(t.Context(), &v3.ListTrustsParams{TrustorUserID: &owner.ID})
		expect(t, l, err, 200)
		i := slices.IndexFunc(l.JSON200.Trusts, func(tr v3.Trust) bool { return tr.ID == once.ID })
		if i < 0 || l.JSON200.Trusts[i].RemainingUses.MustGet() != 0 {
			t.Errorf("exhausted trust in the list: %v", l.JSON200.Trusts)
		}
	})

	t.Run("redelegation", func(t *testing.T) {
		// With the impersonating trust's token, the trustee redelegates the
		// trustor's role to a third user.
		token, _ := issue(t, passwordByID(trustee.ID, trusteePW, trustScope(impersonating.ID)))
		rc := newClient(token)
		re := newTrust(t, rc, v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: third.ID,
			ProjectID: nullable.NewNullableWithValue(project.ID), Roles: []v3.TrustRoleRef{{ID: &readerRole}},
			AllowRedelegation: nullable.NewNullableWithValue(true)})
		if re.RedelegatedTrustID.MustGet() != impersonating.ID || re.RedelegationCount.MustGet() != 1 {
			t.Errorf("redelegated %+v", re)
		}
		// Without allow_redelegation, the redelegated trust ends the chain.
		last := newTrust(t, rc, v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
			ProjectID: nullable.NewNullableWithValue(project.ID), Roles: []v3.TrustRoleRef{{ID: &readerRole}}})
		if last.RedelegatedTrustID.MustGet() != impersonating.ID || last.RedelegationCount.MustGet() != 0 {
			t.Errorf("redelegated without allow_redelegation %+v", last)
		}
		_, tok := issue(t, passwordByID(third.ID, thirdPW, trustScope(re.ID)))
		if tok.OSTRUSTTrust == nil || tok.OSTRUSTTrust.ID != re.ID || tok.User.ID != third.ID {
			t.Errorf("redelegated trust token %+v", tok)
		}
		// A trust that does not allow redelegation cannot be redelegated.
		token, _ = issue(t, passwordByID(trustee.ID, trusteePW, trustScope(basic.ID)))
		r, err := newClient(token).CreateTrustWithResponse(t.Context(), v3.TrustCreateRequest{Trust: v3.TrustCreate{
			TrustorUserID: trustee.ID, TrusteeUserID: third.ID,
		}})
		expectError(t, r, err, 403)
	})

	t.Run("errors", func(t *testing.T) {
		create := func(c *v3.ClientWithResponses, tr v3.TrustCreate) (*v3.CreateTrustResponse, error) {
			return c.CreateTrustWithResponse(t.Context(), v3.TrustCreateRequest{Trust: tr})
		}
		onProject := func(roles ...v3.TrustRoleRef) v3.TrustCreate {
			return v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
				ProjectID: nullable.NewNullableWithValue(project.ID), Roles: roles}
		}
		cases := []struct {
			name string
			tr   v3.TrustCreate
			want int
		}{
			{"not the trustor", v3.TrustCreate{TrustorUserID: trustee.ID, TrusteeUserID: owner.ID}, 403},
			{"a project without roles", onProject(), 403},
			{"a role the trustor lacks", onProject(v3.TrustRoleRef{ID: ptr(roleID(t, "admin"))}), 404},
			{"an unknown role name", onProject(v3.TrustRoleRef{Name: ptr(uniq("no-such-role"))}), 404},
			{"an unknown trustee", v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: "no-such-user"}, 404},
			{"an unknown project", v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
				ProjectID: nullable.NewNullableWithValue("no-such-project"), Roles: []v3.TrustRoleRef{{ID: &memberRole}}}, 404},
			{"remaining_uses with redelegation", v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
				AllowRedelegation: nullable.NewNullableWithValue(true), RemainingUses: nullable.NewNullableWithValue(1)}, 400},
			{"redelegation_count above the maximum", v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
				AllowRedelegation: nullable.NewNullableWithValue(true), RedelegationCount: nullable.NewNullableWithValue(50)}, 403},
			{"expires_at in the past", v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
				ExpiresAt: nullable.NewNullableWithValue(time.Now().Add(-time.Hour))}, 400},
			{"a duplicate", v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
				ProjectID: nullable.NewNullableWithValue(project.ID), Roles: []v3.TrustRoleRef{{ID: &memberRole}},
				ExpiresAt: nullable.NewNullableWithValue(expires)}, 409},
		}
		for _, c := range cases {
			r, err := create(oc, c.tr)
			if err == nil && r.StatusCode() != c.want {
				t.Errorf("%s: got %s, want %d: %s", c.name, r.Status(), c.want, body(r))
				continue
			}
			expectError(t, r, err, c.want)
		}
		r, err := create(newClient("not-a-token"), v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID})
		expectError(t, r, err, 401)
		// Keystone checks its policy (the caller is the trustor) before the body.
		r, err = oc.CreateTrustWithBodyWithResponse(invalid(t), "application/json", stringsReader(`{"trust": {}}`))
		expectError(t, r, err, 403)
		for _, b := range []string{
			`{"trust": {"trustor_user_id": "` + owner.ID + `", "trustee_user_id": "` + trustee.ID + `", "impersonation": "no"}}`,
			`{"trust": {"trustor_user_id": "` + owner.ID + `", "trustee_user_id": "` + trustee.ID + `", "impersonation": false, "remaining_uses": 0}}`,
			`{"trust": {"trustor_user_id": "` + owner.ID + `", "trustee_user_id": "` + trustee.ID + `", "impersonation": false, "roles": [{}]}}`,
		} {
			r, err := oc.CreateTrustWithBodyWithResponse(invalid(t), "application/json", stringsReader(b))
			expectError(t, r, err, 400)
		}
	})

	t.Run("deleteTrust", func(t *testing.T) {
		victim := newTrust(t, oc, v3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
			ProjectID: nullable.NewNullableWithValue(project.ID), Roles: []v3.TrustRoleRef{{ID: &memberRole}}})
		token, _ := issue(t, passwordByID(trustee.ID, trusteePW, trustScope(victim.ID)))
		d, err := tc.DeleteTrustWithResponse(t.Context(), victim.ID) // the trustee may not
		expectError(t, d, err, 403)
		d, err = reader(t).DeleteTrustWithResponse(t.Context(), victim.ID)
		expectError(t, d, err, 403)
		d, err = newClient("not-a-token").DeleteTrustWithResponse(t.Context(), victim.ID)
		expectError(t, d, err, 401)
		d, err = oc.DeleteTrustWithResponse(t.Context(), victim.ID)
		expect(t, d, err, 204)
		g, err := oc.GetTrustWithResponse(t.Context(), victim.ID)
		expectError(t, g, err, 404)
		d, err = oc.DeleteTrustWithResponse(t.Context(), victim.ID)
		expectError(t, d, err, 404)
		// The tokens issued through it are revoked.
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: token})
		expectError(t, v, err, 404)
	})
}

// inheritKind is one of the four kinds of inherited grants, with the generated
// calls of its operations (list only for those on a domain).
type inheritKind struct {
	name          string // the operationId infix: DomainUser, ProjectGroup, …
	target, actor string
	below         string // a project the grant applies to
	grant         func(ctx context.Context, c *v3.ClientWithResponses, target, actor, role string) (response, error)
	check         func(ctx context.Context, c *v3.ClientWithResponses, target, actor, role string) (response, error)
	revoke        func(ctx context.Context, c *v3.ClientWithResponses, target, actor, role string) (response, error)
	list          func(ctx context.Context, c *v3.ClientWithResponses, target, actor string) (response, *v3.RoleList, error)
}

func TestInheritedGrants(t *testing.T) {
	dom := newDomain(t, v3.DomainCreate{})
	top := newProject(t, v3.ProjectCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
	sub := newProject(t, v3.ProjectCreate{DomainID: nullable.NewNullableWithValue(dom.ID), ParentID: nullable.NewNullableWithValue(top.ID)})
	user := newUser(t, v3.UserCreate{})
	group := newGroup(t, v3.GroupCreate{})
	m, err := adm.AddUserToGroupWithResponse(t.Context(), group.ID, user.ID)
	expect(t, m, err, 204)
	role := newRole(t, v3.RoleCreate{})
	other := newRole(t, v3.RoleCreate{})
	rd := reader(t)

	kinds := []inheritKind{
		{
			name: "DomainUser", target: dom.ID, actor: user.ID, below: top.ID,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.GrantInheritedDomainUserRoleWithResponse(ctx, d, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.CheckInheritedDomainUserRoleWithResponse(ctx, d, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.RevokeInheritedDomainUserRoleWithResponse(ctx, d, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, d, a string) (response, *v3.RoleList, error) {
				r, err := c.ListInheritedDomainUserRolesWithResponse(ctx, d, a)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
		},
		{
			name: "DomainGroup", target: dom.ID, actor: group.ID, below: sub.ID,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.GrantInheritedDomainGroupRoleWithResponse(ctx, d, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.CheckInheritedDomainGroupRoleWithResponse(ctx, d, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.RevokeInheritedDomainGroupRoleWithResponse(ctx, d, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, d, a string) (response, *v3.RoleList, error) {
				r, err := c.ListInheritedDomainGroupRolesWithResponse(ctx, d, a)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
		},
		{
			name: "ProjectUser", target: top.ID, actor: user.ID, below: sub.ID,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.GrantInheritedProjectUserRoleWithResponse(ctx, p, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.CheckInheritedProjectUserRoleWithResponse(ctx, p, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.RevokeInheritedProjectUserRoleWithResponse(ctx, p, a, r)
			},
		},
		{
			name: "ProjectGroup", target: top.ID, actor: group.ID, below: sub.ID,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.GrantInheritedProjectGroupRoleWithResponse(ctx, p, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.CheckInheritedProjectGroupRoleWithResponse(ctx, p, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.RevokeInheritedProjectGroupRoleWithResponse(ctx, p, a, r)
			},
		},
	}

	// effective lists the roles user effectively has on project.
	effective := func(t *testing.T, project string) []string {
		t.Helper()
		r, err := adm.ListRoleAssignmentsWithResponse(t.Context(), &v3.ListRoleAssignmentsParams{
			UserID: &user.ID, ScopeProjectID: &project, Effective: ptr(true),
		})
		expect(t, r, err, 200)
		var out []string
		for _, a := range r.JSON200.RoleAssignments {
			out = append(out, a.Role.ID)
		}
		return out
	}

	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			// Whatever happens below, leave no grant behind.
			t.Cleanup(func() {
				deleteQuietly(t, k.name+" inherited grant", func() (response, error) {
					return k.revoke(cleanupCtx(), adm, k.target, k.actor, role.ID)
				})
			})
			t.Run("grantInherited"+k.name+"Role", func(t *testing.T) {
				for range 2 { // granting again is fine
					g, err := k.grant(t.Context(), adm, k.target, k.actor, role.ID)
					expect(t, g, err, 204)
				}
				for _, ids := range [][3]string{{"no-such-target", k.actor, role.ID}, {k.target, k.actor, "no-such-role"}} {
					g, err := k.grant(t.Context(), adm, ids[0], ids[1], ids[2])
					expectError(t, g, err, 404)
				}
				// Keystone 22 does not check that the user or group exists.
				g, err := k.grant(t.Context(), adm, k.target, "ct-no-such-actor", role.ID)
				expect(t, g, err, 204)
				r, err := k.revoke(t.Context(), adm, k.target, "ct-no-such-actor", role.ID)
				expect(t, r, err, 204)
				g, err = k.grant(t.Context(), rd, k.target, k.actor, other.ID)
				expectError(t, g, err, 403)
				g, err = k.grant(t.Context(), newClient("not-a-token"), k.target, k.actor, other.ID)
				expectError(t, g, err, 401)

				// The role reaches the projects below, not the target itself.
				if got := effective(t, k.below); !slices.Contains(got, role.ID) {
					t.Errorf("effective roles on %s: %v", k.below, got)
				}
				if got := effective(t, top.ID); slices.Contains(got, role.ID) != (k.target == dom.ID) {
					t.Errorf("effective roles on the top project: %v", got)
				}
				a, err := adm.ListRoleAssignmentsWithResponse(t.Context(), &v3.ListRoleAssignmentsParams{
					RoleID: &role.ID, ScopeOSINHERITInheritedTo: ptr("projects"),
				})
				expect(t, a, err, 200)
				if n := len(a.JSON200.RoleAssignments); n != 1 || !strings.Contains(a.JSON200.RoleAssignments[0].Links.Assignment, "/OS-INHERIT/") {
					t.Errorf("inherited assignments: %+v", a.JSON200.RoleAssignments)
				}
			})
			if k.list != nil {
				t.Run("listInherited"+k.name+"Roles", func(t *testing.T) {
					r, l, err := k.list(t.Context(), adm, k.target, k.actor)
					expect(t, r, err, 200)
					if !slices.Equal(roleIDsOf(l.Roles), []string{role.ID}) || l.Roles[0].Links.Self == "" || l.Links.Self == "" {
						t.Errorf("listed %+v", l)
					}
					r, _, err = k.list(t.Context(), adm, "no-such-domain", k.actor)
					expectError(t, r, err, 404)
					r, l, err = k.list(t.Context(), adm, k.target, "ct-no-such-actor") // no 404
					expect(t, r, err, 200)
					if len(l.Roles) != 0 {
						t.Errorf("unknown actor: %v", roleIDsOf(l.Roles))
					}
					r, _, err = k.list(t.Context(), rd, k.target, k.actor)
					expectError(t, r, err, 403)
					r, _, err = k.list(t.Context(), newClient("not-a-token"), k.target, k.actor)
					expectError(t, r, err, 401)
				})
			}
			t.Run("checkInherited"+k.name+"Role", func(t *testing.T) {
				c, err := k.check(t.Context(), adm, k.target, k.actor, role.ID)
				expect(t, c, err, 204)
				c, err = k.check(t.Context(), adm, k.target, k.actor, other.ID)
				expect(t, c, err, 404)
				c, err = k.check(t.Context(), adm, "no-such-target", k.actor, role.ID)
				expect(t, c, err, 404)
				c, err = k.check(t.Context(), rd, k.target, k.actor, role.ID)
				expect(t, c, err, 403)
				c, err = k.check(t.Context(), newClient("not-a-token"), k.target, k.actor, role.ID)
				expect(t, c, err, 401)
			})
			t.Run("revokeInherited"+k.name+"Role", func(t *testing.T) {
				r, err := k.revoke(t.Context(), rd, k.target, k.actor, role.ID)
				expectError(t, r, err, 403)
				r, err = k.revoke(t.Context(), newClient("not-a-token"), k.target, k.actor, role.ID)
				expectError(t, r, err, 401)
				r, err = k.revoke(t.Context(), adm, k.target, k.actor, role.ID)
				expect(t, r, err, 204)
				c, err := k.check(t.Context(), adm, k.target, k.actor, role.ID)
				expect(t, c, err, 404)
				r, err = k.revoke(t.Context(), adm, k.target, k.actor, role.ID)
				expectError(t, r, err, 404)
				if got := effective(t, k.below); slices.Contains(got, role.ID) {
					t.Errorf("still effective on %s after revoking: %v", k.below, got)
				}
			})
		})
	}
}
