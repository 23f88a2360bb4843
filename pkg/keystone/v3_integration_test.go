//go:build integration

package keystone_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

func ptr[T any](v T) *T { return &v }

// must returns v, or stops the test (with a panic the testing package reports,
// cleanups included) when err is not nil.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func isNotFound(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("%s: got %v, want ErrNotFound", what, err)
	}
}

func TestV3ProjectsAndDomains(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()

	// Domains.
	dname := itName("domain")
	d := must(c.Domains.Create(ctx, identityv3.DomainCreate{Name: dname, Description: nullable.NewNullableWithValue("it")}))
	t.Cleanup(func() {
		c.Domains.Update(bg(), d.ID, identityv3.DomainUpdate{Enabled: ptr(false)})
		c.Domains.Delete(bg(), d.ID)
	})
	if f := must(c.Domains.Find(ctx, dname)); f.ID != d.ID {
		t.Errorf("find domain by name: %s", f.ID)
	}
	if u := must(c.Domains.Update(ctx, d.ID, identityv3.DomainUpdate{Description: nullable.NewNullNullable[string]()})); !u.Description.IsNull() {
		t.Error("domain description not cleared")
	}
	if all := must(c.Domains.ListAll(ctx, &identityv3.ListDomainsParams{Enabled: ptr(true)})); !slices.ContainsFunc(all, func(x identityv3.Domain) bool { return x.ID == d.ID }) {
		t.Error("domain not listed")
	}
	if err := c.Domains.Delete(ctx, d.ID); !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("deleting an enabled domain: %v", err)
	}

	// Projects, with a hierarchy and tags.
	pname := itName("project")
	p := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: pname, DomainID: nullable.NewNullableWithValue(d.ID), Tags: []string{"a"}}))
	t.Cleanup(func() { c.Projects.Delete(bg(), p.ID) })
	child := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: itName("child"), DomainID: nullable.NewNullableWithValue(d.ID), ParentID: nullable.NewNullableWithValue(p.ID)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), child.ID) })
	if f := must(c.Projects.Find(ctx, pname, d.ID)); f.ID != p.ID {
		t.Errorf("find project: %s", f.ID)
	}
	if got := must(c.Projects.Get(ctx, p.ID, &identityv3.GetProjectParams{SubtreeAsList: ptr(true), ParentsAsList: ptr(false)})); got.Subtree == nil || got.Parents != nil {
		t.Errorf("subtree flag: %+v", got)
	}
	if _, err := c.Projects.Find(ctx, itName("ghost"), ""); !errors.Is(err, keystone.ErrNoUniqueMatch) {
		t.Errorf("find ghost: %v", err)
	}
	must(c.Projects.ReplaceTags(ctx, p.ID, []string{"x", "y"}))
	if err := c.Projects.AddTag(ctx, p.ID, "z"); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Projects.HasTag(ctx, p.ID, "z")); !ok {
		t.Error("HasTag z")
	}
	if ok := must(c.Projects.HasTag(ctx, p.ID, "nope")); ok {
		t.Error("HasTag nope")
	}
	if err := c.Projects.DeleteTag(ctx, p.ID, "z"); err != nil {
		t.Fatal(err)
	}
	if err := c.Projects.DeleteTags(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if tags := must(c.Projects.Tags(ctx, p.ID)); len(tags) != 0 {
		t.Errorf("tags left: %v", tags)
	}
	if up := must(c.Projects.Update(ctx, child.ID, identityv3.ProjectUpdate{Enabled: ptr(false)})); up.Enabled {
		t.Error("project not disabled")
	}
	if err := c.Projects.Delete(ctx, child.ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Projects.Get(ctx, child.ID, nil)
	isNotFound(t, err, "deleted project")

	// Domain configuration.
	cfg := identityv3.DomainConfig{Identity: &identityv3.DomainConfigIdentity{Driver: ptr("sql")}}
	must(c.DomainConfigs.Create(ctx, d.ID, cfg))
	if got := must(c.DomainConfigs.Get(ctx, d.ID)); got.Identity == nil || *got.Identity.Driver != "sql" {
		t.Errorf("domain config: %+v", got)
	}
	must(c.DomainConfigs.GetGroup(ctx, d.ID, "identity"))
	must(c.DomainConfigs.GetOption(ctx, d.ID, "identity", "driver"))
	must(c.DomainConfigs.Defaults(ctx))
	must(c.DomainConfigs.DefaultGroup(ctx, "ldap"))
	must(c.DomainConfigs.DefaultOption(ctx, "ldap", "url"))
	if err := c.DomainConfigs.DeleteGroup(ctx, d.ID, "identity"); err != nil {
		t.Fatal(err)
	}
	if err := c.DomainConfigs.Delete(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_ = ks
}

func TestV3UsersGroupsRoles(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: itName("project"), DomainID: nullable.NewNullableWithValue(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })

	password := itName("pw")
	uname := itName("user")
	u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: uname, DomainID: &ks.Domain, Password: nullable.NewNullableWithValue(password)}))
	t.Cleanup(func() { c.Users.Delete(bg(), u.ID) })
	if f := must(c.Users.Find(ctx, uname, ks.Domain)); f.ID != u.ID {
		t.Errorf("find user: %s", f.ID)
	}
	must(c.Users.Update(ctx, u.ID, identityv3.UserUpdate{DefaultProjectID: nullable.NewNullableWithValue(project.ID)}))

	gname := itName("group")
	g := must(c.Groups.Create(ctx, identityv3.GroupCreate{Name: gname, DomainID: &ks.Domain}))
	t.Cleanup(func() { c.Groups.Delete(bg(), g.ID) })
	if f := must(c.Groups.Find(ctx, gname, ks.Domain)); f.ID != g.ID {
		t.Errorf("find group: %s", f.ID)
	}
	if err := c.Groups.AddUser(ctx, g.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Groups.HasUser(ctx, g.ID, u.ID)); !ok {
		t.Error("HasUser")
	}
	if members := must(c.Groups.UsersAll(ctx, g.ID, nil)); len(members) != 1 || members[0].ID != u.ID {
		t.Errorf("members: %+v", members)
	}
	if gs := must(c.Users.GroupsAll(ctx, u.ID, nil)); len(gs) != 1 || gs[0].ID != g.ID {
		t.Errorf("user's groups: %+v", gs)
	}

	// Roles and grants.
	rname := itName("role")
	role := must(c.Roles.Create(ctx, identityv3.RoleCreate{Name: rname}))
	t.Cleanup(func() { c.Roles.Delete(bg(), role.ID) })
	implied := must(c.Roles.Create(ctx, identityv3.RoleCreate{Name: itName("implied")}))
	t.Cleanup(func() { c.Roles.Delete(bg(), implied.ID) })
	if f := must(c.Roles.Find(ctx, rname, "")); f.ID != role.ID {
		t.Errorf("find role: %s", f.ID)
	}
	must(c.Roles.CreateImplied(ctx, role.ID, implied.ID))
	t.Cleanup(func() { c.Roles.DeleteImplied(bg(), role.ID, implied.ID) })
	if ok := must(c.Roles.HasImplied(ctx, role.ID, implied.ID)); !ok {
		t.Error("HasImplied")
	}
	if l := must(c.Roles.ListImplied(ctx, role.ID)); len(l.RoleInference.Implies) != 1 {
		t.Errorf("implied: %+v", l)
	}
	must(c.Roles.GetImplied(ctx, role.ID, implied.ID))
	must(c.Roles.ListInferences(ctx))

	grants := []struct {
		a  keystone.Actor
		tg keystone.Target
		o  []keystone.GrantOption
	}{
		{keystone.UserActor(u.ID), keystone.OnProject(project.ID), nil},
		{keystone.GroupActor(g.ID), keystone.OnProject(project.ID), nil},
		{keystone.UserActor(u.ID), keystone.OnDomain(ks.Domain), nil},
		{keystone.GroupActor(g.ID), keystone.OnDomain(ks.Domain), nil},
		{keystone.UserActor(u.ID), keystone.OnSystem(), nil},
		{keystone.GroupActor(g.ID), keystone.OnSystem(), nil},
		{keystone.UserActor(u.ID), keystone.OnDomain(ks.Domain), []keystone.GrantOption{keystone.Inherited()}},
		{keystone.GroupActor(g.ID), keystone.OnProject(project.ID), []keystone.GrantOption{keystone.Inherited()}},
	}
	for _, gr := range grants {
		if err := c.Roles.Grant(ctx, role.ID, gr.a, gr.tg, gr.o...); err != nil {
			t.Fatalf("grant %+v on %+v: %v", gr.a, gr.tg, err)
		}
		if ok := must(c.Roles.HasGrant(ctx, role.ID, gr.a, gr.tg, gr.o...)); !ok {
			t.Errorf("HasGrant %+v %+v", gr.a, gr.tg)
		}
		roles, err := c.Roles.ListGrantsAll(ctx, gr.a, gr.tg, gr.o...)
		if len(gr.o) > 0 && gr.tg == keystone.OnProject(project.ID) {
			if !errors.Is(err, keystone.ErrInvalidGrant) {
				t.Errorf("listing inherited project grants: %v", err)
			}
		} else if err != nil || !slices.ContainsFunc(roles, func(r identityv3.Role) bool { return r.ID == role.ID }) {
			t.Errorf("ListGrants %+v %+v: %v %v", gr.a, gr.tg, roles, err)
		}
	}
	if err := c.Roles.Grant(ctx, role.ID, keystone.UserActor(u.ID), keystone.OnSystem(), keystone.Inherited()); !errors.Is(err, keystone.ErrInvalidGrant) {
		t.Errorf("inherited system grant: %v", err)
	}
	// Effective assignments with names show the implied role and the group's grant.
	as := must(c.RoleAssignments.ListAll(ctx, &identityv3.ListRoleAssignmentsParams{UserID: &u.ID, Effective: ptr(true), IncludeNames: ptr(true)}))
	var names []string
	for _, a := range as {
		if a.Role.Name != nil {
			names = append(names, *a.Role.Name)
		}
	}
	if !slices.Contains(names, rname) || !slices.Contains(names, implied.Name) {
		t.Errorf("effective role names: %v", names)
	}
	if ps := must(c.Users.ProjectsAll(ctx, u.ID, nil)); !slices.ContainsFunc(ps, func(p identityv3.Project) bool { return p.ID == project.ID }) {
		t.Errorf("user's projects: %+v", ps)
	}
	for _, gr := range grants {
		if err := c.Roles.Revoke(ctx, role.ID, gr.a, gr.tg, gr.o...); err != nil {
			t.Errorf("revoke: %v", err)
		}
	}
	if err := c.Roles.Revoke(ctx, role.ID, keystone.UserActor(u.ID), keystone.OnProject(project.ID)); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("revoking again: %v", err)
	}

	// The user changes its own password.
	self := clientAs(t, ks, u.ID, password, authplugin.Scope{Unscoped: true})
	newPW := itName("pw")
	if err := self.Users.ChangePassword(ctx, u.ID, identityv3.UserPasswordChange{OriginalPassword: password, Password: newPW}); err != nil {
		t.Fatal(err)
	}
	if err := self.Users.ChangePassword(ctx, u.ID, identityv3.UserPasswordChange{OriginalPassword: "wrong", Password: "x"}); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("wrong original password: %v", err)
	}
	if err := c.Groups.RemoveUser(ctx, g.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Groups.HasUser(ctx, g.ID, u.ID)); ok {
		t.Error("still a member")
	}
	if _, err := c.Users.Find(ctx, "it-no-such-user", ks.Domain); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("find ghost user: %v", err)
	}
}

func TestV3Catalog(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	region := must(c.Regions.Create(ctx, identityv3.RegionCreate{ID: ptr(itName("region"))}))
	t.Cleanup(func() { c.Regions.Delete(bg(), region.ID) })
	must(c.Regions.Update(ctx, region.ID, identityv3.RegionUpdate{Description: nullable.NewNullableWithValue("it")}))
	if rs := must(c.Regions.ListAll(ctx, nil)); !slices.ContainsFunc(rs, func(r identityv3.Region) bool { return r.ID == ks.Region }) {
		t.Error("RegionOne not listed")
	}
	sname := itName("svc")
	svc := must(c.Services.Create(ctx, identityv3.ServiceCreate{Type: itName("type"), Name: &sname}))
	t.Cleanup(func() { c.Services.Delete(bg(), svc.ID) })
	if f := must(c.Services.Find(ctx, sname)); f.ID != svc.ID {
		t.Errorf("find service: %s", f.ID)
	}
	ep := must(c.Endpoints.Create(ctx, identityv3.EndpointCreate{ServiceID: svc.ID, Interface: identityv3.EndpointInterfacePublic,
		URL: "http://127.0.0.1:1/x", RegionID: &region.ID}))
	t.Cleanup(func() { c.Endpoints.Delete(bg(), ep.ID) })
	if es := must(c.Endpoints.ListAll(ctx, &identityv3.ListEndpointsParams{ServiceID: &svc.ID})); len(es) != 1 {
		t.Errorf("endpoints of the service: %+v", es)
	}
	must(c.Endpoints.Update(ctx, ep.ID, identityv3.EndpointUpdate{Enabled: ptr(false)}))

	pol := must(c.Policies.Create(ctx, identityv3.PolicyCreate{Type: "application/json", Blob: "{}"}))
	t.Cleanup(func() { c.Policies.Delete(bg(), pol.ID) })
	if err := c.EndpointPolicy.AssociateWithEndpoint(ctx, pol.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	if got := must(c.Endpoints.Policy(ctx, ep.ID)); got.ID != pol.ID {
		t.Errorf("effective policy: %s", got.ID)
	}
	if ok := must(c.EndpointPolicy.IsAssociatedWithEndpoint(ctx, pol.ID, ep.ID)); !ok {
		t.Error("IsAssociatedWithEndpoint")
	}
	if eps := must(c.EndpointPolicy.EndpointsAll(ctx, pol.ID)); len(eps) != 1 {
		t.Errorf("policy endpoints: %+v", eps)
	}
	if err := c.EndpointPolicy.RemoveFromEndpoint(ctx, pol.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	must(c.Policies.Get(ctx, pol.ID))
	must(c.Policies.Update(ctx, pol.ID, identityv3.PolicyUpdate{Blob: ptr(`{"a": ""}`)}))
	must(c.Policies.ListAll(ctx, nil))

	cred := must(c.Credentials.Create(ctx, identityv3.CredentialCreate{Type: itName("type"), UserID: must(c.Users.Find(ctx, ks.AdminUser, ks.Domain)).ID, Blob: "opaque"}))
	t.Cleanup(func() { c.Credentials.Delete(bg(), cred.ID) })
	if got := must(c.Credentials.Get(ctx, cred.ID)); got.Blob != "opaque" {
		t.Errorf("credential blob %q", got.Blob)
	}
	must(c.Credentials.Update(ctx, cred.ID, identityv3.CredentialUpdate{Blob: ptr("changed")}))
	must(c.Credentials.ListAll(ctx, &identityv3.ListCredentialsParams{Type: &cred.Type}))
	if err := c.Credentials.Delete(ctx, cred.ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Credentials.Get(ctx, cred.ID)
	isNotFound(t, err, "deleted credential")

	// Endpoint filter and groups.
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: itName("project"), DomainID: nullable.NewNullableWithValue(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	if err := c.EndpointFilter.AddEndpoint(ctx, project.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.EndpointFilter.HasEndpoint(ctx, project.ID, ep.ID)); !ok {
		t.Error("HasEndpoint")
	}
	if eps := must(c.EndpointFilter.EndpointsAll(ctx, project.ID)); len(eps) != 1 {
		t.Errorf("project endpoints: %+v", eps)
	}
	must(c.EndpointFilter.ProjectsAll(ctx, ep.ID))
	if err := c.EndpointFilter.RemoveEndpoint(ctx, project.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	egName := itName("epg")
	eg := must(c.EndpointGroups.Create(ctx, identityv3.EndpointGroupCreate{Name: egName, Filters: identityv3.EndpointGroupFilters{ServiceID: &svc.ID}}))
	t.Cleanup(func() { c.EndpointGroups.Delete(bg(), eg.ID) })
	if f := must(c.EndpointGroups.Find(ctx, egName)); f.ID != eg.ID {
		t.Errorf("find endpoint group: %s", f.ID)
	}
	if err := c.EndpointGroups.AddToProject(ctx, eg.ID, project.ID); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.EndpointGroups.InProject(ctx, eg.ID, project.ID)); !ok {
		t.Error("InProject")
	}
	if eps := must(c.EndpointGroups.EndpointsAll(ctx, eg.ID)); len(eps) != 1 {
		t.Errorf("group endpoints: %+v", eps)
	}
	if err := c.EndpointGroups.RemoveFromProject(ctx, eg.ID, project.ID); err != nil {
		t.Fatal(err)
	}
}

func TestV3LimitsAndTokens(t *testing.T) {
	sc, ks := realSystemClient(t)
	c, _ := realClient(t)
	ctx := t.Context()
	svc := must(sc.Services.Create(ctx, identityv3.ServiceCreate{Type: itName("type")}))
	t.Cleanup(func() { sc.Services.Delete(bg(), svc.ID) })
	rl := must(sc.RegisteredLimits.Create(ctx, []identityv3.RegisteredLimitCreate{{ServiceID: svc.ID, ResourceName: "cores", DefaultLimit: 10}}))
	t.Cleanup(func() { sc.RegisteredLimits.Delete(bg(), rl[0].ID) })
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: itName("project"), DomainID: nullable.NewNullableWithValue(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	lim := must(sc.Limits.Create(ctx, []identityv3.LimitCreate{{ServiceID: svc.ID, ProjectID: &project.ID, ResourceName: "cores", ResourceLimit: 5}}))
	t.Cleanup(func() { sc.Limits.Delete(bg(), lim[0].ID) })
	if got := must(sc.Limits.Get(ctx, lim[0].ID)); got.ResourceLimit != 5 {
		t.Errorf("limit %+v", got)
	}
	must(sc.Limits.Update(ctx, lim[0].ID, identityv3.LimitUpdate{ResourceLimit: ptr(7)}))
	if ls := must(sc.Limits.ListAll(ctx, &identityv3.ListLimitsParams{ServiceID: &svc.ID})); len(ls) != 1 || ls[0].ResourceLimit != 7 {
		t.Errorf("limits: %+v", ls)
	}
	must(sc.Limits.Model(ctx))
	must(sc.RegisteredLimits.Get(ctx, rl[0].ID))
	must(sc.RegisteredLimits.ListAll(ctx, &identityv3.ListRegisteredLimitsParams{ServiceID: &svc.ID}))
	if err := sc.Limits.Delete(ctx, lim[0].ID); err != nil {
		t.Fatal(err)
	}
	must(sc.RegisteredLimits.Update(ctx, rl[0].ID, identityv3.RegisteredLimitUpdate{DefaultLimit: ptr(20)}))

	// Tokens: validate, check, revoke a token of the admin's.
	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain}, Password: ks.AdminPassword})
	s := newSession(t, keystone.WithAuth(auth))
	subject := must(auth.Token(ctx, s))
	ai := must(c.Tokens.Validate(ctx, subject, &keystone.ValidateOptions{NoCatalog: true}))
	if ai.Token() != subject || ai.User.Name != ks.AdminUser {
		t.Errorf("validated %v", ai)
	}
	if ok := must(c.Tokens.Check(ctx, subject, false)); !ok {
		t.Error("Check")
	}
	if err := c.Tokens.Revoke(ctx, subject); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Tokens.Check(ctx, subject, false)); ok {
		t.Error("a revoked token checks valid")
	}
	_, err := c.Tokens.Validate(ctx, subject, nil)
	isNotFound(t, err, "validate revoked")
	if _, err := c.Tokens.RevokedPKI(ctx); !errors.Is(err, keystone.ErrForbidden) && !errors.Is(err, keystone.ErrGone) {
		t.Errorf("PKI revocation list: %v", err)
	}
	if _, err := c.SimpleCert.CA(ctx); !errors.Is(err, keystone.ErrGone) {
		t.Errorf("simple cert: %v", err)
	}
	must(c.RevocationEvents.ListAll(ctx, nil))

	// What the admin's token can be scoped to, and its catalog.
	if cat := must(c.Auth.CatalogAll(ctx)); len(cat) == 0 {
		t.Error("empty catalog")
	}
	if ps := must(c.Auth.ProjectsAll(ctx)); len(ps) == 0 {
		t.Error("no auth projects")
	}
	must(c.Auth.DomainsAll(ctx))
	if sys := must(c.Auth.SystemAll(ctx)); len(sys) != 1 {
		t.Errorf("system: %+v", sys)
	}
}

func TestV3Delegation(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: itName("project"), DomainID: nullable.NewNullableWithValue(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	member := must(c.Roles.Find(ctx, "member", ""))
	mk := func() (identityv3.User, string) {
		pw := itName("pw")
		u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: itName("user"), DomainID: &ks.Domain, Password: nullable.NewNullableWithValue(pw)}))
		t.Cleanup(func() { c.Users.Delete(bg(), u.ID) })
		if err := c.Roles.Grant(ctx, member.ID, keystone.UserActor(u.ID), keystone.OnProject(project.ID)); err != nil {
			t.Fatal(err)
		}
		return *u, pw
	}
	owner, ownerPW := mk()
	trustee, _ := mk()
	// Authorizing an OAuth1 request token takes the admin role on the project.
	admin := must(c.Roles.Find(ctx, "admin", ""))
	if err := c.Roles.Grant(ctx, admin.ID, keystone.UserActor(owner.ID), keystone.OnProject(project.ID)); err != nil {
		t.Fatal(err)
	}
	oc := clientAs(t, ks, owner.ID, ownerPW, authplugin.Scope{ProjectID: project.ID})

	// Application credentials and access rules.
	acName := itName("appcred")
	ac := must(oc.ApplicationCredentials.Create(ctx, owner.ID, identityv3.ApplicationCredentialCreate{Name: acName,
		AccessRules: []identityv3.ApplicationCredentialAccessRuleCreate{{Service: ptr("compute"), Path: ptr("/v2.1/servers"), Method: ptr(identityv3.ApplicationCredentialAccessRuleCreateMethodGET)}}}))
	if ac.Secret == nil || *ac.Secret == "" {
		t.Fatal("no secret at creation")
	}
	if f := must(oc.ApplicationCredentials.Find(ctx, owner.ID, acName)); f.ID != ac.ID || f.Secret != nil {
		t.Errorf("find app cred: %+v", f)
	}
	rules := must(oc.AccessRules.ListAll(ctx, owner.ID, nil))
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
	ac2 := must(oc.ApplicationCredentials.Create(ctx, owner.ID, identityv3.ApplicationCredentialCreate{Name: itName("oauth2")}))
	t.Cleanup(func() { c.ApplicationCredentials.Delete(bg(), owner.ID, ac2.ID) })
	if tok := must(c.Tokens.IssueOAuth2(ctx, ac2.ID, *ac2.Secret)); tok.AccessToken == "" || tok.TokenType == "" {
		t.Errorf("oauth2 token: %+v", tok)
	}

	// Trusts.
	tr := must(oc.Trusts.Create(ctx, identityv3.TrustCreate{TrustorUserID: owner.ID, TrusteeUserID: trustee.ID,
		ProjectID: nullable.NewNullableWithValue(project.ID), Roles: []identityv3.TrustRoleRef{{ID: &member.ID}}}))
	t.Cleanup(func() { c.Trusts.Delete(bg(), tr.ID) })
	must(oc.Trusts.Get(ctx, tr.ID))
	if ts := must(oc.Trusts.ListAll(ctx, &identityv3.ListTrustsParams{TrustorUserID: &owner.ID})); len(ts) != 1 {
		t.Errorf("trusts: %+v", ts)
	}
	if rs := must(oc.Trusts.RolesAll(ctx, tr.ID)); len(rs) != 1 {
		t.Errorf("trust roles: %+v", rs)
	}
	if ok := must(oc.Trusts.HasRole(ctx, tr.ID, member.ID)); !ok {
		t.Error("HasRole")
	}
	must(oc.Trusts.GetRole(ctx, tr.ID, member.ID))
	if err := oc.Trusts.Delete(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}

	// EC2 credentials.
	ec2 := must(c.EC2Credentials.Create(ctx, owner.ID, project.ID))
	t.Cleanup(func() { c.EC2Credentials.Delete(bg(), owner.ID, ec2.Access) })
	if l := must(c.EC2Credentials.ListAll(ctx, owner.ID)); len(l) != 1 {
		t.Errorf("ec2 credentials: %+v", l)
	}
	must(c.EC2Credentials.Get(ctx, owner.ID, ec2.Access))
	_, err := c.EC2Credentials.Validate(ctx, identityv3.EC2TokenRequest{Credentials: &identityv3.EC2TokenCredentials{
		Access: ec2.Access, Signature: "not-a-signature", Host: ptr("localhost"), Verb: ptr("GET"), Path: ptr("/"),
		Params: map[string]string{"SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "AWSAccessKeyId": ec2.Access}}})
	if !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("a bad EC2 signature: %v", err)
	}

	// OAuth1: consumer, request token, authorization, access token, authentication.
	cons := must(c.OAuth1.CreateConsumer(ctx, identityv3.OAuth1ConsumerCreate{Description: nullable.NewNullableWithValue("it")}))
	t.Cleanup(func() { c.OAuth1.DeleteConsumer(bg(), cons.ID) })
	must(c.OAuth1.GetConsumer(ctx, cons.ID))
	must(c.OAuth1.UpdateConsumer(ctx, cons.ID, identityv3.OAuth1ConsumerUpdate{Description: nullable.NewNullableWithValue("it2")}))
	must(c.OAuth1.ListConsumersAll(ctx))
	consumer := keystone.OAuth1Signer{ConsumerKey: cons.ID, ConsumerSecret: cons.Secret}
	rt := must(c.OAuth1.CreateRequestToken(ctx, consumer, project.ID))
	verifier := must(oc.OAuth1.AuthorizeRequestToken(ctx, rt.Token, []identityv3.OAuth1RoleRef{{ID: &member.ID}}))
	consumer.Token, consumer.TokenSecret = rt.Token, rt.TokenSecret
	at := must(c.OAuth1.CreateAccessToken(ctx, consumer, verifier.OauthVerifier))
	consumer.Token, consumer.TokenSecret = at.Token, at.TokenSecret
	ai := must(c.OAuth1.Authenticate(ctx, consumer))
	if ai.OAuth1 == nil || ai.OAuth1.AccessTokenID != at.Token || ai.Project == nil || ai.Project.ID != project.ID {
		t.Errorf("oauth1 token: %v %+v", ai, ai.OAuth1)
	}
	if l := must(oc.OAuth1.ListAccessTokensAll(ctx, owner.ID)); len(l) != 1 {
		t.Errorf("access tokens: %+v", l)
	}
	must(oc.OAuth1.GetAccessToken(ctx, owner.ID, at.Token))
	must(oc.OAuth1.ListAccessTokenRolesAll(ctx, owner.ID, at.Token))
	must(oc.OAuth1.GetAccessTokenRole(ctx, owner.ID, at.Token, member.ID))
	if err := oc.OAuth1.DeleteAccessToken(ctx, owner.ID, at.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := c.OAuth1.Authenticate(ctx, consumer); err == nil {
		t.Error("a deleted access token still authenticates")
	}
	if s := consumer.String(); slices.Contains([]string{s}, cons.Secret) {
		t.Error("the signer prints its secret")
	}
	_ = time.Now
}

func TestV3Federation(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	mid := itName("mapping")
	mp := must(c.Mappings.Create(ctx, mid, identityv3.MappingCreate{Rules: []identityv3.MappingRule{{
		Local:  []identityv3.MappingLocalRule{{User: &identityv3.MappingLocalUser{Name: ptr("{0}")}}},
		Remote: []identityv3.MappingRemoteRule{{Type: "HTTP_X_IT_USER"}},
	}}}))
	t.Cleanup(func() { c.Mappings.Delete(bg(), mp.ID) })
	must(c.Mappings.Get(ctx, mid))
	must(c.Mappings.ListAll(ctx))
	idpID := itName("idp")
	dom := must(c.Domains.Create(ctx, identityv3.DomainCreate{Name: itName("fed")}))
	t.Cleanup(func() {
		c.Domains.Update(bg(), dom.ID, identityv3.DomainUpdate{Enabled: ptr(false)})
		c.Domains.Delete(bg(), dom.ID)
	})
	idp := must(c.IdentityProviders.Create(ctx, idpID, identityv3.IdentityProviderCreate{DomainID: nullable.NewNullableWithValue(dom.ID)}))
	t.Cleanup(func() { c.IdentityProviders.Delete(bg(), idp.ID) })
	must(c.IdentityProviders.Update(ctx, idpID, identityv3.IdentityProviderUpdate{Enabled: ptr(true)}))
	must(c.IdentityProviders.CreateProtocol(ctx, idpID, "mapped", identityv3.FederationProtocolCreate{MappingID: mid}))
	must(c.IdentityProviders.GetProtocol(ctx, idpID, "mapped"))
	must(c.IdentityProviders.ListProtocolsAll(ctx, idpID))
	if l := must(c.IdentityProviders.ListAll(ctx, nil)); !slices.ContainsFunc(l, func(x identityv3.IdentityProvider) bool { return x.ID == idpID }) {
		t.Error("idp not listed")
	}
	if err := c.IdentityProviders.DeleteProtocol(ctx, idpID, "mapped"); err != nil {
		t.Fatal(err)
	}
	spID := itName("sp")
	must(c.ServiceProviders.Create(ctx, spID, identityv3.ServiceProviderCreate{AuthURL: "https://sp.example.com/v3/OS-FEDERATION/identity_providers/x/protocols/saml2/auth",
		SpURL: "https://sp.example.com/Shibboleth.sso/SAML2/ECP"}))
	t.Cleanup(func() { c.ServiceProviders.Delete(bg(), spID) })
	must(c.ServiceProviders.Get(ctx, spID))
	must(c.ServiceProviders.ListAll(ctx, nil))
	if md := must(c.Federation.Metadata(ctx)); len(md) == 0 {
		t.Error("empty SAML2 metadata")
	}
	_ = ks
}
