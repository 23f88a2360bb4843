package keystonetest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
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
	client, err := keystone.NewV3Client(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	projects, err := client.Projects.ListAll(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range projects {
		fmt.Println(p.Name)
	}
	// Output:
	// admin
}
