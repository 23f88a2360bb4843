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

// Grant a user a global role (not on a tenant), list its global roles, and
// revoke it: keystoneclient's roles.add_user_role(user, role),
// roles.roles_for_user(user) and roles.remove_user_role(user, role) without
// a tenant. (Keystone dropped global roles after Diablo: its later v2.0
// releases answer 501, keystone.ErrHTTPNotImplemented.)
func ExampleRolesManager_AddGlobalRole() {
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
	defer session.CloseIdleConnections()
	admin, err := identityv2.NewClient(ctx, session, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		log.Fatal(err)
	}

	user, err := admin.Users.Create(ctx, identityv2.UserCreate{Name: "dave", Password: new("s3cret")})
	if err != nil {
		log.Fatal(err)
	}
	auditor, err := admin.Roles.Create(ctx, identityv2.CreateRoleBody{Name: "auditor"})
	if err != nil {
		log.Fatal(err)
	}
	if err := admin.Roles.AddGlobalRole(ctx, user.ID, auditor.ID); err != nil {
		log.Fatal(err)
	}
	for r, err := range admin.Users.ListRoles(ctx, user.ID) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("global role:", r.Name)
	}
	if err := admin.Roles.RemoveGlobalRole(ctx, user.ID, auditor.ID); err != nil {
		log.Fatal(err)
	}
	roles, err := keystone.Collect(admin.Users.ListRoles(ctx, user.ID))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after revocation:", len(roles))
	// Output:
	// global role: auditor
	// after revocation: 0
}
