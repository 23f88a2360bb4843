package keystone_test

import (
	"context"
	"fmt"
	"log"

	"github.com/oapi-codegen/nullable"

	"github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// addr returns a pointer to v, for the optional fields of requests.
func addr[T any](v T) *T { return &v }

// adminV3Client starts an in-memory Keystone (standing in for your cloud's)
// and returns a v3 client authenticated as its administrator.
func adminV3Client(ctx context.Context) (*keystone.V3Client, *keystonetest.Server) {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
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
	client, err := keystone.NewV3Client(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	return client, ks
}

// Create a project, as keystone.projects.create(name=..., domain=...) does.
func ExampleProjectsManager_Create() {
	ctx := context.Background()
	client, ks := adminV3Client(ctx)
	defer ks.Close()

	project, err := client.Projects.Create(ctx, identityv3.ProjectCreate{
		Name:        "web",
		DomainID:    nullable.NewNullableWithValue("default"),
		Description: nullable.NewNullableWithValue("the web team"),
		Tags:        []string{"prod"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(project.Name, project.Enabled, project.Tags)
	// Output: web true [prod]
}

// Create a user whose default project is a new project.
func ExampleUsersManager_Create() {
	ctx := context.Background()
	client, ks := adminV3Client(ctx)
	defer ks.Close()

	project, err := client.Projects.Create(ctx, identityv3.ProjectCreate{Name: "web", DomainID: nullable.NewNullableWithValue("default")})
	if err != nil {
		log.Fatal(err)
	}
	user, err := client.Users.Create(ctx, identityv3.UserCreate{
		Name:                 "alice",
		DomainID:             addr(project.DomainID.MustGet()),
		DefaultProjectID:     nullable.NewNullableWithValue(project.ID),
		Password:             nullable.NewNullableWithValue("correct horse battery staple"),
		AdditionalProperties: map[string]any{"email": "alice@example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	email, _ := user.Get("email")
	fmt.Println(user.Name, *user.DefaultProjectID == project.ID, email)
	// Output: alice true alice@example.com
}

// Create a role and grant it to a user on a project; then check and list the
// user's roles there.
func ExampleRolesManager_Grant() {
	ctx := context.Background()
	client, ks := adminV3Client(ctx)
	defer ks.Close()

	project, _ := client.Projects.Create(ctx, identityv3.ProjectCreate{Name: "web", DomainID: nullable.NewNullableWithValue("default")})
	user, _ := client.Users.Create(ctx, identityv3.UserCreate{Name: "alice"})
	role, err := client.Roles.Create(ctx, identityv3.RoleCreate{Name: "deployer"})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Roles.Grant(ctx, role.ID, keystone.UserActor(user.ID), keystone.OnProject(project.ID)); err != nil {
		log.Fatal(err)
	}
	ok, err := client.Roles.HasGrant(ctx, role.ID, keystone.UserActor(user.ID), keystone.OnProject(project.ID))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("granted:", ok)
	for r, err := range client.Roles.ListGrants(ctx, keystone.UserActor(user.ID), keystone.OnProject(project.ID)) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("role:", r.Name)
	}
	// Output:
	// granted: true
	// role: deployer
}

// Register a service in the catalog with an endpoint per interface.
func ExampleEndpointsManager_Create() {
	ctx := context.Background()
	client, ks := adminV3Client(ctx)
	defer ks.Close()

	service, err := client.Services.Create(ctx, identityv3.ServiceCreate{
		Type: "object-store", Name: addr("swift"), Description: nullable.NewNullableWithValue("object storage"),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, iface := range []identityv3.EndpointInterface{"public", "internal", "admin"} {
		_, err := client.Endpoints.Create(ctx, identityv3.EndpointCreate{
			ServiceID: service.ID, Interface: iface, RegionID: addr("RegionOne"),
			URL: "https://swift.example.com/v1/AUTH_$(project_id)s",
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	endpoints, err := client.Endpoints.ListAll(ctx, &identityv3.ListEndpointsParams{ServiceID: &service.ID})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range endpoints {
		fmt.Println(e.Interface, e.RegionID.MustGet())
	}
	// Output:
	// public RegionOne
	// internal RegionOne
	// admin RegionOne
}

// List who has which role where, with names rather than IDs, as
// keystone.role_assignments.list(include_names=True) does.
func ExampleRoleAssignmentsManager_List() {
	ctx := context.Background()
	client, ks := adminV3Client(ctx)
	defer ks.Close()

	project, _ := client.Projects.Create(ctx, identityv3.ProjectCreate{Name: "web", DomainID: nullable.NewNullableWithValue("default")})
	user, _ := client.Users.Create(ctx, identityv3.UserCreate{Name: "alice"})
	member, err := client.Roles.Find(ctx, "member", "")
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Roles.Grant(ctx, member.ID, keystone.UserActor(user.ID), keystone.OnProject(project.ID)); err != nil {
		log.Fatal(err)
	}
	opts := &identityv3.ListRoleAssignmentsParams{UserID: &user.ID, IncludeNames: addr(true)}
	for a, err := range client.RoleAssignments.List(ctx, opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s has %s on project %s\n", *a.User.Name, *a.Role.Name, *a.Scope.Project.Name)
	}
	// Output: alice has member on project web
}
