// Package commontasks holds the "Common tasks" of the README, compiled and
// run (against the in-memory Keystone, by its test), so that the README
// shows code that works. The test fails when the README's block and the
// code between the markers below differ.
package commontasks

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// Run does the README's common tasks with session, printing to w.
func Run(ctx context.Context, session *keystone.Session, password string, w io.Writer) error {
	// README begin
	client, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{}) // the identity endpoint of the catalog
	if err != nil {
		return err
	}

	// Create a project. Optional members are pointers: new("x") makes one.
	project, err := client.Projects.Create(ctx, identityv3.ProjectCreate{
		Name: "web", DomainID: new("default"), Tags: []string{"prod"}})
	if err != nil {
		return err
	}

	// Create a user in it, with a free-form attribute.
	user, err := client.Users.Create(ctx, identityv3.UserCreate{
		Name: "alice", DefaultProjectID: &project.ID, Password: &password,
		Extra: map[string]any{"email": "alice@example.com"}})
	if err != nil {
		return err
	}

	// Clear a member on update: name it in Null ("default_project_id": null).
	user, err = client.Users.Update(ctx, user.ID, identityv3.UserUpdate{Null: []string{"default_project_id"}})
	if err != nil {
		return err
	}

	// Create a role and grant it (to a user or a group; on a project, a domain or the system).
	role, err := client.Roles.Create(ctx, identityv3.RoleCreate{Name: "deployer"})
	if err != nil {
		return err
	}
	if err := client.Roles.Grant(ctx, role.ID, identityv3.UserActor(user.ID), identityv3.OnProject(project.ID)); err != nil {
		return err
	}

	// Create a service and its endpoints.
	svc, err := client.Services.Create(ctx, identityv3.ServiceCreate{Type: "object-store", Name: new("swift")})
	if err != nil {
		return err
	}
	for _, iface := range []string{"public", "internal", "admin"} {
		_, err := client.Endpoints.Create(ctx, identityv3.EndpointCreate{ServiceID: svc.ID, Interface: iface,
			RegionID: new("RegionOne"), URL: "https://swift.example.com/v1/AUTH_$(project_id)s"})
		if err != nil {
			return err
		}
	}

	// List role assignments with names: List is an iterator that follows the pages.
	for a, err := range client.RoleAssignments.List(ctx, &identityv3.ListRoleAssignmentsOptions{
		UserID: &user.ID, IncludeNames: true}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s has %s on %s\n", *a.User.Name, *a.Role.Name, *a.Scope.Project.Name)
	}

	// Find by ID or name (narrowed by the list options), and errors by kind.
	p, err := client.Projects.Find(ctx, "web", &identityv3.ListProjectsOptions{DomainID: new("default")})
	if err != nil {
		return err
	}
	all, err := keystone.Collect(client.Projects.List(ctx, nil)) // a list in a slice
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "found %t among %d projects\n", p.ID == project.ID, len(all))
	if _, err := client.Users.Get(ctx, "nope"); errors.Is(err, keystone.ErrNotFound) {
		fmt.Fprintln(w, "no user nope")
	}
	// README end
	return nil
}
