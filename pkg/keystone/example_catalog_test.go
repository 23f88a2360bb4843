package keystone_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// List every URL of a service (here compute in two regions), group the
// catalog by service type, and read it as Keystone sent it.
func ExampleCatalog_URLs() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ks.AddService("compute", "nova",
		keystonetest.Endpoint{Interface: "public", Region: "RegionOne", URL: "https://nova.region1.example/v2.1"},
		keystonetest.Endpoint{Interface: "public", Region: "RegionTwo", URL: "https://nova.region2.example/v2.1"},
	)
	ctx := context.Background()
	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{ID: ks.AdminUserID}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectID: ks.AdminProjectID},
	})
	session, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(ctx, session)
	if err != nil {
		log.Fatal(err)
	}

	urls, err := ai.Catalog().URLs(keystone.EndpointFilter{ServiceType: "compute"})
	slices.Sort(urls)
	fmt.Println(urls, err)

	byType, _ := ai.Catalog().EndpointsByType(keystone.EndpointFilter{Interfaces: []string{"public"}})
	fmt.Println(len(byType["compute"]), len(byType["identity"]))

	var raw []struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(ai.CatalogData(), &raw)
	fmt.Println(len(raw), "services")

	// A token without a catalog (unscoped) fails every lookup.
	_, err = keystone.NewStaticAccess("token").Catalog().URLs(keystone.EndpointFilter{ServiceType: "compute"})
	fmt.Println(errors.Is(err, keystone.ErrEndpointNotFound), errors.Is(err, keystone.ErrEmptyCatalog))
	// Output:
	// [https://nova.region1.example/v2.1 https://nova.region2.example/v2.1] <nil>
	// 2 1
	// 2 services
	// true true
}

// Read the versions an endpoint offers, as sent and by status, and choose
// one among those a filter allows.
func ExampleDiscovery_RawVersions() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	session, _ := keystone.NewSession()

	// Keystone's root answers 300 Multiple Choices with every version.
	d, err := session.Discover(context.Background(), ks.URL)
	if err != nil {
		log.Fatal(err)
	}
	for _, raw := range d.RawVersions(keystone.DefaultVersionFilter()) {
		var v struct{ ID, Status string }
		_ = json.Unmarshal(raw, &v)
		fmt.Println("raw:", v.ID, v.Status)
	}
	for _, v := range d.Filter(keystone.VersionFilter{}) { // stable versions only
		fmt.Println("stable:", v.ID, v.Status, v.RawStatus)
	}
	v, err := d.MatchFiltered("2", "", keystone.DefaultVersionFilter())
	fmt.Println("chosen:", v.ID, err)
	// Output:
	// raw: v3.14 stable
	// raw: v2.0 deprecated
	// stable: v3.14 current stable
	// chosen: v3.14 <nil>
}

// Read a discovery document that needs a token.
func ExampleSession_DiscoverWith() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{ID: ks.AdminUserID}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectID: ks.AdminProjectID},
	})
	session, _ := keystone.NewSession(keystone.WithAuth(auth))
	d, err := session.DiscoverWith(context.Background(), ks.AuthURL(), keystone.DiscoverOptions{Authenticated: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Versions[0].ID, d.Versions[0].Status)
	// Output:
	// v3.14 current
}
