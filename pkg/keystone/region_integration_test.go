//go:build integration

package keystone_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// With identity endpoints in five regions, the real Keystone's identity
// endpoint is still found without a region: it is the auth URL's.
func TestRegionIntegrationIdentityPicksAuthURL(t *testing.T) {
	ks := testenv.Require(t)
	ctx := t.Context()
	newAuth := func() keystone.AuthPlugin {
		auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
			AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
			Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain},
		})
		if err != nil {
			t.Fatal(err)
		}
		return auth
	}
	admin := newSession(t, keystone.WithAuth(newAuth()), keystone.WithTimeout(time.Minute))

	// Four more regions, with a public identity endpoint each that nothing
	// answers at (only public ones: other clients of this Keystone keep a
	// single internal and admin identity endpoint).
	base := itName("region")
	regions := make([]string, 4)
	for i := range regions {
		regions[i] = fmt.Sprintf("%s-%d", base, i+2)
	}
	addIdentityRegions(t, admin, regions, []string{"public"}, func(i int, iface string) string {
		return fmt.Sprintf("http://127.0.0.1:1/region%d/v3", i+2)
	})

	// A fresh token sees the five regions.
	s := newSession(t, keystone.WithAuth(newAuth()), keystone.WithTimeout(time.Minute))
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
	if len(ids) < 5 {
		t.Fatalf("the token's catalog has public identity endpoints in %d regions, want at least 5", len(ids))
	}
	// Without the auth URL's help, the lookup is ambiguous.
	plain := struct{ keystone.AuthPlugin }{s.Auth()}
	_, err = s.EndpointURL(ctx, plain, keystone.EndpointFilter{ServiceType: "identity"})
	var amb *keystone.AmbiguousEndpointsError
	if !errors.As(err, &amb) {
		t.Fatalf("lookup by a plugin without an auth URL: err = %v, want *AmbiguousEndpointsError", err)
	}

	u := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"})
	if keystone.UnversionedURL(u) != keystone.UnversionedURL(ks.URL) {
		t.Errorf("identity endpoint = %q, want the auth URL %s's", u, ks.URL)
	}
	c, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Regions.Get(ctx, regions[1]); err != nil {
		t.Errorf("get region %s through the found endpoint: %v", regions[1], err)
	}

	// A region, the session's or the filter's, picks its own endpoint.
	sr := newSession(t, keystone.WithAuth(newAuth()), keystone.WithRegion(regions[1]))
	if got, want := regionEndpointURL(t, sr, keystone.EndpointFilter{ServiceType: "identity"}), "http://127.0.0.1:1/region3/v3"; got != want {
		t.Errorf("identity endpoint of %s = %q, want %q", regions[1], got, want)
	}
	if got, want := regionEndpointURL(t, sr, keystone.EndpointFilter{ServiceType: "identity", Region: regions[3]}), "http://127.0.0.1:1/region5/v3"; got != want {
		t.Errorf("identity endpoint of %s = %q, want %q", regions[3], got, want)
	}
	if got := regionEndpointURL(t, sr, keystone.EndpointFilter{ServiceType: "identity", Region: ks.Region}); keystone.UnversionedURL(got) != keystone.UnversionedURL(ks.URL) {
		t.Errorf("identity endpoint of %s = %q, want the auth URL %s's", ks.Region, got, ks.URL)
	}
	// The session's interface.
	si := newSession(t, keystone.WithAuth(newAuth()), keystone.WithInterface("internal"))
	if got := regionEndpointURL(t, si, keystone.EndpointFilter{ServiceType: "identity"}); keystone.UnversionedURL(got) != keystone.UnversionedURL(ks.URL) {
		t.Errorf("internal identity endpoint = %q, want %s's", got, ks.URL)
	}
}
