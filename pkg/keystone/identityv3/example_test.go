package identityv3_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// adminClient starts an in-memory Keystone (standing in for your cloud's)
// and returns an Identity v3 client authenticated as its administrator, and
// a function that stops both.
func adminClient(ctx context.Context) (*identityv3.Client, *keystonetest.Server, func()) {
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
	client, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	return client, ks, func() {
		session.CloseIdleConnections()
		ks.Close()
	}
}

// Find Keystone in the session's catalog and list the projects.
func ExampleNewClient() {
	ctx := context.Background()
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
	defer session.CloseIdleConnections()

	identity, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(identity.Endpoint() == ks.URL)
	projects, err := keystone.Collect(identity.Projects.List(ctx, nil))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range projects {
		fmt.Println(p.Name)
	}
	// Output:
	// true
	// admin
}

// Create a project, as keystone.projects.create(name=..., domain=...) does.
// Optional members are pointers: new("x") makes one. Free-form members go
// in Extra, and come back there.
func ExampleProjectsManager_Create() {
	ctx := context.Background()
	client, _, stop := adminClient(ctx)
	defer stop()

	project, err := client.Projects.Create(ctx, identityv3.ProjectCreate{
		Name:        "web",
		DomainID:    new("default"),
		Description: new("the web team"),
		Tags:        []string{"prod"},
		Extra:       map[string]any{"cost_center": "42"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(project.Name, *project.Description, project.Enabled, project.Tags, project.Extra["cost_center"])
	// Output: web the web team true [prod] 42
}

// List iterates over every page the server has; break stops it, and
// keystone.Collect gathers it.
func ExampleProjectsManager_List() {
	ctx := context.Background()
	client, _, stop := adminClient(ctx)
	defer stop()

	for _, name := range []string{"web", "db"} {
		if _, err := client.Projects.Create(ctx, identityv3.ProjectCreate{Name: name, DomainID: new("default"), Tags: []string{"team"}}); err != nil {
			log.Fatal(err)
		}
	}
	for p, err := range client.Projects.List(ctx, &identityv3.ListProjectsOptions{Tags: new("team")}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("tagged:", p.Name)
	}
	all, err := keystone.Collect(client.Projects.List(ctx, nil))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(all), "projects")
	// Output:
	// tagged: web
	// tagged: db
	// 3 projects
}

// Find a project by ID or by name, as the openstack CLI does; none (or
// several) is a keystone.NoUniqueMatchError.
func ExampleProjectsManager_Find() {
	ctx := context.Background()
	client, _, stop := adminClient(ctx)
	defer stop()

	created, err := client.Projects.Create(ctx, identityv3.ProjectCreate{Name: "web", DomainID: new("default")})
	if err != nil {
		log.Fatal(err)
	}
	byName, err := client.Projects.Find(ctx, "web", nil)
	if err != nil {
		log.Fatal(err)
	}
	byID, err := client.Projects.Find(ctx, created.ID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(byName.ID == created.ID, byID.Name)

	_, err = client.Projects.Find(ctx, "ghost", nil)
	fmt.Println(errors.Is(err, keystone.ErrNotFound), errors.Is(err, keystone.ErrNoUniqueMatch))
	// Output:
	// true web
	// true true
}

// Clear a user's default project: members named in Null are sent as JSON
// null, which Keystone takes as "unset".
func ExampleUsersManager_Update() {
	ctx := context.Background()
	client, _, stop := adminClient(ctx)
	defer stop()

	project, err := client.Projects.Create(ctx, identityv3.ProjectCreate{Name: "web", DomainID: new("default")})
	if err != nil {
		log.Fatal(err)
	}
	user, err := client.Users.Create(ctx, identityv3.UserCreate{
		Name:             "alice",
		DomainID:         new("default"),
		DefaultProjectID: new(project.ID),
		Password:         new("correct horse battery staple"),
		Extra:            map[string]any{"email": "alice@example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*user.DefaultProjectID == project.ID, user.Extra["email"])

	user, err = client.Users.Update(ctx, user.ID, identityv3.UserUpdate{Null: []string{"default_project_id"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.DefaultProjectID == nil)

	// A member that cannot be null is refused before any request.
	_, err = client.Users.Update(ctx, user.ID, identityv3.UserUpdate{Null: []string{"name"}})
	fmt.Println(errors.Is(err, keystone.ErrInvalidArgument))
	// Output:
	// true alice@example.com
	// true
	// true
}

// Create a role and grant it to a user on a project; then check and list
// the user's roles there.
func ExampleRolesManager_Grant() {
	ctx := context.Background()
	client, _, stop := adminClient(ctx)
	defer stop()

	project, err := client.Projects.Create(ctx, identityv3.ProjectCreate{Name: "web", DomainID: new("default")})
	if err != nil {
		log.Fatal(err)
	}
	user, err := client.Users.Create(ctx, identityv3.UserCreate{Name: "alice", DomainID: new("default")})
	if err != nil {
		log.Fatal(err)
	}
	role, err := client.Roles.Create(ctx, identityv3.RoleCreate{Name: "deployer"})
	if err != nil {
		log.Fatal(err)
	}
	alice, web := identityv3.UserActor(user.ID), identityv3.OnProject(project.ID)
	if err := client.Roles.Grant(ctx, role.ID, alice, web); err != nil {
		log.Fatal(err)
	}
	ok, err := client.Roles.HasGrant(ctx, role.ID, alice, web)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("granted:", ok)
	for r, err := range client.Roles.ListGrants(ctx, alice, web) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("role:", r.Name)
	}
	// Output:
	// granted: true
	// role: deployer
}

// Validate a token someone presented (a service checking its callers, as
// keystonemiddleware does), then revoke it.
func ExampleTokensManager_Validate() {
	ctx := context.Background()
	client, ks, stop := adminClient(ctx)
	defer stop()

	// The token to check: one the administrator obtains in its own session.
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		log.Fatal(err)
	}
	other, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	defer other.CloseIdleConnections()
	token, err := auth.Token(ctx, other)
	if err != nil {
		log.Fatal(err)
	}

	info, err := client.Tokens.Validate(ctx, token, &identityv3.ValidateOptions{NoCatalog: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.User.Name, info.Project.Name, info.HasRole("admin"))

	if err := client.Tokens.Revoke(ctx, token); err != nil {
		log.Fatal(err)
	}
	_, err = client.Tokens.Validate(ctx, token, nil)
	fmt.Println(errors.Is(err, keystone.ErrNotFound))
	// Output:
	// admin admin true
	// true
}
