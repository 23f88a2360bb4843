//go:build integration

package contract

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// roleID returns the ID of the global role called name.
func roleID(t testing.TB, name string) string {
	t.Helper()
	r, err := adm.ListRolesWithResponse(t.Context(), &v3.ListRolesParams{Name: &name})
	expect(t, r, err, 200)
	if len(r.JSON200.Roles) != 1 {
		t.Fatalf("want one role %q, got %d", name, len(r.JSON200.Roles))
	}
	return r.JSON200.Roles[0].ID
}

func hasService(tok v3.Token, typ string) bool {
	return slices.ContainsFunc(tok.Catalog, func(s v3.CatalogService) bool { return s.Type == typ && len(s.Endpoints) > 0 })
}

func TestIssueToken(t *testing.T) {
	t.Run("password, user and project by name", func(t *testing.T) {
		_, tok := issue(t, passwordByName(ks.AdminUser, ks.Domain, ks.AdminPassword, projectScopeByName(ks.AdminProject, ks.Domain)))
		if !slices.Equal(tok.Methods, []string{"password"}) || tok.User.ID != adminUser {
			t.Errorf("methods %v, user %+v", tok.Methods, tok.User)
		}
		if tok.Project == nil || tok.Project.ID != adminProj || *tok.Project.Domain.ID != ks.Domain {
			t.Errorf("project = %+v", tok.Project)
		}
		if len(tok.Roles) == 0 || !hasService(tok, "identity") || len(tok.AuditIds) != 1 {
			t.Errorf("roles %v, catalog %d services, audit ids %v", tok.Roles, len(tok.Catalog), tok.AuditIds)
		}
		if !tok.ExpiresAt.After(tok.IssuedAt) || tok.IsDomain == nil || *tok.IsDomain {
			t.Errorf("expires %v issued %v is_domain %v", tok.ExpiresAt, tok.IssuedAt, tok.IsDomain)
		}
	})
	t.Run("password, user and project by ID", func(t *testing.T) {
		_, tok := issue(t, passwordByID(adminUser, ks.AdminPassword, projectScopeByID(adminProj)))
		if tok.Project == nil || tok.Project.ID != adminProj {
			t.Errorf("project = %+v", tok.Project)
		}
	})
	t.Run("password, unscoped", func(t *testing.T) {
		_, tok := issue(t, passwordByID(adminUser, ks.AdminPassword, nil))
		if tok.Project != nil || tok.Domain != nil || tok.System != nil || tok.Catalog != nil || tok.Roles != nil {
			t.Errorf("the admin has no default project: want an unscoped token, got %+v", tok)
		}
	})
	t.Run("password, explicitly unscoped (string and object forms)", func(t *testing.T) {
		_, tok := issue(t, passwordByName(ks.AdminUser, ks.Domain, ks.AdminPassword, explicitlyUnscoped()))
		if tok.Project != nil || tok.Catalog != nil {
			t.Errorf("not unscoped: %+v", tok)
		}
		// The object form older keystoneauth sends; the generated type omits an
		// empty object, so the body is written out.
		b, err := json.Marshal(passwordByID(adminUser, ks.AdminPassword, nil))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte(`"identity":`), []byte(`"scope":{"unscoped":{}},"identity":`), 1)
		r, err := anon.IssueTokenWithBodyWithResponse(t.Context(), nil, "application/json", bytes.NewReader(b))
		expect(t, r, err, 201)
		if r.JSON201.Token.Project != nil {
			t.Errorf("not unscoped: %+v", r.JSON201.Token)
		}
	})
	t.Run("password, system scope", func(t *testing.T) {
		_, tok := issue(t, passwordByID(adminUser, ks.AdminPassword, systemScope()))
		if tok.System == nil || tok.System.All == nil || !*tok.System.All || len(tok.Roles) == 0 {
			t.Errorf("system = %+v, roles %v", tok.System, tok.Roles)
		}
	})
	t.Run("password, domain scope by ID and by name", func(t *testing.T) {
		grantAdminOnDomain(t)
		_, tok := issue(t, passwordByID(adminUser, ks.AdminPassword, domainScopeByID(ks.Domain)))
		if tok.Domain == nil || *tok.Domain.ID != ks.Domain || tok.Project != nil {
			t.Errorf("domain = %+v", tok.Domain)
		}
		dom, err := adm.GetDomainWithResponse(t.Context(), ks.Domain)
		expect(t, dom, err, 200)
		_, tok = issue(t, passwordByID(adminUser, ks.AdminPassword, domainScopeByName(dom.JSON200.Domain.Name)))
		if tok.Domain == nil || *tok.Domain.ID != ks.Domain {
			t.Errorf("domain = %+v", tok.Domain)
		}
	})
	t.Run("token method: rescope and unscope", func(t *testing.T) {
		unscoped, _ := issue(t, passwordByID(adminUser, ks.AdminPassword, nil))
		_, tok := issue(t, tokenMethod(unscoped, projectScopeByName(ks.AdminProject, ks.Domain)))
		if tok.Project == nil || tok.Project.ID != adminProj || !slices.Contains(tok.Methods, "token") || len(tok.AuditIds) != 2 {
			t.Errorf("rescoped token: methods %v, project %+v, audit ids %v", tok.Methods, tok.Project, tok.AuditIds)
		}
		_, tok = issue(t, tokenMethod(unscoped, nil))
		if tok.Project != nil {
			t.Errorf("unscoped exchange gave %+v", tok.Project)
		}
		_, tok = issue(t, tokenMethod(adminToken, explicitlyUnscoped()))
		if tok.Project != nil {
			t.Errorf("explicit unscoped exchange gave %+v", tok.Project)
		}
	})
	t.Run("nocatalog", func(t *testing.T) {
		r, err := anon.IssueTokenWithResponse(t.Context(), &v3.IssueTokenParams{Nocatalog: ptr("")},
			passwordByID(adminUser, ks.AdminPassword, projectScopeByID(adminProj)))
		expect(t, r, err, 201)
		if r.JSON201.Token.Catalog != nil || r.JSON201.Token.Project == nil {
			t.Errorf("nocatalog: catalog %v, project %v", r.JSON201.Token.Catalog, r.JSON201.Token.Project)
		}
	})
	t.Run("errors", func(t *testing.T) {
		cases := []struct {
			name string
			req  v3.AuthRequest
			want int
		}{
			{"wrong password", passwordByID(adminUser, "wrong-password", nil), 401},
			{"unknown user", passwordByName("ct-no-such-user", ks.Domain, "whatever", nil), 401},
			{"unknown project", passwordByID(adminUser, ks.AdminPassword, projectScopeByID("no-such-project")), 401},
			{"unknown domain", passwordByID(adminUser, ks.AdminPassword, domainScopeByName("ct-no-such-domain")), 401},
			{"unknown token", tokenMethod("not-a-token", nil), 404},
		}
		for _, c := range cases {
			r, err := anon.IssueTokenWithResponse(t.Context(), nil, c.req)
			expect(t, r, err, c.want)
			if c.want == 401 && (r.JSON401 == nil || r.JSON401.Error == nil || r.JSON401.Error.Code != 401 || r.JSON401.Receipt != nil) {
				t.Errorf("%s: 401 body %s", c.name, body(r))
			}
			if c.want == 404 && (r.JSON404 == nil || r.JSON404.Error.Code != 404) {
				t.Errorf("%s: 404 body %s", c.name, body(r))
			}
		}
		for _, b := range []string{`{"auth": {}}`, `{"auth": {"identity": {"methods": ["password"]}}}`, `not json`} {
			r, err := anon.IssueTokenWithBodyWithResponse(invalid(t), nil, "application/json", stringsReader(b))
			expectError(t, r, err, 400)
		}
	})
}

// grantAdminOnDomain gives the bootstrap admin the admin role on its domain
// until t ends (bootstrap grants it on the project and the system only).
func grantAdminOnDomain(t testing.TB) {
	t.Helper()
	role := roleID(t, "admin")
	r, err := adm.GrantDomainUserRoleWithResponse(t.Context(), ks.Domain, adminUser, role)
	expect(t, r, err, 204)
	t.Cleanup(func() {
		deleteQuietly(t, "admin's domain grant", func() (response, error) {
			return adm.RevokeDomainUserRoleWithResponse(cleanupCtx(), ks.Domain, adminUser, role)
		})
	})
}

func TestTokens(t *testing.T) {
	subject, _ := issue(t, passwordByID(adminUser, ks.AdminPassword, projectScopeByID(adminProj)))

	t.Run("validateToken", func(t *testing.T) {
		r, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: subject})
		expect(t, r, err, 200)
		if r.Headers200.XSubjectToken != subject || r.JSON200.Token.Project == nil || !hasService(r.JSON200.Token, "identity") {
			t.Errorf("validated token: %+v", r.JSON200.Token)
		}
		r, err = adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: subject, Nocatalog: ptr("")})
		expect(t, r, err, 200)
		if r.JSON200.Token.Catalog != nil {
			t.Error("nocatalog ignored")
		}
		r, err = adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: subject, AllowExpired: ptr(true)})
		expect(t, r, err, 200)
		r, err = adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: "not-a-token"})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: subject})
		expectError(t, r, err, 401)
	})
	t.Run("checkToken", func(t *testing.T) {
		r, err := adm.CheckTokenWithResponse(t.Context(), &v3.CheckTokenParams{XSubjectToken: subject})
		expect(t, r, err, 200)
		r, err = adm.CheckTokenWithResponse(t.Context(), &v3.CheckTokenParams{XSubjectToken: subject, AllowExpired: ptr(true)})
		expect(t, r, err, 200)
		r, err = adm.CheckTokenWithResponse(t.Context(), &v3.CheckTokenParams{XSubjectToken: "not-a-token"})
		expect(t, r, err, 404)
		r, err = newClient("not-a-token").CheckTokenWithResponse(t.Context(), &v3.CheckTokenParams{XSubjectToken: subject})
		expect(t, r, err, 401)
	})
	t.Run("revokeToken", func(t *testing.T) {
		r, err := adm.RevokeTokenWithResponse(t.Context(), &v3.RevokeTokenParams{XSubjectToken: subject})
		expect(t, r, err, 204)
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: subject})
		expectError(t, v, err, 404)
		c, err := adm.CheckTokenWithResponse(t.Context(), &v3.CheckTokenParams{XSubjectToken: subject})
		expect(t, c, err, 404)
		r, err = adm.RevokeTokenWithResponse(t.Context(), &v3.RevokeTokenParams{XSubjectToken: subject})
		expectError(t, r, err, 404)
		// A revoked token no longer authenticates requests.
		l, err := newClient(subject).ListProjectsWithResponse(t.Context(), nil)
		expectError(t, l, err, 401)
	})
}

func TestAuthListings(t *testing.T) {
	unscoped, _ := issue(t, passwordByID(adminUser, ks.AdminPassword, nil))

	t.Run("getAuthCatalog", func(t *testing.T) {
		r, err := adm.GetAuthCatalogWithResponse(t.Context())
		expect(t, r, err, 200)
		if !slices.ContainsFunc(r.JSON200.Catalog, func(s v3.CatalogService) bool { return s.Type == "identity" }) {
			t.Errorf("no identity service in %+v", r.JSON200.Catalog)
		}
		r, err = newClient(unscoped).GetAuthCatalogWithResponse(t.Context())
		expectError(t, r, err, 403) // an unscoped token has no catalog
	})
	t.Run("listAuthProjects", func(t *testing.T) {
		r, err := newClient(unscoped).ListAuthProjectsWithResponse(t.Context())
		expect(t, r, err, 200)
		if !slices.ContainsFunc(r.JSON200.Projects, func(p v3.Project) bool { return p.ID == adminProj }) {
			t.Errorf("admin project missing from %+v", r.JSON200.Projects)
		}
		r, err = newClient("not-a-token").ListAuthProjectsWithResponse(t.Context())
		expectError(t, r, err, 401)
	})
	t.Run("listAuthDomains", func(t *testing.T) {
		grantAdminOnDomain(t)
		r, err := newClient(unscoped).ListAuthDomainsWithResponse(t.Context())
		expect(t, r, err, 200)
		if !slices.ContainsFunc(r.JSON200.Domains, func(d v3.Domain) bool { return d.ID == ks.Domain }) {
			t.Errorf("domain %s missing from %+v", ks.Domain, r.JSON200.Domains)
		}
	})
	t.Run("listAuthSystem", func(t *testing.T) {
		r, err := newClient(unscoped).ListAuthSystemWithResponse(t.Context())
		expect(t, r, err, 200)
		if len(r.JSON200.System) != 1 || r.JSON200.System[0].All == nil || !*r.JSON200.System[0].All {
			t.Errorf("system = %+v", r.JSON200.System)
		}
		r, err = newClient("not-a-token").ListAuthSystemWithResponse(t.Context())
		expectError(t, r, err, 401)
	})
}
