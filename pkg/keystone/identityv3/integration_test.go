//go:build integration

package identityv3_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/api"
	"github.com/gokeystone/keystone/internal/specvalidate"
	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// These tests run against the real Keystone that testenv finds
// (scripts/keystone-local.sh start; KEYSTONE_URL and the others from its env
// file): they skip without one, and fail without one in CI.

// realAuth is the bootstrap admin's password plugin, with scope (the admin
// project when zero).
func realAuth(t *testing.T, ks testenv.Keystone, scope authplugin.Scope) *keystone.Auth {
	t.Helper()
	if scope == (authplugin.Scope{}) {
		scope = authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain}
	}
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: scope,
	})
	if err != nil {
		t.Fatal(err)
	}
	return auth
}

// realClient returns a client of the real Keystone, found in the catalog,
// as the bootstrap admin scoped to the admin project, and the settings.
func realClient(t *testing.T, opts ...keystone.SessionOption) (*identityv3.Client, testenv.Keystone) {
	t.Helper()
	return realClientScoped(t, authplugin.Scope{}, opts...)
}

// realSystemClient is realClient with a system-scoped token (limits, and
// some listings, are the system's).
func realSystemClient(t *testing.T) (*identityv3.Client, testenv.Keystone) {
	t.Helper()
	return realClientScoped(t, authplugin.Scope{System: true})
}

func realClientScoped(t *testing.T, scope authplugin.Scope, opts ...keystone.SessionOption) (*identityv3.Client, testenv.Keystone) {
	t.Helper()
	ks := testenv.Require(t)
	s := newSession(t, append([]keystone.SessionOption{keystone.WithAuth(realAuth(t, ks, scope)), keystone.WithTimeout(time.Minute), validated(t, ks)}, opts...)...)
	c, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return c, ks
}

// clientAs returns a client for another user (password auth with scope).
func clientAs(t *testing.T, ks testenv.Keystone, userID, password string, scope authplugin.Scope) *identityv3.Client {
	t.Helper()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: userID}, Password: password, Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	// At the auth URL: an unscoped token has no catalog to find Keystone in.
	c, err := identityv3.NewClientAt(newSession(t, keystone.WithAuth(auth), keystone.WithTimeout(time.Minute), validated(t, ks)), ks.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// validated is a transport that validates every exchange with the real
// Keystone against api/identity-v3.yaml: a request or response the spec
// does not describe fails the test.
func validated(t *testing.T, ks testenv.Keystone) keystone.SessionOption {
	t.Helper()
	return keystone.WithTransport(validating(t, ks))
}

// validating is validated's transport.
func validating(t *testing.T, ks testenv.Keystone) http.RoundTripper {
	t.Helper()
	next := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	d, err := specvalidate.New(api.IdentityV3, keystone.UnversionedURL(ks.URL), next)
	if err != nil {
		t.Fatal(err)
	}
	d.ContinueOnInvalidRequest = true
	t.Cleanup(func() {
		for _, f := range d.Failures() {
			t.Errorf("not as the spec says: %v", f)
		}
	})
	return doerTransport{d}
}

// doerTransport is a RoundTripper that sends through a specvalidate.Doer.
type doerTransport struct{ d *specvalidate.Doer }

func (t doerTransport) RoundTrip(req *http.Request) (*http.Response, error) { return t.d.Do(req) }

// callerID is the ID of the user of c's token.
func callerID(t *testing.T, c *identityv3.Client) string {
	t.Helper()
	s := c.Session()
	ai, err := s.Auth().Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	return ai.User.ID
}

func projectID(p identityv3.Project) string { return p.ID }

// An explicit JSON null clears a member on the real Keystone; omitting a
// member leaves it alone; Extra members round-trip; a Null Keystone cannot
// take fails before any request.
func TestIntegrationNullAndExtra(t *testing.T) {
	transport := &countingTransport{next: validating(t, testenv.Require(t))}
	c, ks := realClient(t, keystone.WithTransport(transport))
	ctx := t.Context()

	// A project with a description and an extra member.
	pname := uniqueName("project")
	p := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: pname, DomainID: new(ks.Domain), Description: new("to be cleared"),
		Extra: map[string]any{"ct_extra": "kept"}}))
	t.Cleanup(func() { c.Projects.Delete(bg(), p.ID) })
	if p.Extra["ct_extra"] != "kept" || p.Description == nil || *p.Description != "to be cleared" {
		t.Errorf("created %+v", p)
	}
	if got := must(c.Projects.Get(ctx, p.ID, nil)); got.Extra["ct_extra"] != "kept" || len(got.Extra) != 1 {
		t.Errorf("get: extra %v", got.Extra)
	}
	listed := collect(c.Projects.List(ctx, &identityv3.ListProjectsOptions{Name: &pname}))
	if len(listed) != 1 || listed[0].Extra["ct_extra"] != "kept" || len(listed[0].Extra) != 1 {
		t.Errorf("list: %+v", listed)
	}
	if f := must(c.Projects.Find(ctx, pname, nil)); f.ID != p.ID || f.Extra["ct_extra"] != "kept" {
		t.Errorf("find: %+v", f)
	}
	// An update without the members leaves them; Keystone 22 answers a
	// PATCH with the extra members gathered in "extra" too.
	up := must(c.Projects.Update(ctx, p.ID, identityv3.ProjectUpdate{Enabled: new(true)}))
	if up.Description == nil || *up.Description != "to be cleared" || up.Extra["ct_extra"] != "kept" {
		t.Errorf("update without the members: %+v", up)
	}
	// Cleared with null: Keystone stores and returns null.
	up = must(c.Projects.Update(ctx, p.ID, identityv3.ProjectUpdate{Null: []string{"description"}}))
	if up.Description != nil {
		t.Errorf("update answered description %q, want null", *up.Description)
	}
	got := must(c.Projects.Get(ctx, p.ID, nil))
	if got.Description != nil {
		t.Errorf("description after clearing: %q, want null", *got.Description)
	}
	if got.Extra["ct_extra"] != "kept" {
		t.Errorf("the extra member went with the description: %v", got.Extra)
	}

	// A user with a default project and a description.
	u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: uniqueName("user"), DomainID: new(ks.Domain), DefaultProjectID: new(p.ID),
		Description: new("a user"), Extra: map[string]any{"email": "null@example.com"}}))
	t.Cleanup(func() { c.Users.Delete(bg(), u.ID) })
	if u.DefaultProjectID == nil || *u.DefaultProjectID != p.ID || u.Extra["email"] != "null@example.com" {
		t.Fatalf("created %+v", u)
	}
	must(c.Users.Update(ctx, u.ID, identityv3.UserUpdate{Null: []string{"default_project_id"}}))
	gu := must(c.Users.Get(ctx, u.ID))
	if gu.DefaultProjectID != nil {
		t.Errorf("default_project_id after clearing: %q", *gu.DefaultProjectID)
	}
	if gu.Description == nil || *gu.Description != "a user" || gu.Extra["email"] != "null@example.com" {
		t.Errorf("the other members went too: %+v", gu)
	}

	// An application credential of the caller: expires_at omitted, and
	// sent as null, both never expire.
	me := callerID(t, c)
	for _, body := range []identityv3.ApplicationCredentialCreate{
		{Name: uniqueName("ac-omitted")},
		{Name: uniqueName("ac-null"), Null: []string{"expires_at"}},
	} {
		ac := must(c.ApplicationCredentials.Create(ctx, me, body))
		t.Cleanup(func() { c.ApplicationCredentials.Delete(bg(), me, ac.ID) })
		if ac.ExpiresAt != nil || ac.Secret == nil || *ac.Secret == "" {
			t.Errorf("%s: created with expires_at %v, secret set %v", body.Name, ac.ExpiresAt, ac.Secret != nil)
		}
		g := must(c.ApplicationCredentials.Get(ctx, me, ac.ID))
		if g.ExpiresAt != nil || g.Secret != nil {
			t.Errorf("%s: read back with expires_at %v, secret %v", body.Name, g.ExpiresAt, g.Secret != nil)
		}
	}

	// Null refused before any request.
	before := transport.n.Load()
	nullErrors(t, c, p.ID, u.ID)
	if n := transport.n.Load() - before; n != 0 {
		t.Errorf("%d requests for refused bodies", n)
	}
}

// With a public identity endpoint in each of five regions, NewClient uses
// the one of the auth URL, and works.
func TestIntegrationNewClientManyRegions(t *testing.T) {
	admin, ks := realClient(t)
	ctx := t.Context()
	base := uniqueName("region")
	regions := make([]string, 4)
	for i := range regions {
		regions[i] = fmt.Sprintf("%s-%d", base, i+2)
	}
	identityRegions(t, admin, regions, regionURL)

	// A fresh session: its token's catalog has the new regions.
	s := newSession(t, keystone.WithAuth(realAuth(t, ks, authplugin.Scope{})), keystone.WithTimeout(time.Minute))
	ai, err := s.Auth().Access(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, ep := range ai.Catalog().Endpoints() {
		if ep.ServiceType == "identity" && ep.Interface == "public" {
			ids[ep.RegionID] = true
		}
	}
	for _, r := range append([]string{ks.Region}, regions...) {
		if !ids[r] {
			t.Fatalf("the token's catalog has no public identity endpoint in %s: %v", r, ids)
		}
	}
	c, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != keystone.UnversionedURL(ks.URL) && c.Endpoint() != strings.TrimRight(ks.URL, "/") {
		t.Errorf("Endpoint() = %q, want the auth URL's %q", c.Endpoint(), ks.URL)
	}
	if ps, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil || !contains(ps, func(p identityv3.Project) string { return p.Name }, ks.AdminProject) {
		t.Errorf("list projects: %v", err)
	}
	if r, err := c.Regions.Get(ctx, regions[1]); err != nil || r.ID != regions[1] {
		t.Errorf("get region %s: %v %v", regions[1], r, err)
	}
	// A region picks its own endpoint.
	cr, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{Region: regions[1]})
	if err != nil || cr.Endpoint() != "http://127.0.0.1:1/region3" {
		t.Errorf("%s: %v %v", regions[1], cr, err)
	}
}

func TestIntegrationProjectsAndDomains(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()

	// Domains.
	dname := uniqueName("domain")
	d := must(c.Domains.Create(ctx, identityv3.DomainCreate{Name: dname, Description: new("it")}))
	t.Cleanup(func() {
		c.Domains.Update(bg(), d.ID, identityv3.DomainUpdate{Enabled: new(false)})
		c.Domains.Delete(bg(), d.ID)
	})
	if f := must(c.Domains.Find(ctx, dname, nil)); f.ID != d.ID {
		t.Errorf("find domain by name: %s", f.ID)
	}
	if u := must(c.Domains.Update(ctx, d.ID, identityv3.DomainUpdate{Null: []string{"description"}})); u.Description != nil {
		t.Errorf("domain description not cleared: %q", *u.Description)
	}
	if all := collect(c.Domains.List(ctx, &identityv3.ListDomainsOptions{Enabled: new(true)})); !contains(all, func(x identityv3.Domain) string { return x.ID }, d.ID) {
		t.Error("domain not listed")
	}
	if err := c.Domains.Delete(ctx, d.ID); !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("deleting an enabled domain: %v", err)
	}

	// Projects, with a hierarchy and tags.
	pname := uniqueName("project")
	p := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: pname, DomainID: new(d.ID), Tags: []string{"a"}}))
	t.Cleanup(func() { c.Projects.Delete(bg(), p.ID) })
	child := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: uniqueName("child"), DomainID: new(d.ID), ParentID: new(p.ID)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), child.ID) })
	if f := must(c.Projects.Find(ctx, pname, &identityv3.ListProjectsOptions{DomainID: &d.ID})); f.ID != p.ID {
		t.Errorf("find project: %s", f.ID)
	}
	if got := must(c.Projects.Get(ctx, p.ID, &identityv3.GetProjectOptions{SubtreeAsList: true, ParentsAsList: false})); got.Subtree == nil || got.Parents != nil {
		t.Errorf("subtree flag: %+v", got)
	}
	if _, err := c.Projects.Find(ctx, uniqueName("ghost"), nil); !errors.Is(err, keystone.ErrNoUniqueMatch) {
		t.Errorf("find ghost: %v", err)
	}
	must(c.Projects.ReplaceTags(ctx, p.ID, []string{"x", "y"}))
	if err := c.Projects.AddTag(ctx, p.ID, "z"); err != nil {
		t.Fatal(err)
	}
	expect(t, true, "HasTag z")(c.Projects.HasTag(ctx, p.ID, "z"))
	expect(t, false, "HasTag nope")(c.Projects.HasTag(ctx, p.ID, "nope"))
	if err := c.Projects.DeleteTag(ctx, p.ID, "z"); err != nil {
		t.Fatal(err)
	}
	if err := c.Projects.DeleteTags(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if tags := collect(c.Projects.ListTags(ctx, p.ID)); len(tags) != 0 {
		t.Errorf("tags left: %v", tags)
	}
	if up := must(c.Projects.Update(ctx, child.ID, identityv3.ProjectUpdate{Enabled: new(false)})); up.Enabled {
		t.Error("project not disabled")
	}
	if err := c.Projects.Delete(ctx, child.ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Projects.Get(ctx, child.ID, nil)
	isNotFound(t, err, "deleted project")

	// Domain configuration.
	cfg := identityv3.DomainConfig{Identity: &identityv3.DomainConfigIdentity{Driver: new("sql")}}
	must(c.DomainConfigs.Create(ctx, d.ID, cfg))
	if got := must(c.DomainConfigs.Get(ctx, d.ID)); got.Identity == nil || got.Identity.Driver == nil || *got.Identity.Driver != "sql" {
		t.Errorf("domain config: %+v", got)
	}
	must(c.DomainConfigs.GetGroup(ctx, d.ID, "identity"))
	must(c.DomainConfigs.GetOption(ctx, d.ID, "identity", "driver"))
	must(c.DomainConfigs.GetDefault(ctx))
	must(c.DomainConfigs.GetDefaultGroup(ctx, "ldap"))
	must(c.DomainConfigs.GetDefaultOption(ctx, "ldap", "url"))
	if err := c.DomainConfigs.DeleteGroup(ctx, d.ID, "identity"); err != nil {
		t.Fatal(err)
	}
	if err := c.DomainConfigs.Delete(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_ = ks
}

func TestIntegrationUsersGroupsRoles(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: uniqueName("project"), DomainID: new(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	byDomain := &identityv3.ListUsersOptions{DomainID: &ks.Domain}

	password := uniqueName("pw")
	uname := uniqueName("user")
	u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: uname, DomainID: &ks.Domain, Password: new(password)}))
	t.Cleanup(func() { c.Users.Delete(bg(), u.ID) })
	if f := must(c.Users.Find(ctx, uname, byDomain)); f.ID != u.ID {
		t.Errorf("find user: %s", f.ID)
	}
	if up := must(c.Users.Update(ctx, u.ID, identityv3.UserUpdate{DefaultProjectID: new(project.ID)})); up.DefaultProjectID == nil || *up.DefaultProjectID != project.ID {
		t.Errorf("default project: %+v", up)
	}

	gname := uniqueName("group")
	g := must(c.Groups.Create(ctx, identityv3.GroupCreate{Name: gname, DomainID: &ks.Domain}))
	t.Cleanup(func() { c.Groups.Delete(bg(), g.ID) })
	if f := must(c.Groups.Find(ctx, gname, &identityv3.ListGroupsOptions{DomainID: &ks.Domain})); f.ID != g.ID {
		t.Errorf("find group: %s", f.ID)
	}
	if err := c.Groups.AddUser(ctx, g.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	expect(t, true, "HasUser")(c.Groups.HasUser(ctx, g.ID, u.ID))
	if members := collect(c.Groups.ListUsers(ctx, g.ID, nil)); len(members) != 1 || members[0].ID != u.ID {
		t.Errorf("members: %+v", members)
	}
	if gs := collect(c.Users.ListGroups(ctx, u.ID, nil)); len(gs) != 1 || gs[0].ID != g.ID {
		t.Errorf("user's groups: %+v", gs)
	}

	// Roles and grants.
	rname := uniqueName("role")
	role := must(c.Roles.Create(ctx, identityv3.RoleCreate{Name: rname}))
	t.Cleanup(func() { c.Roles.Delete(bg(), role.ID) })
	implied := must(c.Roles.Create(ctx, identityv3.RoleCreate{Name: uniqueName("implied")}))
	t.Cleanup(func() { c.Roles.Delete(bg(), implied.ID) })
	if f := must(c.Roles.Find(ctx, rname, nil)); f.ID != role.ID {
		t.Errorf("find role: %s", f.ID)
	}
	must(c.Roles.CreateImplied(ctx, role.ID, implied.ID))
	t.Cleanup(func() { c.Roles.DeleteImplied(bg(), role.ID, implied.ID) })
	expect(t, true, "HasImplied")(c.Roles.HasImplied(ctx, role.ID, implied.ID))
	if l := must(c.Roles.GetInference(ctx, role.ID)); len(l.Implies) != 1 {
		t.Errorf("implied: %+v", l)
	}
	must(c.Roles.GetImplied(ctx, role.ID, implied.ID))
	collect(c.Roles.ListInferences(ctx))

	grants := []struct {
		a  identityv3.Actor
		tg identityv3.Target
		o  []identityv3.GrantOption
	}{
		{identityv3.UserActor(u.ID), identityv3.OnProject(project.ID), nil},
		{identityv3.GroupActor(g.ID), identityv3.OnProject(project.ID), nil},
		{identityv3.UserActor(u.ID), identityv3.OnDomain(ks.Domain), nil},
		{identityv3.GroupActor(g.ID), identityv3.OnDomain(ks.Domain), nil},
		{identityv3.UserActor(u.ID), identityv3.OnSystem(), nil},
		{identityv3.GroupActor(g.ID), identityv3.OnSystem(), nil},
		{identityv3.UserActor(u.ID), identityv3.OnDomain(ks.Domain), []identityv3.GrantOption{identityv3.Inherited()}},
		{identityv3.GroupActor(g.ID), identityv3.OnProject(project.ID), []identityv3.GrantOption{identityv3.Inherited()}},
	}
	for _, gr := range grants {
		if err := c.Roles.Grant(ctx, role.ID, gr.a, gr.tg, gr.o...); err != nil {
			t.Fatalf("grant %+v on %+v: %v", gr.a, gr.tg, err)
		}
		expect(t, true, fmt.Sprintf("HasGrant %+v %+v", gr.a, gr.tg))(c.Roles.HasGrant(ctx, role.ID, gr.a, gr.tg, gr.o...))
		roles, err := keystone.Collect(c.Roles.ListGrants(ctx, gr.a, gr.tg, gr.o...))
		if len(gr.o) > 0 && gr.tg == identityv3.OnProject(project.ID) {
			if !errors.Is(err, identityv3.ErrInvalidGrant) {
				t.Errorf("listing inherited project grants: %v", err)
			}
		} else if err != nil || !contains(roles, func(r identityv3.Role) string { return r.ID }, role.ID) {
			t.Errorf("ListGrants %+v %+v: %v %v", gr.a, gr.tg, roles, err)
		}
	}
	if err := c.Roles.Grant(ctx, role.ID, identityv3.UserActor(u.ID), identityv3.OnSystem(), identityv3.Inherited()); !errors.Is(err, identityv3.ErrInvalidGrant) {
		t.Errorf("inherited system grant: %v", err)
	}
	// Effective assignments with names show the implied role and the group's grant.
	as := collect(c.RoleAssignments.List(ctx, &identityv3.ListRoleAssignmentsOptions{UserID: &u.ID, Effective: true, IncludeNames: true}))
	var names []string
	for _, a := range as {
		if a.Role.Name != nil {
			names = append(names, *a.Role.Name)
		}
	}
	if !slices.Contains(names, rname) || !slices.Contains(names, implied.Name) {
		t.Errorf("effective role names: %v", names)
	}
	if ps := collect(c.Users.ListProjects(ctx, u.ID, nil)); !contains(ps, projectID, project.ID) {
		t.Errorf("user's projects: %+v", ps)
	}
	for _, gr := range grants {
		if err := c.Roles.Revoke(ctx, role.ID, gr.a, gr.tg, gr.o...); err != nil {
			t.Errorf("revoke: %v", err)
		}
	}
	if err := c.Roles.Revoke(ctx, role.ID, identityv3.UserActor(u.ID), identityv3.OnProject(project.ID)); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("revoking again: %v", err)
	}

	// The user changes its own password.
	self := clientAs(t, ks, u.ID, password, authplugin.Scope{Unscoped: true})
	newPW := uniqueName("pw")
	if err := self.Users.ChangePassword(ctx, u.ID, identityv3.UserPasswordChange{OriginalPassword: password, Password: newPW}); err != nil {
		t.Fatal(err)
	}
	if err := self.Users.ChangePassword(ctx, u.ID, identityv3.UserPasswordChange{OriginalPassword: "wrong", Password: "x"}); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("wrong original password: %v", err)
	}
	if err := c.Groups.RemoveUser(ctx, g.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	expect(t, false, "HasUser after RemoveUser")(c.Groups.HasUser(ctx, g.ID, u.ID))
	if _, err := c.Users.Find(ctx, "it-no-such-user", byDomain); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("find ghost user: %v", err)
	}
}

func TestIntegrationCatalog(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	region := must(c.Regions.Create(ctx, identityv3.RegionCreate{ID: new(uniqueName("region"))}))
	t.Cleanup(func() { c.Regions.Delete(bg(), region.ID) })
	if r := must(c.Regions.Update(ctx, region.ID, identityv3.RegionUpdate{Description: new("it")})); r.Description != "it" {
		t.Errorf("region %+v", r)
	}
	if rs := collect(c.Regions.List(ctx, nil)); !contains(rs, func(r identityv3.Region) string { return r.ID }, ks.Region) {
		t.Errorf("%s not listed", ks.Region)
	}
	sname := uniqueName("svc")
	svc := must(c.Services.Create(ctx, identityv3.ServiceCreate{Type: uniqueName("type"), Name: &sname}))
	t.Cleanup(func() { c.Services.Delete(bg(), svc.ID) })
	if f := must(c.Services.Find(ctx, sname, nil)); f.ID != svc.ID {
		t.Errorf("find service: %s", f.ID)
	}
	ep := must(c.Endpoints.Create(ctx, identityv3.EndpointCreate{ServiceID: svc.ID, Interface: "public", URL: "http://127.0.0.1:1/x", RegionID: &region.ID}))
	t.Cleanup(func() { c.Endpoints.Delete(bg(), ep.ID) })
	if es := collect(c.Endpoints.List(ctx, &identityv3.ListEndpointsOptions{ServiceID: &svc.ID})); len(es) != 1 {
		t.Errorf("endpoints of the service: %+v", es)
	}
	if e := must(c.Endpoints.Update(ctx, ep.ID, identityv3.EndpointUpdate{Enabled: new(false)})); e.Enabled {
		t.Error("endpoint not disabled")
	}

	pol := must(c.Policies.Create(ctx, identityv3.PolicyCreate{Type: "application/json", Blob: "{}"}))
	t.Cleanup(func() { c.Policies.Delete(bg(), pol.ID) })
	if err := c.EndpointPolicy.AssociateEndpoint(ctx, pol.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	if got := must(c.EndpointPolicy.GetForEndpoint(ctx, ep.ID)); got.ID != pol.ID {
		t.Errorf("effective policy: %s", got.ID)
	}
	expect(t, true, "EndpointPolicy.HasEndpoint")(c.EndpointPolicy.HasEndpoint(ctx, pol.ID, ep.ID))
	if eps := collect(c.EndpointPolicy.ListEndpoints(ctx, pol.ID)); len(eps) != 1 {
		t.Errorf("policy endpoints: %+v", eps)
	}
	if err := c.EndpointPolicy.RemoveEndpoint(ctx, pol.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	must(c.Policies.Get(ctx, pol.ID))
	must(c.Policies.Update(ctx, pol.ID, identityv3.PolicyUpdate{Blob: new(`{"a": ""}`)}))
	collect(c.Policies.List(ctx, nil))

	admin := must(c.Users.Find(ctx, ks.AdminUser, &identityv3.ListUsersOptions{DomainID: &ks.Domain}))
	cred := must(c.Credentials.Create(ctx, identityv3.CredentialCreate{Type: uniqueName("type"), UserID: admin.ID, Blob: "opaque"}))
	t.Cleanup(func() { c.Credentials.Delete(bg(), cred.ID) })
	if got := must(c.Credentials.Get(ctx, cred.ID)); got.Blob != "opaque" {
		t.Errorf("credential blob %q", got.Blob)
	}
	if up := must(c.Credentials.Update(ctx, cred.ID, identityv3.CredentialUpdate{Blob: new("changed")})); up.Blob != "changed" {
		t.Errorf("credential blob %q after update", up.Blob)
	}
	if cs := collect(c.Credentials.List(ctx, &identityv3.ListCredentialsOptions{Type: &cred.Type})); len(cs) != 1 || cs[0].Blob != "changed" {
		t.Errorf("credentials of the type: %d", len(cs))
	}
	if err := c.Credentials.Delete(ctx, cred.ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Credentials.Get(ctx, cred.ID)
	isNotFound(t, err, "deleted credential")

	// Endpoint filter and groups.
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: uniqueName("project"), DomainID: new(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	if err := c.EndpointFilter.AddEndpoint(ctx, project.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	expect(t, true, "EndpointFilter.HasEndpoint")(c.EndpointFilter.HasEndpoint(ctx, project.ID, ep.ID))
	if eps := collect(c.EndpointFilter.ListEndpoints(ctx, project.ID)); len(eps) != 1 {
		t.Errorf("project endpoints: %+v", eps)
	}
	if ps := collect(c.EndpointFilter.ListProjects(ctx, ep.ID)); !contains(ps, projectID, project.ID) {
		t.Errorf("endpoint projects: %+v", ps)
	}
	if err := c.EndpointFilter.RemoveEndpoint(ctx, project.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	egName := uniqueName("epg")
	eg := must(c.EndpointGroups.Create(ctx, identityv3.EndpointGroupCreate{Name: egName, Filters: identityv3.EndpointGroupFilters{ServiceID: &svc.ID}}))
	t.Cleanup(func() { c.EndpointGroups.Delete(bg(), eg.ID) })
	if f := must(c.EndpointGroups.Find(ctx, egName, nil)); f.ID != eg.ID {
		t.Errorf("find endpoint group: %s", f.ID)
	}
	if err := c.EndpointGroups.AddProject(ctx, eg.ID, project.ID); err != nil {
		t.Fatal(err)
	}
	expect(t, true, "HasProject")(c.EndpointGroups.HasProject(ctx, eg.ID, project.ID))
	if eps := collect(c.EndpointGroups.ListEndpoints(ctx, eg.ID)); len(eps) != 1 {
		t.Errorf("group endpoints: %+v", eps)
	}
	if err := c.EndpointGroups.RemoveProject(ctx, eg.ID, project.ID); err != nil {
		t.Fatal(err)
	}
}

func TestIntegrationLimitsAndTokens(t *testing.T) {
	sc, ks := realSystemClient(t)
	c, _ := realClient(t)
	ctx := t.Context()
	svc := must(sc.Services.Create(ctx, identityv3.ServiceCreate{Type: uniqueName("type")}))
	t.Cleanup(func() { sc.Services.Delete(bg(), svc.ID) })
	rl := must(sc.RegisteredLimits.Create(ctx, []identityv3.RegisteredLimitCreate{{ServiceID: svc.ID, ResourceName: "cores", DefaultLimit: 10}}))
	t.Cleanup(func() { sc.RegisteredLimits.Delete(bg(), rl[0].ID) })
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: uniqueName("project"), DomainID: new(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	lim := must(sc.Limits.Create(ctx, []identityv3.LimitCreate{{ServiceID: svc.ID, ProjectID: &project.ID, ResourceName: "cores", ResourceLimit: 5}}))
	t.Cleanup(func() { sc.Limits.Delete(bg(), lim[0].ID) })
	if got := must(sc.Limits.Get(ctx, lim[0].ID)); got.ResourceLimit != 5 {
		t.Errorf("limit %+v", got)
	}
	must(sc.Limits.Update(ctx, lim[0].ID, identityv3.LimitUpdate{ResourceLimit: new(7)}))
	if ls := collect(sc.Limits.List(ctx, &identityv3.ListLimitsOptions{ServiceID: &svc.ID})); len(ls) != 1 || ls[0].ResourceLimit != 7 {
		t.Errorf("limits: %+v", ls)
	}
	must(sc.Limits.GetModel(ctx))
	must(sc.RegisteredLimits.Get(ctx, rl[0].ID))
	collect(sc.RegisteredLimits.List(ctx, &identityv3.ListRegisteredLimitsOptions{ServiceID: &svc.ID}))
	if err := sc.Limits.Delete(ctx, lim[0].ID); err != nil {
		t.Fatal(err)
	}
	if up := must(sc.RegisteredLimits.Update(ctx, rl[0].ID, identityv3.RegisteredLimitUpdate{DefaultLimit: new(20)})); up.DefaultLimit != 20 {
		t.Errorf("registered limit %+v", up)
	}

	// Tokens: validate, check, revoke a token of the admin's.
	auth := realAuth(t, ks, authplugin.Scope{})
	s := newSession(t, keystone.WithAuth(auth))
	subject := must(auth.Token(ctx, s))
	ai := must(c.Tokens.Validate(ctx, subject, &identityv3.ValidateOptions{NoCatalog: true}))
	if ai.Token() != subject || ai.User.Name != ks.AdminUser {
		t.Errorf("validated %v", ai)
	}
	expect(t, true, "Check")(c.Tokens.Check(ctx, subject, false))
	if err := c.Tokens.Revoke(ctx, subject); err != nil {
		t.Fatal(err)
	}
	expect(t, false, "Check of a revoked token")(c.Tokens.Check(ctx, subject, false))
	_, err := c.Tokens.Validate(ctx, subject, nil)
	isNotFound(t, err, "validate revoked")
	if _, err := c.Tokens.RevokedPKI(ctx); !errors.Is(err, keystone.ErrForbidden) && !errors.Is(err, keystone.ErrGone) {
		t.Errorf("PKI revocation list: %v", err)
	}
	if _, err := c.SimpleCert.GetCA(ctx); !errors.Is(err, keystone.ErrGone) {
		t.Errorf("simple cert: %v", err)
	}
	collect(c.RevocationEvents.List(ctx, nil))

	// What the admin's token can be scoped to, and its catalog.
	if cat := collect(c.Auth.ListCatalog(ctx)); len(cat) == 0 {
		t.Error("empty catalog")
	}
	if ps := collect(c.Auth.ListProjects(ctx)); len(ps) == 0 {
		t.Error("no auth projects")
	}
	collect(c.Auth.ListDomains(ctx))
	if sys := collect(c.Auth.ListSystem(ctx)); len(sys) != 1 {
		t.Errorf("system: %+v", sys)
	}
}

func TestIntegrationDelegation(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: uniqueName("project"), DomainID: new(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	member := must(c.Roles.Find(ctx, "member", nil))
	mk := func() (identityv3.User, string) {
		pw := uniqueName("pw")
		u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: uniqueName("user"), DomainID: &ks.Domain, Password: new(pw)}))
		t.Cleanup(func() { c.Users.Delete(bg(), u.ID) })
		if err := c.Roles.Grant(ctx, member.ID, identityv3.UserActor(u.ID), identityv3.OnProject(project.ID)); err != nil {
			t.Fatal(err)
		}
		return *u, pw
	}
	owner, ownerPW := mk()
	trustee, _ := mk()
	// Authorizing an OAuth1 request token takes the admin role on the project.
	admin := must(c.Roles.Find(ctx, "admin", nil))
	if err := c.Roles.Grant(ctx, admin.ID, identityv3.UserActor(owner.ID), identityv3.OnProject(project.ID)); err != nil {
		t.Fatal(err)
	}
	oc := clientAs(t, ks, owner.ID, ownerPW, authplugin.Scope{ProjectID: project.ID})

	// Application credentials and access rules.
	acName := uniqueName("appcred")
	ac := must(oc.ApplicationCredentials.Create(ctx, owner.ID, identityv3.ApplicationCredentialCreate{Name: acName,
		AccessRules: []identityv3.ApplicationCredentialAccessRuleCreate{{Service: new("compute"), Path: new("/v2.1/servers"), Method: new("GET")}}}))
	if ac.Secret == nil || *ac.Secret == "" {
		t.Fatal("no secret at creation")
	}
	if f := must(oc.ApplicationCredentials.Find(ctx, owner.ID, acName, nil)); f.ID != ac.ID || f.Secret != nil {
		t.Errorf("find app cred: %+v", f)
	}
	rules := collect(oc.AccessRules.List(ctx, owner.ID, nil))
	if len(rules) != 1 {
		t.Fatalf("access rules: %+v", rules)
	}
	must(oc.AccessRules.Get(ctx, owner.ID, rules[0].ID))
	if err := oc.ApplicationCredentials.Delete(ctx, owner.ID, ac.ID); err != nil {
		t.Fatal(err)
	}
	if err := oc.AccessRules.Delete(ctx, owner.ID, rules[0].ID); err != nil {
		t.Fatal(err)
	}

	// OAuth2 with an application credential.
	ac2 := must(oc.ApplicationCredentials.Create(ctx, owner.ID, identityv3.ApplicationCredentialCreate{Name: uniqueName("oauth2")}))
	t.Cleanup(func() { c.ApplicationCredentials.Delete(bg(), owner.ID, ac2.ID) })
	if tok := must(c.Tokens.IssueOAuth2(ctx, ac2.ID, *ac2.Secret)); tok.AccessToken == "" || tok.TokenType == "" {
		t.Errorf("oauth2 token: %+v", tok)
	}

	// Trusts.
	tr := must(oc.Trusts.Create(ctx, identityv3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
		ProjectID: new(project.ID), Roles: []identityv3.TrustRoleRef{{ID: &member.ID}}}))
	t.Cleanup(func() { c.Trusts.Delete(bg(), tr.ID) })
	must(oc.Trusts.Get(ctx, tr.ID))
	if ts := collect(oc.Trusts.List(ctx, &identityv3.ListTrustsOptions{TrustorUserID: &owner.ID})); len(ts) != 1 {
		t.Errorf("trusts: %+v", ts)
	}
	if rs := collect(oc.Trusts.ListRoles(ctx, tr.ID)); len(rs) != 1 {
		t.Errorf("trust roles: %+v", rs)
	}
	expect(t, true, "HasRole")(oc.Trusts.HasRole(ctx, tr.ID, member.ID))
	must(oc.Trusts.GetRole(ctx, tr.ID, member.ID))
	if err := oc.Trusts.Delete(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}

	// EC2 credentials.
	ec2 := must(c.EC2Credentials.Create(ctx, owner.ID, identityv3.EC2CredentialCreateRequest{TenantID: project.ID}))
	t.Cleanup(func() { c.EC2Credentials.Delete(bg(), owner.ID, ec2.Access) })
	if ec2.Secret == nil || *ec2.Secret == "" {
		t.Error("no EC2 secret at creation")
	}
	if l := collect(c.EC2Credentials.List(ctx, owner.ID)); len(l) != 1 {
		t.Errorf("ec2 credentials: %+v", l)
	}
	must(c.EC2Credentials.Get(ctx, owner.ID, ec2.Access))
	_, err := c.EC2Credentials.Validate(ctx, identityv3.EC2TokenCredentials{
		Access: ec2.Access, Signature: "not-a-signature", Host: new("localhost"), Verb: new("GET"), Path: new("/"),
		Params: map[string]string{"SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "AWSAccessKeyId": ec2.Access}})
	if !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("a bad EC2 signature: %v", err)
	}

	// OAuth1: consumer, request token, authorization, access token, authentication.
	cons := must(c.OAuth1Consumers.Create(ctx, identityv3.OAuth1ConsumerCreate{Description: new("it")}))
	t.Cleanup(func() { c.OAuth1Consumers.Delete(bg(), cons.ID) })
	must(c.OAuth1Consumers.Get(ctx, cons.ID))
	must(c.OAuth1Consumers.Update(ctx, cons.ID, identityv3.OAuth1ConsumerUpdate{Description: new("it2")}))
	collect(c.OAuth1Consumers.List(ctx))
	consumer := identityv3.OAuth1Signer{ConsumerKey: cons.ID, ConsumerSecret: cons.Secret}
	rt := must(c.OAuth1.CreateRequestToken(ctx, consumer, project.ID))
	verifier := must(oc.OAuth1.AuthorizeRequestToken(ctx, rt.Token, []identityv3.OAuth1RoleRef{{ID: &member.ID}}))
	consumer.Token, consumer.TokenSecret = rt.Token, rt.TokenSecret
	at := must(c.OAuth1.CreateAccessToken(ctx, consumer, verifier.OauthVerifier))
	consumer.Token, consumer.TokenSecret = at.Token, at.TokenSecret
	ai := must(c.OAuth1.Authenticate(ctx, consumer))
	if ai.OAuth1 == nil || ai.OAuth1.AccessTokenID != at.Token || ai.Project == nil || ai.Project.ID != project.ID {
		t.Errorf("oauth1 token: %v %+v", ai, ai.OAuth1)
	}
	if l := collect(oc.OAuth1.ListAccessTokens(ctx, owner.ID)); len(l) != 1 {
		t.Errorf("access tokens: %+v", l)
	}
	must(oc.OAuth1.GetAccessToken(ctx, owner.ID, at.Token))
	collect(oc.OAuth1.ListAccessTokenRoles(ctx, owner.ID, at.Token))
	must(oc.OAuth1.GetAccessTokenRole(ctx, owner.ID, at.Token, member.ID))
	if err := oc.OAuth1.DeleteAccessToken(ctx, owner.ID, at.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := c.OAuth1.Authenticate(ctx, consumer); err == nil {
		t.Error("a deleted access token still authenticates")
	}
	for _, s := range []string{fmt.Sprint(consumer), fmt.Sprintf("%+v", at), fmt.Sprint(cons)} {
		if strings.Contains(s, cons.Secret) || strings.Contains(s, at.TokenSecret) {
			t.Errorf("a secret is printed: %s", s)
		}
	}
}

func TestIntegrationFederation(t *testing.T) {
	c, _ := realClient(t)
	ctx := t.Context()
	mid := uniqueName("mapping")
	mp := must(c.Mappings.Create(ctx, mid, identityv3.MappingCreate{Rules: []identityv3.MappingRule{{
		Local:  []identityv3.MappingLocalRule{{User: &identityv3.MappingLocalUser{Name: new("{0}")}}},
		Remote: []identityv3.MappingRemoteRule{{Type: "HTTP_X_IT_USER"}},
	}}}))
	t.Cleanup(func() { c.Mappings.Delete(bg(), mp.ID) })
	must(c.Mappings.Get(ctx, mid))
	collect(c.Mappings.List(ctx))
	idpID := uniqueName("idp")
	dom := must(c.Domains.Create(ctx, identityv3.DomainCreate{Name: uniqueName("fed")}))
	t.Cleanup(func() {
		c.Domains.Update(bg(), dom.ID, identityv3.DomainUpdate{Enabled: new(false)})
		c.Domains.Delete(bg(), dom.ID)
	})
	idp := must(c.IdentityProviders.Create(ctx, idpID, identityv3.IdentityProviderCreate{DomainID: new(dom.ID)}))
	t.Cleanup(func() { c.IdentityProviders.Delete(bg(), idp.ID) })
	if up := must(c.IdentityProviders.Update(ctx, idpID, identityv3.IdentityProviderUpdate{Enabled: new(true)})); !up.Enabled {
		t.Error("identity provider not enabled")
	}
	must(c.IdentityProviders.CreateProtocol(ctx, idpID, "mapped", identityv3.FederationProtocolCreate{MappingID: mid}))
	if p := must(c.IdentityProviders.GetProtocol(ctx, idpID, "mapped")); p.MappingID != mid {
		t.Errorf("protocol %+v", p)
	}
	collect(c.IdentityProviders.ListProtocols(ctx, idpID))
	if l := collect(c.IdentityProviders.List(ctx, nil)); !contains(l, func(x identityv3.IdentityProvider) string { return x.ID }, idpID) {
		t.Error("idp not listed")
	}
	if err := c.IdentityProviders.DeleteProtocol(ctx, idpID, "mapped"); err != nil {
		t.Fatal(err)
	}
	spID := uniqueName("sp")
	must(c.ServiceProviders.Create(ctx, spID, identityv3.ServiceProviderCreate{AuthURL: "https://sp.example.com/v3/OS-FEDERATION/identity_providers/x/protocols/saml2/auth",
		SPURL: "https://sp.example.com/Shibboleth.sso/SAML2/ECP"}))
	t.Cleanup(func() { c.ServiceProviders.Delete(bg(), spID) })
	must(c.ServiceProviders.Get(ctx, spID))
	collect(c.ServiceProviders.List(ctx, nil))
	if md := must(c.Federation.GetMetadata(ctx)); len(md) == 0 {
		t.Error("empty SAML2 metadata")
	}
}
