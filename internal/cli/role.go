package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

var roleDefaults = map[string]any{
	"description": nil,
	"domain_id":   nil,
	"options":     map[string]any{},
}

func showRole(a *app, out *outputOptions, r *identityv3.Role) error {
	fields, values, err := fieldsOf(r, roleDefaults)
	if err != nil {
		return err
	}
	return out.printOne(a.stdout, fields, values)
}

func (a *app) roleCommand() *cobra.Command {
	return group("role", "Manage roles and their assignments",
		a.roleList(), a.roleShow(), a.roleCreate(), a.roleDelete(), a.roleSet(),
		a.roleGrant("add", "Adds a role assignment to a user or group on the system, a domain, or a project"),
		a.roleGrant("remove", "Removes a role assignment from system/domain/project : user/group"),
		group("assignment", "Role assignments", a.roleAssignmentList()),
	)
}

func (a *app) roleList() *cobra.Command {
	var domain string
	cmd := &cobra.Command{Use: "list", Short: "List roles", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&domain, "domain", "", "include domain-specific roles of this domain (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		did, err := domainID(ctx, c, domain)
		if err != nil {
			return err
		}
		roles, err := keystone.Collect(c.Roles.List(ctx, &identityv3.ListRolesOptions{DomainID: did}))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Name"}
		if did != nil {
			cols = append(cols, "Domain")
		}
		rows := make([][]any, len(roles))
		for i, r := range roles {
			rows[i] = []any{r.ID, r.Name}
			if did != nil {
				rows[i] = append(rows[i], domain)
			}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

func (a *app) roleShow() *cobra.Command {
	var domain string
	cmd := &cobra.Command{Use: "show <role>", Short: "Display role details", Args: exactArgs(1, "<role>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&domain, "domain", "", "domain the role belongs to (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		r, err := findRole(ctx, c, args[0], domain)
		if err != nil {
			return err
		}
		return showRole(a, out, r)
	})
	return cmd
}

func (a *app) roleCreate() *cobra.Command {
	var domain, description string
	var orShow bool
	cmd := &cobra.Command{Use: "create <role-name>", Short: "Create new role", Args: exactArgs(1, "<role-name>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&domain, "domain", "", "domain the role belongs to (name or ID)")
	cmd.Flags().StringVar(&description, "description", "", "role description")
	cmd.Flags().BoolVar(&orShow, "or-show", false, "return existing role")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		body := identityv3.RoleCreate{Name: args[0]}
		did, err := domainID(ctx, c, domain)
		if err != nil {
			return err
		}
		body.DomainID = did
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		r, err := c.Roles.Create(ctx, body)
		if err != nil && orShow && isConflict(err) {
			r, err = c.Roles.Find(ctx, args[0], &identityv3.ListRolesOptions{DomainID: body.DomainID})
			err = notFound(err, "role", args[0])
		}
		if err != nil {
			return err
		}
		return showRole(a, out, r)
	})
	return cmd
}

func (a *app) roleDelete() *cobra.Command {
	return a.domainScopedDelete("role", "domain the role(s) belong to (name or ID)", func(ctx context.Context, c *identityv3.Client, name, domain string) error {
		r, err := findRole(ctx, c, name, domain)
		if err != nil {
			return err
		}
		return c.Roles.Delete(ctx, r.ID)
	})
}

// actorTarget are the options naming who and on what, shared by role add,
// role remove and role assignment list.
type actorTarget struct {
	user, userDomain, group, groupDomain   string
	project, projectDomain, domain, system string
	roleDomain                             string
	inherited                              bool
}

func (o *actorTarget) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.user, "user", "", "user (name or ID)")
	f.StringVar(&o.userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
	f.StringVar(&o.group, "group", "", "group (name or ID)")
	f.StringVar(&o.groupDomain, "group-domain", "", "domain the group belongs to (name or ID)")
	f.StringVar(&o.project, "project", "", "project (name or ID)")
	f.StringVar(&o.projectDomain, "project-domain", "", "domain the project belongs to (name or ID)")
	f.StringVar(&o.domain, "domain", "", "domain (name or ID)")
	f.StringVar(&o.system, "system", "", "system (all)")
	f.BoolVar(&o.inherited, "inherited", false, "the assignment is inherited by the projects below the target")
}

// check checks the exclusive options as usage errors (exit status 2).
func (o *actorTarget) check(cmd *cobra.Command) error {
	if err := exclusive(cmd, "user", "group"); err != nil {
		return err
	}
	return exclusive(cmd, "project", "domain", "system")
}

// resolved are the IDs the options name.
type resolved struct {
	userID, groupID, projectID, domainID string
}

func (o *actorTarget) resolve(ctx context.Context, c *identityv3.Client) (resolved, error) {
	var r resolved
	if o.user != "" {
		u, err := findUser(ctx, c, o.user, o.userDomain)
		if err != nil {
			return r, err
		}
		r.userID = u.ID
	}
	if o.group != "" {
		g, err := findGroup(ctx, c, o.group, o.groupDomain)
		if err != nil {
			return r, err
		}
		r.groupID = g.ID
	}
	if o.project != "" {
		p, err := findProject(ctx, c, o.project, o.projectDomain)
		if err != nil {
			return r, err
		}
		r.projectID = p.ID
	}
	if o.domain != "" {
		d, err := findDomain(ctx, c, o.domain)
		if err != nil {
			return r, err
		}
		r.domainID = d.ID
	}
	if o.system != "" && o.system != "all" {
		return r, usageErrorf("--system: only 'all' is supported, not %q", o.system)
	}
	return r, nil
}

// roleGrant is role add (verb "add") and role remove (verb "remove").
func (a *app) roleGrant(verb, short string) *cobra.Command {
	var o actorTarget
	cmd := &cobra.Command{Use: verb + " <role>", Short: short, Args: exactArgs(1, "<role>")}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&o.roleDomain, "role-domain", "", "domain the role belongs to (name or ID)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.check(cmd); err != nil {
			return err
		}
		if o.user == "" && o.group == "" {
			return usageErrorf("role %s: specify either --user or --group", verb)
		}
		if o.project == "" && o.domain == "" && o.system == "" {
			return usageErrorf("role %s: specify one of --project, --domain or --system", verb)
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			role, err := findRole(ctx, c, args[0], o.roleDomain)
			if err != nil {
				return err
			}
			r, err := o.resolve(ctx, c)
			if err != nil {
				return err
			}
			actor := identityv3.UserActor(r.userID)
			if r.groupID != "" {
				actor = identityv3.GroupActor(r.groupID)
			}
			var target identityv3.Target
			switch {
			case r.projectID != "":
				target = identityv3.OnProject(r.projectID)
			case r.domainID != "":
				target = identityv3.OnDomain(r.domainID)
			default:
				target = identityv3.OnSystem()
			}
			var opts []identityv3.GrantOption
			if o.inherited {
				opts = append(opts, identityv3.Inherited())
			}
			if verb == "add" {
				return c.Roles.Grant(ctx, role.ID, actor, target, opts...)
			}
			err = c.Roles.Revoke(ctx, role.ID, actor, target, opts...)
			if errors.Is(err, keystone.ErrNotFound) {
				return errors.New("no such role assignment")
			}
			return err
		})(cmd, args)
	}
	return cmd
}

func (a *app) roleAssignmentList() *cobra.Command {
	var o actorTarget
	var role string
	var effective, names, authUser, authProject bool
	cmd := &cobra.Command{Use: "list", Short: "List role assignments", Args: noArgs}
	out := addOutputFlags(cmd, true)
	o.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&role, "role", "", "role to filter (name or ID)")
	f.StringVar(&o.roleDomain, "role-domain", "", "domain the role belongs to (name or ID)")
	f.BoolVar(&effective, "effective", false, "returns only effective role assignments")
	f.BoolVar(&names, "names", false, "display names instead of IDs")
	f.BoolVar(&authUser, "auth-user", false, "only list assignments for the authenticated user")
	f.BoolVar(&authProject, "auth-project", false, "only list assignments for the project to which the authenticated user's token is scoped")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.check(cmd); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
			r, err := o.resolve(ctx, c)
			if err != nil {
				return err
			}
			if authUser || authProject {
				ai, err := a.access(ctx)
				if err != nil {
					return err
				}
				if authUser {
					r.userID = ai.User.ID
				}
				if authProject {
					if ai.Project == nil {
						return errors.New("--auth-project: the token is not scoped to a project")
					}
					r.projectID = ai.Project.ID
				}
			}
			opts := &identityv3.ListRoleAssignmentsOptions{
				Effective:      effective,
				IncludeNames:   names,
				UserID:         strPtr(r.userID),
				GroupID:        strPtr(r.groupID),
				ScopeProjectID: strPtr(r.projectID),
				ScopeDomainID:  strPtr(r.domainID),
			}
			if o.system != "" {
				opts.ScopeSystem = &o.system
			}
			if o.inherited {
				opts.ScopeOSINHERITInheritedTo = new("projects")
			}
			if role != "" {
				rr, err := findRole(ctx, c, role, o.roleDomain)
				if err != nil {
					return err
				}
				opts.RoleID = &rr.ID
			}
			assignments, err := keystone.Collect(c.RoleAssignments.List(ctx, opts))
			if err != nil {
				return err
			}
			rows := make([][]any, 0, len(assignments))
			for _, ra := range assignments {
				var system string
				if ra.Scope.System != nil {
					system = "all"
				}
				var domain string
				if d := ra.Scope.Domain; d != nil {
					domain = deref(d.ID)
					if names && d.Name != nil {
						domain = *d.Name
					}
				}
				rows = append(rows, []any{
					entityName(&ra.Role, names),
					entityName(ra.User, names),
					entityName(ra.Group, names),
					entityName(ra.Scope.Project, names),
					domain,
					system,
					ra.Scope.OSINHERITInheritedTo != nil,
				})
			}
			return out.printList(a.stdout, []string{"Role", "User", "Group", "Project", "Domain", "System", "Inherited"}, rows)
		})(cmd, args)
	}
	return cmd
}

// entityName shows an assignment's member as openstack does: its ID, or with
// --names its name@domain (a global role has no domain).
func entityName(e *identityv3.RoleAssignmentEntity, names bool) string {
	if e == nil {
		return ""
	}
	if !names || e.Name == nil {
		return e.ID
	}
	if e.Domain != nil && e.Domain.Name != nil {
		return *e.Name + "@" + *e.Domain.Name
	}
	return *e.Name
}

// roleSet is openstack role set: the changes given, in one PATCH. As
// openstack, --description "" clears the description.
func (a *app) roleSet() *cobra.Command {
	var domain, name, description string
	var immutable, noImmutable bool
	cmd := &cobra.Command{Use: "set <role>", Short: "Set role properties", Args: exactArgs(1, "<role>")}
	f := cmd.Flags()
	f.StringVar(&description, "description", "", "add description about the role")
	f.StringVar(&domain, "domain", "", "domain the role belongs to (name or ID)")
	f.StringVar(&name, "name", "", "set role name")
	f.BoolVar(&immutable, "immutable", false, "make resource immutable")
	f.BoolVar(&noImmutable, "no-immutable", false, "make resource mutable (default)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "immutable", "no-immutable"); err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			r, err := findRole(ctx, c, args[0], domain)
			if err != nil {
				return err
			}
			body := identityv3.RoleUpdate{Name: strPtr(name)}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			if v := boolPair(immutable, noImmutable); v != nil {
				body.Options = &identityv3.RoleOptions{Immutable: v}
			}
			if body.Name == nil && body.Description == nil && body.Options == nil {
				return nil
			}
			_, err = c.Roles.Update(ctx, r.ID, body)
			return err
		})(cmd, args)
	}
	return cmd
}
