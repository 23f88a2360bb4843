package keystone_test

import (
	"context"
	"fmt"
	"log"

	"github.com/oapi-codegen/nullable"

	"github.com/gokeystone/keystone/gen/identityv2"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Authenticate to Identity v2.0 and manage tenants and users with the v2.0
// client, as keystoneclient.v2_0.client.Client does.
func ExampleV2Client() {
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
	admin, err := keystone.NewV2Client(ctx, session, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		log.Fatal(err)
	}
	tenant, err := admin.Tenants.Create(ctx, identityv2.TenantCreate{Name: "web"})
	if err != nil {
		log.Fatal(err)
	}
	user, err := admin.Users.Create(ctx, identityv2.UserCreate{
		Name: "bob", Password: nullable.NewNullableWithValue("s3cret"), TenantID: nullable.NewNullableWithValue(tenant.ID),
	})
	if err != nil {
		log.Fatal(err)
	}
	member, err := admin.Roles.Find(ctx, "member")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := admin.Roles.AddUserRole(ctx, user.ID, member.ID, tenant.ID); err != nil {
		log.Fatal(err)
	}
	roles, err := admin.Roles.RolesForUser(ctx, user.ID, tenant.ID)
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
