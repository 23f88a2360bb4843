package identityv2_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Authenticate to Identity v2.0 and manage tenants and users with the v2.0
// client of the admin endpoint, as keystoneclient.v2_0.client.Client does.
func Example() {
	ks, err := keystonetest.Start() // stands in for a cloud that still runs v2.0
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{
		AuthURL: ks.AuthURLV2(), Username: ks.AdminUser, Password: ks.AdminPassword,
		Tenant: authplugin.Tenant{Name: ks.AdminProject},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	admin, err := identityv2.NewClient(ctx, session, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		log.Fatal(err)
	}
	tenant, err := admin.Tenants.Create(ctx, identityv2.TenantCreate{Name: "web"})
	if err != nil {
		log.Fatal(err)
	}
	user, err := admin.Users.Create(ctx, identityv2.UserCreate{
		Name: "bob", Password: new("s3cret"), TenantID: new(tenant.ID),
	})
	if err != nil {
		log.Fatal(err)
	}
	member, err := admin.Roles.Find(ctx, "member", nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := admin.Roles.AddUserRole(ctx, tenant.ID, user.ID, member.ID); err != nil {
		log.Fatal(err)
	}
	roles, err := keystone.Collect(admin.Roles.ListForUser(ctx, tenant.ID, user.ID))
	if err != nil {
		log.Fatal(err)
	}
	ai, _ := auth.Access(ctx, session)
	fmt.Println("token version:", ai.Version(), "tenant:", ai.Project.Name)
	fmt.Println(user.Name, "has", roles[0].Name, "on", tenant.Name)
	// Output:
	// token version: v2.0 tenant: admin
	// bob has member on web
}

// Validate a user's token with the admin API, as a service that receives
// it does, then revoke it.
func ExampleTokensManager_Validate() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{
		AuthURL: ks.AuthURLV2(), Username: ks.AdminUser, Password: ks.AdminPassword,
		Tenant: authplugin.Tenant{Name: ks.AdminProject},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	admin, err := identityv2.NewClient(ctx, session, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		log.Fatal(err)
	}

	// The token a request came with (here, a new one of the administrator).
	user, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{
		AuthURL: ks.AuthURLV2(), Username: ks.AdminUser, Password: ks.AdminPassword,
		Tenant: authplugin.Tenant{Name: ks.AdminProject},
	})
	if err != nil {
		log.Fatal(err)
	}
	userSession, _ := keystone.NewSession(keystone.WithAuth(user))
	token, err := user.Token(ctx, userSession)
	if err != nil {
		log.Fatal(err)
	}

	ai, err := admin.Tokens.Validate(ctx, token, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ai.User.Name, "on", ai.Project.Name, "admin:", ai.HasRole("admin"))
	if err := admin.Tokens.Revoke(ctx, token); err != nil {
		log.Fatal(err)
	}
	valid, err := admin.Tokens.Check(ctx, token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid after revocation:", valid)
	// Output:
	// admin on admin admin: true
	// valid after revocation: false
}

// Find a tenant by name or ID: v2.0 looks a name up with ?name=.
func ExampleTenantsManager_Find() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{
		AuthURL: ks.AuthURLV2(), Username: ks.AdminUser, Password: ks.AdminPassword,
		Tenant: authplugin.Tenant{Name: ks.AdminProject},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	admin, err := identityv2.NewClient(ctx, session, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		log.Fatal(err)
	}
	byName, err := admin.Tenants.Find(ctx, ks.AdminProject, nil)
	if err != nil {
		log.Fatal(err)
	}
	byID, err := admin.Tenants.Find(ctx, byName.ID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(byName.Name, byID.ID == byName.ID)
	// Output:
	// admin true
}
