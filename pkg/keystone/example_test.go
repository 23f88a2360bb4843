package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/gokeystone/keystone/internal/ksfake"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// cleanups lets the examples run a fake Keystone without a *testing.T.
type cleanups []func()

func (c *cleanups) Cleanup(f func()) { *c = append(*c, f) }
func (c *cleanups) run() {
	for _, f := range *c {
		f()
	}
}

// Authenticate with a password, scoped to a project, and call the Identity
// API through the session.
func Example_passwordSession() {
	var c cleanups
	defer c.run()
	srv := ksfake.New(&c) // stands in for https://keystone.example.com
	ctx := context.Background()

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  srv.URL + "/v3",
		User:     authplugin.User{Name: "alice", DomainName: "Default"},
		Password: "s3cret-pw",
		Scope:    authplugin.Scope{ProjectName: "demo", ProjectDomainName: "Default"},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithUserAgent("example", "1.0"))
	if err != nil {
		log.Fatal(err)
	}
	identity, err := session.IdentityV3(ctx, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	projects, err := identity.ListProjectsWithResponse(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	ai, _ := auth.Access(ctx, session)
	fmt.Println("user:", ai.User.Name, "project:", ai.Project.Name)
	for _, p := range projects.JSON200.Projects {
		fmt.Println("project:", p.Name)
	}
	// Output:
	// user: alice project: demo
	// project: demo
}

// Save the auth state (for example to a file only this user can read) and
// reuse the token in another process, without authenticating again.
func Example_savedAuthState() {
	var c cleanups
	defer c.run()
	srv := ksfake.New(&c)
	ctx := context.Background()

	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: srv.URL, User: authplugin.User{ID: "u-123"}, Password: "s3cret-pw",
		Scope: authplugin.Scope{ProjectID: "p-1"},
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
	fmt.Println("compute at", u[len(srv.URL):], "- authentications:", srv.AuthRequests.Load())
	// Output: compute at /compute/v2.1 - authentications: 1
}

// Keystone's admin_token bootstrap mode: a shared secret and a fixed
// endpoint, no catalog, no authentication request.
func Example_adminToken() {
	var c cleanups
	defer c.run()
	srv := ksfake.New(&c)
	srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		fmt.Println(r.Method, r.URL.Path, "token sent:", r.Header.Get("X-Auth-Token") == "ADMIN")
		w.WriteHeader(http.StatusNoContent)
		return true
	})

	auth, _ := authplugin.NewAdminToken(srv.URL+"/v3", "ADMIN")
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
	var c cleanups
	defer c.run()
	srv := ksfake.New(&c)
	ctx := context.Background()
	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: srv.URL, User: authplugin.User{ID: "u-123"}, Password: "s3cret-pw",
		Scope: authplugin.Scope{ProjectID: "p-1"},
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
	var c cleanups
	defer c.run()
	srv := ksfake.New(&c)
	session, _ := keystone.NewSession()

	d, err := session.Discover(context.Background(), srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	v, err := d.Match("3", "")
	fmt.Println(v.ID, v.Status, v.URL == srv.URL+"/v3/", err)
	fmt.Println(keystone.UnversionedURL("https://cloud.example/identity/v3"))
	// Output:
	// v3.14 stable true <nil>
	// https://cloud.example/identity
}
