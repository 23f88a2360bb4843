package keystonetest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Start an in-memory Keystone and authenticate against it as its
// administrator. In a test, keystonetest.NewServer(t) does the same and stops
// the server when the test ends.
func Example() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	client, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	projects, err := keystone.Collect(client.Projects.List(ctx, nil))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range projects {
		fmt.Println(p.Name)
	}
	// Output:
	// admin
}

// Make the first listing of projects fail as an overloaded Keystone does, and
// check that the client retried it.
func ExampleFailFirst() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ks.Intercept(keystonetest.FailFirst(1, "GET /v3/projects", http.StatusServiceUnavailable, time.Second))

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithRetryPolicy(keystone.RetryPolicy{
		StatusRetries: 1, Statuses: []int{http.StatusServiceUnavailable}, BaseDelay: 10 * time.Millisecond, MaxDelay: 10 * time.Millisecond,
	}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	client, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	projects, err := keystone.Collect(client.Projects.List(ctx, nil))
	fmt.Println(len(projects), "project,", err, "error,", ks.RequestCount("GET /v3/projects"), "requests")
	// Output: 1 project, <nil> error, 2 requests
}
