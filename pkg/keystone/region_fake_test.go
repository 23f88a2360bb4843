package keystone_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// addIdentityRegions creates, through the generated client of s's identity
// endpoint, each of regions and, in it, an endpoint of the identity service
// (the one named "keystone") for each of ifaces at url(i, iface), i being the
// region's index in regions. It deletes them when t ends (the endpoints, then
// the regions).
func addIdentityRegions(t *testing.T, s *keystone.Session, regions, ifaces []string, url func(i int, iface string) string) {
	t.Helper()
	ctx := t.Context()
	c, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := keystone.Collect(c.Services.List(ctx, &identityv3.ListServicesOptions{Type: regionPtr("identity"), Name: regionPtr("keystone")}))
	if err != nil || len(svcs) != 1 {
		t.Fatalf("list identity services: %v %v", svcs, err)
	}
	serviceID := svcs[0].ID
	for i, region := range regions {
		if _, err := c.Regions.Create(ctx, identityv3.RegionCreate{ID: regionPtr(region)}); err != nil {
			t.Fatalf("create region %s: %v", region, err)
		}
		t.Cleanup(func() {
			if err := c.Regions.Delete(context.Background(), region); err != nil {
				t.Errorf("delete region %s: %v", region, err)
			}
		})
		for _, iface := range ifaces {
			e, err := c.Endpoints.Create(ctx, identityv3.EndpointCreate{
				Interface: iface, RegionID: regionPtr(region), ServiceID: serviceID, URL: url(i, iface),
			})
			if err != nil {
				t.Fatalf("create %s endpoint in %s: %v", iface, region, err)
			}
			id := e.ID
			t.Cleanup(func() { // runs before the region's cleanup (registered earlier)
				if err := c.Endpoints.Delete(context.Background(), id); err != nil {
					t.Errorf("delete endpoint %s: %v", id, err)
				}
			})
		}
	}
}

func regionPtr[T any](v T) *T { return &v }

// unreachableIdentityURL is the identity URL of an added region: nothing
// answers there.
func unreachableIdentityURL(i int, iface string) string {
	return fmt.Sprintf("http://127.0.0.1:1/region%d/%s/v3", i+2, iface)
}

// regionAdminSession authenticates a new session as the fake's administrator.
func regionAdminSession(t *testing.T, ks *keystonetest.Server, opts ...keystone.SessionOption) *keystone.Session {
	t.Helper()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		t.Fatal(err)
	}
	return newSession(t, append([]keystone.SessionOption{keystone.WithAuth(auth)}, opts...)...)
}

func TestRegionFakeIdentityPicksAuthURL(t *testing.T) {
	ks := keystonetest.NewServer(t)
	ctx := t.Context()
	// The bootstrap region and four more, each with the three interfaces.
	addIdentityRegions(t, regionAdminSession(t, ks), regionNames[1:], []string{"public", "internal", "admin"}, unreachableIdentityURL)

	// A new token has the five regions in its catalog.
	s := regionAdminSession(t, ks)
	ai, err := s.Auth().Access(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ep := range ai.Catalog().Endpoints() {
		if ep.ServiceType == "identity" {
			n++
		}
	}
	if n != 15 {
		t.Fatalf("the token's catalog has %d identity endpoints, want 15", n)
	}

	bootstrapURL := ks.URL + "/v3/" // as keystone-manage bootstrap registers it
	if got := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}); got != bootstrapURL {
		t.Errorf("identity endpoint = %q, want the auth URL's %q", got, bootstrapURL)
	}
	// The typed client finds Keystone, and works.
	c, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil {
		t.Errorf("list projects: %v", err)
	}
	// A region, the session's or the filter's, picks its own endpoint.
	sr := regionAdminSession(t, ks, keystone.WithRegion("RegionThree"))
	if got, want := regionEndpointURL(t, sr, keystone.EndpointFilter{ServiceType: "identity"}), unreachableIdentityURL(1, "public"); got != want {
		t.Errorf("RegionThree's identity endpoint = %q, want %q", got, want)
	}
	if got, want := regionEndpointURL(t, sr, keystone.EndpointFilter{ServiceType: "identity", Region: "RegionFive"}), unreachableIdentityURL(3, "public"); got != want {
		t.Errorf("RegionFive's identity endpoint = %q, want %q", got, want)
	}
	// The session's interface, in the auth URL's region.
	si := regionAdminSession(t, ks, keystone.WithInterface("admin"))
	if got := regionEndpointURL(t, si, keystone.EndpointFilter{ServiceType: "identity"}); got != bootstrapURL {
		t.Errorf("admin identity endpoint = %q, want %q", got, bootstrapURL)
	}
	sri := regionAdminSession(t, ks, keystone.WithInterface("internal"), keystone.WithRegion("RegionFour"))
	if got, want := regionEndpointURL(t, sri, keystone.EndpointFilter{ServiceType: "identity"}), unreachableIdentityURL(2, "internal"); got != want {
		t.Errorf("RegionFour's internal identity endpoint = %q, want %q", got, want)
	}
}

// The plugins of the authplugin package tell their auth URL, whatever its
// form: a v2.0 one, or the unversioned root for the generic plugin.
func TestRegionFakeOtherPlugins(t *testing.T) {
	ks := keystonetest.NewServer(t)
	addIdentityRegions(t, regionAdminSession(t, ks), regionNames[1:], []string{"public"}, unreachableIdentityURL)
	bootstrapURL := ks.URL + "/v3/"

	v2, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), Username: ks.AdminUser,
		Password: ks.AdminPassword, Tenant: authplugin.Tenant{Name: ks.AdminProject}})
	if err != nil {
		t.Fatal(err)
	}
	generic, err := authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: ks.URL,
		User: authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}})
	if err != nil {
		t.Fatal(err)
	}
	for name, auth := range map[string]keystone.AuthPlugin{"v2password": v2, "generic": generic} {
		s := newSession(t, keystone.WithAuth(auth))
		if got := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}); got != bootstrapURL {
			t.Errorf("%s: identity endpoint = %q, want %q", name, got, bootstrapURL)
		}
		resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: "",
			Endpoint: &keystone.EndpointFilter{ServiceType: "identity"}, NoAuth: true})
		if err != nil {
			t.Errorf("%s: GET the identity endpoint: %v", name, err)
			continue
		}
		resp.Body.Close()
	}
}
