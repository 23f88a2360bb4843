package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
)

// This file holds Identity v2.0: the commands of openstack's identity v2
// plugin (project, user, role, service, endpoint, ec2 credentials; token and
// catalog are shared with v3), chosen by --os-identity-api-version 2.0 or an
// auth URL ending in /v2.0, and the operations that the keystone v2.0 shell
// commands of legacy.go share with them.

// Kinds of output of a v2.0 command.
const (
	noOutput = iota
	showOutput
	listOutput
)

// v2Spec describes a v2.0 command: its usage, positional arguments (exactly
// nargs, or at least minArgs when nargs < 0), output and flags; run does the
// work with the v2.0 client.
type v2Spec struct {
	use, short, argNames string
	nargs                int
	output               int
	flags                func(f *pflag.FlagSet)
	run                  func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error
}

// v2Command builds the cobra command of spec.
func (a *app) v2Command(spec v2Spec) *cobra.Command {
	cmd := &cobra.Command{Use: spec.use, Short: spec.short}
	switch {
	case spec.nargs < 0:
		cmd.Args = minArgs(-spec.nargs, spec.argNames)
	case spec.nargs == 0:
		cmd.Args = exactArgs(0, "no argument")
	default:
		cmd.Args = exactArgs(spec.nargs, spec.argNames)
	}
	var out *outputOptions
	if spec.output != noOutput {
		out = addOutputFlags(cmd, spec.output == listOutput)
	}
	if spec.flags != nil {
		spec.flags(cmd.Flags())
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if out != nil {
			if err := out.validate(); err != nil {
				return err
			}
		}
		ctx := cmd.Context()
		c, err := a.clientV2(ctx)
		if err != nil {
			return err
		}
		return spec.run(ctx, c, args, out)
	}
	return cmd
}

// clientV2 returns the Identity v2.0 client, once: the identity endpoint of
// the catalog (any token, v2.0 or v3, is accepted by Keystone's v2.0 API).
func (a *app) clientV2(ctx context.Context) (*identityv2.Client, error) {
	if a.identityV2 != nil {
		return a.identityV2, nil
	}
	s, err := a.getSession()
	if err != nil {
		return nil, err
	}
	c, err := identityv2.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		return nil, err
	}
	a.identityV2 = c
	return c, nil
}

// isV2 reports whether the configuration asks for Identity v2.0: an
// identity API version of 2.x, or none and an auth URL ending in /v2.0.
func isV2(version, authURL string) bool {
	if version != "" {
		return strings.HasPrefix(version, "2")
	}
	return strings.HasSuffix(strings.TrimRight(authURL, "/"), "/v2.0")
}

// enabledFlags adds --enable and --disable; the returned function gives the
// choice (nil: neither) or a usage error for both.
func enabledFlags(f *pflag.FlagSet, what string) func() (*bool, error) {
	var enable, disable bool
	f.BoolVar(&enable, "enable", false, "enable "+what)
	f.BoolVar(&disable, "disable", false, "disable "+what)
	return func() (*bool, error) {
		switch {
		case enable && disable:
			return nil, usageErrorf("--enable and --disable are mutually exclusive")
		case enable || disable:
			return &enable, nil
		}
		return nil, nil
	}
}

// findTenant finds a tenant by name or ID.
func findTenant(ctx context.Context, c *identityv2.Client, nameOrID string) (*identityv2.Tenant, error) {
	t, err := c.Tenants.Find(ctx, nameOrID, nil)
	if err != nil {
		return nil, notFound(err, "project", nameOrID)
	}
	return t, nil
}

// findUserV2 finds a user by name or ID.
func findUserV2(ctx context.Context, c *identityv2.Client, nameOrID string) (*identityv2.User, error) {
	u, err := c.Users.Find(ctx, nameOrID, nil)
	if err != nil {
		return nil, notFound(err, "user", nameOrID)
	}
	return u, nil
}

// findRoleV2 finds a role by name or ID.
func findRoleV2(ctx context.Context, c *identityv2.Client, nameOrID string) (*identityv2.Role, error) {
	r, err := c.Roles.Find(ctx, nameOrID, nil)
	if err != nil {
		return nil, notFound(err, "role", nameOrID)
	}
	return r, nil
}

// findServiceV2 finds a service by ID, name or type, as openstack does.
func findServiceV2(ctx context.Context, c *identityv2.Client, key string) (*identityv2.Service, error) {
	s, err := c.Services.Find(ctx, key, nil)
	if err == nil {
		return s, nil
	}
	if s, err2 := c.Services.FindByType(ctx, key); err2 == nil {
		return s, nil
	}
	return nil, notFound(err, "service", key)
}

// tenantFields are a tenant's fields as openstack's v2 project show prints
// them.
func tenantFields(t *identityv2.Tenant) ([]string, []any) {
	return []string{"description", "enabled", "id", "name"},
		[]any{strAny(t.Description), t.Enabled, t.ID, t.Name}
}

// userFields are a user's fields as openstack's v2 user show prints them.
func userFields(u *identityv2.User) ([]string, []any) {
	return []string{"email", "enabled", "id", "name", "project_id"},
		[]any{strAny(u.Email), u.Enabled, u.ID, u.Name, strAny(u.TenantID)}
}

func serviceFields(s *identityv2.Service) ([]string, []any) {
	return []string{"description", "id", "name", "type"},
		[]any{strAny(s.Description), s.ID, strAny(s.Name), s.Type}
}

func ec2Fields(e *identityv2.EC2Credential) ([]string, []any) {
	return []string{"access", "project_id", "secret", "trust_id", "user_id"},
		[]any{e.Access, e.TenantID, strAny(e.Secret), strAny(e.TrustID), e.UserID}
}

// v2Commands are the commands of Identity v2.0, as openstack's identity v2
// plugin names them.
func (a *app) v2Commands() []*cobra.Command {
	return []*cobra.Command{
		a.tokenCommand(),
		a.catalogCommand(),
		group("project", "Manage projects (tenants)", a.v2ProjectList("list", nil), a.v2ProjectShow("show <project>"),
			a.v2ProjectCreate(), a.v2ProjectSet(), a.v2ProjectDelete("delete <project> [<project> ...]")),
		group("user", "Manage users", a.v2UserList("list", nil), a.v2UserShow("show <user>"), a.v2UserCreate(),
			a.v2UserSet(), a.v2UserDelete("delete <user> [<user> ...]"),
			group("role", "Roles of a user", a.v2UserRoleList("list", nil))),
		group("role", "Manage roles", a.v2RoleList("list"), a.v2RoleShow("show <role>"),
			a.v2RoleCreate(), a.v2RoleDelete("delete <role> [<role> ...]"), a.v2RoleGrant("add", nil), a.v2RoleGrant("remove", nil)),
		group("service", "Manage services", a.v2ServiceList("list"), a.v2ServiceShow("show <service>"),
			a.v2ServiceCreate(), a.v2ServiceDelete("delete <service> [<service> ...]")),
		group("endpoint", "Manage endpoints", a.v2EndpointList("list"), a.v2EndpointShow(),
			a.v2EndpointCreate(), a.v2EndpointDelete("delete <endpoint-id> [<endpoint-id> ...]")),
		group("ec2", "EC2 credentials", group("credentials", "Manage EC2 credentials",
			a.v2EC2List("list", nil), a.v2EC2Show("show <access-key>", nil), a.v2EC2Create("create", nil),
			a.v2EC2Delete("delete <access-key> [<access-key> ...]", nil))),
	}
}

func (a *app) v2ProjectList(use string, cols []string) *cobra.Command {
	var long bool
	return a.v2Command(v2Spec{use: use, short: "List projects", output: listOutput,
		flags: func(f *pflag.FlagSet) {
			if cols == nil {
				f.BoolVar(&long, "long", false, "list additional fields in output")
			}
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			tenants, err := keystone.Collect(c.Tenants.List(ctx, nil))
			if err != nil {
				return err
			}
			names := cols
			if names == nil {
				names = []string{"ID", "Name"}
				if long {
					names = append(names, "Description", "Enabled")
				}
			}
			rows := make([][]any, len(tenants))
			for i, t := range tenants {
				rows[i] = []any{t.ID, t.Name, strAny(t.Description), t.Enabled}[:len(names)]
			}
			return out.printList(a.stdout, names, rows)
		}})
}

func (a *app) v2ProjectShow(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Display project details", nargs: 1, argNames: "<project>", output: showOutput,
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			t, err := findTenant(ctx, c, args[0])
			if err != nil {
				return err
			}
			f, v := tenantFields(t)
			return out.printOne(a.stdout, f, v)
		}})
}

// tenantCreate creates a tenant; or-show returns an existing one of that
// name.
func tenantCreate(ctx context.Context, c *identityv2.Client, name string, description *string, enabled *bool, orShow bool) (*identityv2.Tenant, error) {
	t, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: name, Description: description, Enabled: enabled})
	if err != nil && orShow && isConflict(err) {
		return findTenant(ctx, c, name)
	}
	return t, err
}

func (a *app) v2ProjectCreate() *cobra.Command {
	var description string
	var orShow bool
	var enabled func() (*bool, error)
	return a.v2Command(v2Spec{use: "create <project-name>", short: "Create new project", nargs: 1, argNames: "<project-name>", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&description, "description", "", "project description")
			f.BoolVar(&orShow, "or-show", false, "return existing project")
			enabled = enabledFlags(f, "project")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			en, err := enabled()
			if err != nil {
				return err
			}
			t, err := tenantCreate(ctx, c, args[0], strPtr(description), en, orShow)
			if err != nil {
				return err
			}
			f, v := tenantFields(t)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) v2ProjectSet() *cobra.Command {
	var name, description string
	var enabled func() (*bool, error)
	return a.v2Command(v2Spec{use: "set <project>", short: "Set project properties", nargs: 1, argNames: "<project>",
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&name, "name", "", "set project name")
			f.StringVar(&description, "description", "", "set project description")
			enabled = enabledFlags(f, "project")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			en, err := enabled()
			if err != nil {
				return err
			}
			t, err := findTenant(ctx, c, args[0])
			if err != nil {
				return err
			}
			_, err = c.Tenants.Update(ctx, t.ID, identityv2.TenantUpdate{Name: strPtr(name), Description: strPtr(description), Enabled: en})
			return err
		}})
}

func (a *app) v2ProjectDelete(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Delete project(s)", nargs: -1, argNames: "<project>",
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			return deleteAll(args, "project", func(n string) error {
				t, err := findTenant(ctx, c, n)
				if err != nil {
					return err
				}
				return c.Tenants.Delete(ctx, t.ID)
			})
		}})
}

func (a *app) v2UserList(use string, cols []string) *cobra.Command {
	var long bool
	var project string
	return a.v2Command(v2Spec{use: use, short: "List users", output: listOutput,
		flags: func(f *pflag.FlagSet) {
			if cols == nil {
				f.BoolVar(&long, "long", false, "list additional fields in output")
				f.StringVar(&project, "project", "", "filter users by project (name or ID)")
			} else {
				f.StringVar(&project, "tenant", "", "tenant (name or ID)")
				f.StringVar(&project, "tenant-id", "", "tenant (name or ID)")
			}
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			var users []identityv2.User
			var err error
			if project != "" {
				t, ferr := findTenant(ctx, c, project)
				if ferr != nil {
					return ferr
				}
				users, err = keystone.Collect(c.Tenants.ListUsers(ctx, t.ID, nil))
			} else {
				users, err = keystone.Collect(c.Users.List(ctx, nil))
			}
			if err != nil {
				return err
			}
			names := cols
			if names == nil {
				names = []string{"ID", "Name"}
				if long {
					names = append(names, "Project", "Email", "Enabled")
				}
			}
			rows := make([][]any, len(users))
			for i, u := range users {
				if cols != nil { // the keystone shell's: id, name, enabled, email
					rows[i] = []any{u.ID, u.Name, u.Enabled, strAny(u.Email)}
					continue
				}
				rows[i] = []any{u.ID, u.Name, strAny(u.TenantID), strAny(u.Email), u.Enabled}[:len(names)]
			}
			return out.printList(a.stdout, names, rows)
		}})
}

func (a *app) v2UserShow(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Display user details", nargs: 1, argNames: "<user>", output: showOutput,
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			u, err := findUserV2(ctx, c, args[0])
			if err != nil {
				return err
			}
			f, v := userFields(u)
			return out.printOne(a.stdout, f, v)
		}})
}

// userCreateV2 creates a user, on a tenant if given by name or ID.
func userCreateV2(ctx context.Context, c *identityv2.Client, name, project, password, email string, enabled *bool) (*identityv2.User, error) {
	body := identityv2.UserCreate{Name: name, Password: strPtr(password), Email: strPtr(email), Enabled: enabled}
	if project != "" {
		t, err := findTenant(ctx, c, project)
		if err != nil {
			return nil, err
		}
		body.TenantID = &t.ID
	}
	return c.Users.Create(ctx, body)
}

func (a *app) v2UserCreate() *cobra.Command {
	var project, password, email string
	var passwordPrompt bool
	var enabled func() (*bool, error)
	return a.v2Command(v2Spec{use: "create <name>", short: "Create new user", nargs: 1, argNames: "<name>", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&project, "project", "", "default project (name or ID)")
			f.StringVar(&password, "password", "", "set user password")
			f.BoolVar(&passwordPrompt, "password-prompt", false, "prompt interactively for password")
			f.StringVar(&email, "email", "", "set user email address")
			enabled = enabledFlags(f, "user")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			en, err := enabled()
			if err != nil {
				return err
			}
			if passwordPrompt {
				if password, err = a.readPassword("User Password:"); err != nil {
					return err
				}
			}
			u, err := userCreateV2(ctx, c, args[0], project, password, email, en)
			if err != nil {
				return err
			}
			f, v := userFields(u)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) v2UserSet() *cobra.Command {
	var name, project, password, email string
	var enabled func() (*bool, error)
	return a.v2Command(v2Spec{use: "set <user>", short: "Set user properties", nargs: 1, argNames: "<user>",
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&name, "name", "", "set user name")
			f.StringVar(&project, "project", "", "set default project (name or ID)")
			f.StringVar(&password, "password", "", "set user password")
			f.StringVar(&email, "email", "", "set user email address")
			enabled = enabledFlags(f, "user")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			en, err := enabled()
			if err != nil {
				return err
			}
			u, err := findUserV2(ctx, c, args[0])
			if err != nil {
				return err
			}
			return userSetV2(ctx, c, u.ID, name, project, password, email, en)
		}})
}

// userSetV2 changes what is given of a user: name and email, the default
// tenant, the password and the enabled flag, each through its own call.
func userSetV2(ctx context.Context, c *identityv2.Client, id, name, project, password, email string, enabled *bool) error {
	if name != "" || email != "" {
		if _, err := c.Users.Update(ctx, id, identityv2.UserUpdate{Name: strPtr(name), Email: strPtr(email)}); err != nil {
			return err
		}
	}
	if project != "" {
		t, err := findTenant(ctx, c, project)
		if err != nil {
			return err
		}
		if _, err := c.Users.SetTenant(ctx, id, identityv2.SetUserTenantBody{TenantID: t.ID}); err != nil {
			return err
		}
	}
	if password != "" {
		if _, err := c.Users.SetPassword(ctx, id, identityv2.SetUserPasswordBody{Password: password}); err != nil {
			return err
		}
	}
	if enabled != nil {
		if _, err := c.Users.SetEnabled(ctx, id, identityv2.SetUserEnabledBody{Enabled: *enabled}); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) v2UserDelete(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Delete user(s)", nargs: -1, argNames: "<user>",
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			return deleteAll(args, "user", func(n string) error {
				u, err := findUserV2(ctx, c, n)
				if err != nil {
					return err
				}
				return c.Users.Delete(ctx, u.ID)
			})
		}})
}

// v2UserRoleList is `user role list --project --user` (legacy: true for
// the keystone shell's user-role-list with --tenant and --user).
func (a *app) v2UserRoleList(use string, legacy *bool) *cobra.Command {
	var project, user string
	return a.v2Command(v2Spec{use: use, short: "List user-role assignments", nargs: 0, output: listOutput,
		flags: func(f *pflag.FlagSet) {
			if legacy != nil {
				f.StringVar(&project, "tenant", "", "tenant (name or ID)")
				f.StringVar(&project, "tenant-id", "", "tenant (name or ID)")
				f.StringVar(&user, "user", "", "user (name or ID)")
				f.StringVar(&user, "user-id", "", "user (name or ID)")
			} else {
				f.StringVar(&project, "project", "", "project (name or ID)")
				f.StringVar(&user, "user", "", "user (name or ID)")
			}
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			if project == "" || user == "" {
				return usageErrorf("a project (tenant) and a user are required")
			}
			t, err := findTenant(ctx, c, project)
			if err != nil {
				return err
			}
			u, err := findUserV2(ctx, c, user)
			if err != nil {
				return err
			}
			roles, err := keystone.Collect(c.Roles.ListForUser(ctx, t.ID, u.ID))
			if err != nil {
				return err
			}
			cols := []string{"ID", "Name", "Project", "User"}
			if legacy != nil {
				cols = []string{"id", "name", "user_id", "tenant_id"}
			}
			rows := make([][]any, len(roles))
			for i, r := range roles {
				if legacy != nil {
					rows[i] = []any{r.ID, r.Name, u.ID, t.ID}
				} else {
					rows[i] = []any{r.ID, r.Name, t.Name, u.Name}
				}
			}
			return out.printList(a.stdout, cols, rows)
		}})
}

func (a *app) v2RoleList(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "List roles", output: listOutput,
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			roles, err := keystone.Collect(c.Roles.List(ctx, nil))
			if err != nil {
				return err
			}
			rows := make([][]any, len(roles))
			for i, r := range roles {
				rows[i] = []any{r.ID, r.Name}
			}
			return out.printList(a.stdout, []string{"ID", "Name"}, rows)
		}})
}

func (a *app) v2RoleShow(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Display role details", nargs: 1, argNames: "<role>", output: showOutput,
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			r, err := findRoleV2(ctx, c, args[0])
			if err != nil {
				return err
			}
			return out.printOne(a.stdout, []string{"id", "name"}, []any{r.ID, r.Name})
		}})
}

func (a *app) v2RoleCreate() *cobra.Command {
	var orShow bool
	return a.v2Command(v2Spec{use: "create <role-name>", short: "Create new role", nargs: 1, argNames: "<role-name>", output: showOutput,
		flags: func(f *pflag.FlagSet) { f.BoolVar(&orShow, "or-show", false, "return existing role") },
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			r, err := c.Roles.Create(ctx, identityv2.CreateRoleBody{Name: args[0]})
			if err != nil && orShow && isConflict(err) {
				r, err = findRoleV2(ctx, c, args[0])
			}
			if err != nil {
				return err
			}
			return out.printOne(a.stdout, []string{"id", "name"}, []any{r.ID, r.Name})
		}})
}

func (a *app) v2RoleDelete(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Delete role(s)", nargs: -1, argNames: "<role>",
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			return deleteAll(args, "role", func(n string) error {
				r, err := findRoleV2(ctx, c, n)
				if err != nil {
					return err
				}
				return c.Roles.Delete(ctx, r.ID)
			})
		}})
}

// v2RoleGrant is `role add|remove --project --user <role>`; legacy is the
// keystone shell's user-role-add|remove with --user, --role and --tenant.
func (a *app) v2RoleGrant(verb string, legacy *bool) *cobra.Command {
	var project, user, role string
	use, nargs := verb+" <role>", 1
	if legacy != nil {
		use, nargs = "user-role-"+verb, 0
	}
	output := showOutput
	if verb == "remove" {
		output = noOutput
	}
	return a.v2Command(v2Spec{use: use, short: strings.ToUpper(verb[:1]) + verb[1:] + " a role of a user on a project", nargs: nargs, argNames: "<role>", output: output,
		flags: func(f *pflag.FlagSet) {
			if legacy != nil {
				f.StringVar(&project, "tenant", "", "tenant (name or ID)")
				f.StringVar(&project, "tenant-id", "", "tenant (name or ID)")
				f.StringVar(&user, "user", "", "user (name or ID)")
				f.StringVar(&user, "user-id", "", "user (name or ID)")
				f.StringVar(&role, "role", "", "role (name or ID)")
				f.StringVar(&role, "role-id", "", "role (name or ID)")
				return
			}
			f.StringVar(&project, "project", "", "project (name or ID)")
			f.StringVar(&user, "user", "", "user (name or ID)")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			if legacy == nil {
				role = args[0]
			}
			if project == "" || user == "" || role == "" {
				return usageErrorf("a project (tenant), a user and a role are required")
			}
			t, err := findTenant(ctx, c, project)
			if err != nil {
				return err
			}
			u, err := findUserV2(ctx, c, user)
			if err != nil {
				return err
			}
			r, err := findRoleV2(ctx, c, role)
			if err != nil {
				return err
			}
			if verb == "remove" {
				return c.Roles.RemoveUserRole(ctx, t.ID, u.ID, r.ID)
			}
			if _, err := c.Roles.AddUserRole(ctx, t.ID, u.ID, r.ID); err != nil {
				return err
			}
			if legacy != nil {
				return nil // the keystone shell printed nothing
			}
			return out.printOne(a.stdout, []string{"id", "name"}, []any{r.ID, r.Name})
		}})
}

func (a *app) v2ServiceList(use string) *cobra.Command {
	var long bool
	return a.v2Command(v2Spec{use: use, short: "List services", output: listOutput,
		flags: func(f *pflag.FlagSet) { f.BoolVar(&long, "long", false, "list additional fields in output") },
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			services, err := keystone.Collect(c.Services.List(ctx, nil))
			if err != nil {
				return err
			}
			cols := []string{"ID", "Name", "Type"}
			if long {
				cols = append(cols, "Description")
			}
			rows := make([][]any, len(services))
			for i, s := range services {
				rows[i] = []any{s.ID, strAny(s.Name), s.Type, strAny(s.Description)}[:len(cols)]
			}
			return out.printList(a.stdout, cols, rows)
		}})
}

func (a *app) v2ServiceShow(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Display service details", nargs: 1, argNames: "<service>", output: showOutput,
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			s, err := findServiceV2(ctx, c, args[0])
			if err != nil {
				return err
			}
			f, v := serviceFields(s)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) v2ServiceCreate() *cobra.Command {
	var name, description string
	return a.v2Command(v2Spec{use: "create <type>", short: "Create new service", nargs: 1, argNames: "<type>", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&name, "name", "", "new service name")
			f.StringVar(&description, "description", "", "new service description")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			s, err := c.Services.Create(ctx, identityv2.CreateServiceBody{Type: args[0], Name: strPtr(name), Description: strPtr(description)})
			if err != nil {
				return err
			}
			f, v := serviceFields(s)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) v2ServiceDelete(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Delete service(s)", nargs: -1, argNames: "<service>",
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			return deleteAll(args, "service", func(n string) error {
				s, err := findServiceV2(ctx, c, n)
				if err != nil {
					return err
				}
				return c.Services.Delete(ctx, s.ID)
			})
		}})
}

// endpointRowsV2 returns the endpoints with their service's name and type.
func endpointRowsV2(ctx context.Context, c *identityv2.Client) ([]identityv2.AdminEndpoint, map[string]identityv2.Service, error) {
	eps, err := keystone.Collect(c.Endpoints.List(ctx))
	if err != nil {
		return nil, nil, err
	}
	services, err := keystone.Collect(c.Services.List(ctx, nil))
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]identityv2.Service{}
	for _, s := range services {
		byID[s.ID] = s
	}
	return eps, byID, nil
}

func (a *app) v2EndpointList(use string) *cobra.Command {
	var long bool
	return a.v2Command(v2Spec{use: use, short: "List endpoints", output: listOutput,
		flags: func(f *pflag.FlagSet) { f.BoolVar(&long, "long", false, "list additional fields in output") },
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			eps, services, err := endpointRowsV2(ctx, c)
			if err != nil {
				return err
			}
			cols := []string{"ID", "Region", "Service Name", "Service Type"}
			if long {
				cols = append(cols, "PublicURL", "AdminURL", "InternalURL")
			}
			rows := make([][]any, len(eps))
			for i, e := range eps {
				s := services[deref(e.ServiceID)]
				rows[i] = []any{e.ID, strAny(e.Region), strAny(s.Name), s.Type,
					strAny(e.Publicurl), strAny(e.Adminurl), strAny(e.Internalurl)}[:len(cols)]
			}
			return out.printList(a.stdout, cols, rows)
		}})
}

func (a *app) v2EndpointShow() *cobra.Command {
	return a.v2Command(v2Spec{use: "show <endpoint-id>", short: "Display endpoint details", nargs: 1, argNames: "<endpoint-id>", output: showOutput,
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			eps, services, err := endpointRowsV2(ctx, c)
			if err != nil {
				return err
			}
			for _, e := range eps {
				if e.ID == args[0] {
					s := services[deref(e.ServiceID)]
					return out.printOne(a.stdout,
						[]string{"adminurl", "id", "internalurl", "publicurl", "region", "service_id", "service_name", "service_type"},
						[]any{strAny(e.Adminurl), e.ID, strAny(e.Internalurl), strAny(e.Publicurl), strAny(e.Region), strAny(e.ServiceID), strAny(s.Name), s.Type})
				}
			}
			return fmt.Errorf("no endpoint with an ID of '%s' exists", args[0])
		}})
}

// endpointCreateV2 creates an endpoint of a service found by ID, name or
// type.
func endpointCreateV2(ctx context.Context, c *identityv2.Client, service, public, admin, internal, region string) (*identityv2.AdminEndpoint, *identityv2.Service, error) {
	s, err := findServiceV2(ctx, c, service)
	if err != nil {
		return nil, nil, err
	}
	e, err := c.Endpoints.Create(ctx, identityv2.CreateEndpointBody{ServiceID: s.ID, Publicurl: public,
		Adminurl: strPtr(admin), Internalurl: strPtr(internal), Region: strPtr(region)})
	return e, s, err
}

func (a *app) v2EndpointCreate() *cobra.Command {
	var public, admin, internal, region string
	return a.v2Command(v2Spec{use: "create <service>", short: "Create new endpoint", nargs: 1, argNames: "<service>", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&public, "publicurl", "", "new endpoint public URL (required)")
			f.StringVar(&admin, "adminurl", "", "new endpoint admin URL")
			f.StringVar(&internal, "internalurl", "", "new endpoint internal URL")
			f.StringVar(&region, "region", "", "new endpoint region ID")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			if public == "" {
				return usageErrorf("--publicurl is required")
			}
			e, s, err := endpointCreateV2(ctx, c, args[0], public, admin, internal, region)
			if err != nil {
				return err
			}
			return out.printOne(a.stdout,
				[]string{"adminurl", "id", "internalurl", "publicurl", "region", "service_id", "service_name", "service_type"},
				[]any{strAny(e.Adminurl), e.ID, strAny(e.Internalurl), strAny(e.Publicurl), strAny(e.Region), s.ID, strAny(s.Name), s.Type})
		}})
}

func (a *app) v2EndpointDelete(use string) *cobra.Command {
	return a.v2Command(v2Spec{use: use, short: "Delete endpoint(s)", nargs: -1, argNames: "<endpoint-id>",
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			return deleteAll(args, "endpoint", func(id string) error {
				return notFound(c.Endpoints.Delete(ctx, id), "endpoint", id)
			})
		}})
}

// ec2User resolves the --user of an ec2 credentials command: the token's
// user when not given.
func (a *app) ec2User(ctx context.Context, c *identityv2.Client, user string) (string, error) {
	if user != "" {
		u, err := findUserV2(ctx, c, user)
		if err != nil {
			return "", err
		}
		return u.ID, nil
	}
	ai, err := a.access(ctx)
	if err != nil {
		return "", err
	}
	return ai.User.ID, nil
}

// ec2Flags adds --user (and for the keystone shell, --user-id).
func ec2Flags(f *pflag.FlagSet, user *string, legacy *bool) {
	f.StringVar(user, "user", "", "user (name or ID; default: the authenticated user)")
	if legacy != nil {
		f.StringVar(user, "user-id", "", "user (name or ID; default: the authenticated user)")
	}
}

func (a *app) v2EC2List(use string, legacy *bool) *cobra.Command {
	var user string
	return a.v2Command(v2Spec{use: use, short: "List EC2 credentials", output: listOutput,
		flags: func(f *pflag.FlagSet) { ec2Flags(f, &user, legacy) },
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			uid, err := a.ec2User(ctx, c, user)
			if err != nil {
				return err
			}
			creds, err := keystone.Collect(c.EC2Credentials.List(ctx, uid))
			if err != nil {
				return err
			}
			cols := []string{"Access", "Secret", "Project ID", "User ID"}
			if legacy != nil {
				cols = []string{"tenant", "access", "secret"}
			}
			rows := make([][]any, len(creds))
			for i, e := range creds {
				if legacy != nil {
					rows[i] = []any{e.TenantID, e.Access, strAny(e.Secret)}
				} else {
					rows[i] = []any{e.Access, strAny(e.Secret), e.TenantID, e.UserID}
				}
			}
			return out.printList(a.stdout, cols, rows)
		}})
}

func (a *app) v2EC2Show(use string, legacy *bool) *cobra.Command {
	var user, access string
	nargs := 1
	if legacy != nil {
		nargs = 0
	}
	return a.v2Command(v2Spec{use: use, short: "Display EC2 credentials details", nargs: nargs, argNames: "<access-key>", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			ec2Flags(f, &user, legacy)
			if legacy != nil {
				f.StringVar(&access, "access", "", "access key")
			}
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, out *outputOptions) error {
			if legacy == nil {
				access = args[0]
			}
			if access == "" {
				return usageErrorf("an access key is required (--access)")
			}
			uid, err := a.ec2User(ctx, c, user)
			if err != nil {
				return err
			}
			e, err := c.EC2Credentials.Get(ctx, uid, access)
			if err != nil {
				return notFound(err, "EC2 credentials", access)
			}
			f, v := ec2Fields(e)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) v2EC2Create(use string, legacy *bool) *cobra.Command {
	var user, project string
	return a.v2Command(v2Spec{use: use, short: "Create EC2 credentials", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			ec2Flags(f, &user, legacy)
			if legacy != nil {
				f.StringVar(&project, "tenant-id", "", "tenant (name or ID; default: the token's)")
				f.StringVar(&project, "tenant", "", "tenant (name or ID; default: the token's)")
			} else {
				f.StringVar(&project, "project", "", "project (name or ID; default: the token's)")
			}
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			uid, err := a.ec2User(ctx, c, user)
			if err != nil {
				return err
			}
			var tid string
			if project != "" {
				t, err := findTenant(ctx, c, project)
				if err != nil {
					return err
				}
				tid = t.ID
			} else {
				ai, err := a.access(ctx)
				if err != nil {
					return err
				}
				if ai.Project == nil {
					return usageErrorf("the token has no project: give one with --project")
				}
				tid = ai.Project.ID
			}
			e, err := c.EC2Credentials.Create(ctx, uid, identityv2.EC2CredentialCreateRequest{TenantID: tid})
			if err != nil {
				return err
			}
			f, v := ec2Fields(e)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) v2EC2Delete(use string, legacy *bool) *cobra.Command {
	var user, access string
	nargs := -1
	if legacy != nil {
		nargs = 0
	}
	return a.v2Command(v2Spec{use: use, short: "Delete EC2 credentials", nargs: nargs, argNames: "<access-key>",
		flags: func(f *pflag.FlagSet) {
			ec2Flags(f, &user, legacy)
			if legacy != nil {
				f.StringVar(&access, "access", "", "access key")
			}
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			if legacy != nil {
				if access == "" {
					return usageErrorf("an access key is required (--access)")
				}
				args = []string{access}
			}
			uid, err := a.ec2User(ctx, c, user)
			if err != nil {
				return err
			}
			return deleteAll(args, "EC2 credential", func(k string) error {
				return notFound(c.EC2Credentials.Delete(ctx, uid, k), "EC2 credentials", k)
			})
		}})
}
