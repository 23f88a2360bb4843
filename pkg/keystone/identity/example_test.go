package identity_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identity"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Get a client of the best Identity version the cloud offers: v3, or v2.0
// on a cloud that has only that.
func ExampleNewClient() {
	ks, err := keystonetest.Start() // stands in for https://keystone.example.com
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainName: "Default"},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainName: "Default"},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}

	c, err := identity.NewClient(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("version:", c.Version)
	switch {
	case c.V3 != nil:
		p, err := c.V3.Projects.Find(ctx, ks.AdminProject, nil)
		fmt.Println("v3 project:", p.Name, err)
	case c.V2 != nil:
		for t, err := range c.V2.Tenants.List(ctx, nil) {
			fmt.Println("v2.0 tenant:", t.Name, err)
		}
	}
	// Output:
	// version: 3.14
	// v3 project: admin <nil>
}

// Without a catalog (an unscoped token, here), give the Identity URL.
func ExampleNewClientAt() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.AuthURL(), User: authplugin.User{ID: ks.AdminUserID}, Password: ks.AdminPassword,
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	c, err := identity.NewClientAt(ctx, session, ks.AuthURL())
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.V3.Users.Get(ctx, ks.AdminUserID)
	fmt.Println(c.Version, u.Name, err)
	// Output:
	// 3.14 admin <nil>
}
