package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// The examples run against an in-memory Keystone (package keystonetest) that
// stands in for a cloud such as https://keystone.example.com; its bootstrap
// administrator plays the user.

// Authenticate with a password, scoped to a project, and call the Identity
// API through the session.
func Example_passwordSession() {
	ks, err := keystonetest.Start() // stands in for https://keystone.example.com
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(), // https://keystone.example.com/v3
		User:     authplugin.User{Name: ks.AdminUser, DomainName: "Default"},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainName: "Default"},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithUserAgent("example", "1.0"))
	if err != nil {
		log.Fatal(err)
	}
	identity, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	ai, _ := auth.Access(ctx, session)
	fmt.Println("user:", ai.User.Name, "project:", ai.Project.Name)
	for p, err := range identity.Projects.List(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("project:", p.Name)
	}
	// Output:
	// user: admin project: admin
	// project: admin
}

// Save the auth state (for example to a file only this user can read) and
// reuse the token in another process, without authenticating again.
func Example_savedAuthState() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ks.AddService("compute", "nova", keystonetest.Endpoint{Interface: "public", URL: ks.URL + "/compute/v2.1"})
	ctx := context.Background()

	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{ID: ks.AdminUserID}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectID: ks.AdminProjectID},
	})
	session, _ := keystone.NewSession(keystone.WithAuth(auth))
	if _, err := auth.Token(ctx, session); err != nil {
		log.Fatal(err)
	}
	state, _ := auth.ExportState() // contains the token: keep it secret

	// Later, elsewhere:
	ai, err := keystone.ParseAccessInfo(state)
	if err != nil {
		log.Fatal(err)
	}
	reused := authplugin.NewFromAccess(ai)
	other, _ := keystone.NewSession(keystone.WithAuth(reused))
	u, _ := reused.Endpoint(ctx, other, keystone.EndpointFilter{ServiceType: "compute"})
	fmt.Println("compute at", u[len(ks.URL):], "- tokens issued:", ks.TokenCount())
	// Output: compute at /compute/v2.1 - tokens issued: 1
}

// Keystone's admin_token bootstrap mode: a shared secret and a fixed
// endpoint, no catalog, no authentication request.
func Example_adminToken() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	// Show what reaches the server, and answer it in place of Keystone.
	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		fmt.Println(r.Method, r.URL.Path, "token sent:", r.Header.Get("X-Auth-Token") == "ADMIN")
		w.WriteHeader(http.StatusNoContent)
		return true
	})

	auth, _ := authplugin.NewAdminToken(ks.AuthURL(), "ADMIN")
	session, _ := keystone.NewSession(keystone.WithAuth(auth))
	resp, err := session.Request(context.Background(), keystone.Request{
		Method: http.MethodDelete, URL: "projects/p-1",
		Endpoint: &keystone.EndpointFilter{ServiceType: "identity"},
	})
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	// Output: DELETE /v3/projects/p-1 token sent: true
}

// Find an endpoint in the token's catalog: by service type (aliases work), an
// ordered list of interfaces and a region.
func Example_endpointLookup() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ks.AddService("compute", "nova",
		keystonetest.Endpoint{Interface: "public", Region: "RegionOne", URL: ks.URL + "/compute/v2.1"},
		keystonetest.Endpoint{Interface: "internal", Region: "RegionOne", URL: "http://nova.internal:8774/v2.1"},
		keystonetest.Endpoint{Interface: "public", Region: "RegionThree", URL: "https://nova.region3.example/v2.1"},
	)
	ctx := context.Background()
	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{ID: ks.AdminUserID}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectID: ks.AdminProjectID},
	})
	session, _ := keystone.NewSession(keystone.WithAuth(auth))

	u, err := session.EndpointURL(ctx, nil, keystone.EndpointFilter{
		ServiceType: "compute", Interfaces: []string{"internal", "public"}, Region: "RegionOne",
	})
	fmt.Println(u, err)

	_, err = session.EndpointURL(ctx, nil, keystone.EndpointFilter{ServiceType: "compute", Region: "RegionTwo"})
	fmt.Println(errors.Is(err, keystone.ErrEndpointNotFound))
	// Output:
	// http://nova.internal:8774/v2.1 <nil>
	// true
}

// Discover the versions an endpoint offers and pick one.
func Example_discovery() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	session, _ := keystone.NewSession()

	d, err := session.Discover(context.Background(), ks.URL)
	if err != nil {
		log.Fatal(err)
	}
	v, err := d.Match("3", "")
	fmt.Println(v.ID, v.Status, v.URL == ks.URL+"/v3/", err)
	fmt.Println(keystone.UnversionedURL("https://cloud.example/identity/v3"))
	// Output:
	// v3.14 current true <nil>
	// https://cloud.example/identity
}
