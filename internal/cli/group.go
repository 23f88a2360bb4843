package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// strAny is a string member as openstack prints it: None when absent.
func strAny(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// showGroup prints a group with the fields of openstack group show.
func showGroup(a *app, out *outputOptions, g *identityv3.Group) error {
	return out.printOne(a.stdout,
		[]string{"description", "domain_id", "id", "name"},
		[]any{strAny(g.Description), g.DomainID, g.ID, g.Name})
}

func (a *app) groupCommand() *cobra.Command {
	return group("group", "Manage groups and their members",
		a.groupList(), a.groupShow(), a.groupCreate(), a.groupDelete(), a.groupSet(),
		group("add", "Add to a group", a.groupMembers("add")),
		group("remove", "Remove from a group", a.groupMembers("remove")),
		group("contains", "Check a group's members", a.groupContainsUser()),
	)
}

func (a *app) groupList() *cobra.Command {
	var domain, user, userDomain string
	var long bool
	cmd := &cobra.Command{Use: "list", Short: "List groups", Args: noArgs}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&domain, "domain", "", "filter group list by domain (name or ID)")
	f.StringVar(&user, "user", "", "filter group list by user (name or ID)")
	f.StringVar(&userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
	f.BoolVar(&long, "long", false, "list additional fields in output")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		did, err := domainID(ctx, c, domain)
		if err != nil {
			return err
		}
		var groups []identityv3.Group
		if user != "" {
			u, err := findUser(ctx, c, user, userDomain)
			if err != nil {
				return err
			}
			ugs, err := keystone.Collect(c.Users.ListGroups(ctx, u.ID, nil))
			if err != nil {
				return err
			}
			for _, g := range ugs {
				groups = append(groups, identityv3.Group{ID: g.ID, Name: g.Name, DomainID: g.DomainID, Description: g.Description})
			}
		} else {
			groups, err = keystone.Collect(c.Groups.List(ctx, &identityv3.ListGroupsOptions{DomainID: did}))
			if err != nil {
				return err
			}
		}
		cols := []string{"ID", "Name"}
		if long {
			cols = append(cols, "Domain ID", "Description")
		}
		rows := make([][]any, len(groups))
		for i, g := range groups {
			rows[i] = []any{g.ID, g.Name}
			if long {
				rows[i] = append(rows[i], g.DomainID, deref(g.Description))
			}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

func (a *app) groupShow() *cobra.Command {
	var domain string
	cmd := &cobra.Command{Use: "show <group>", Short: "Display group details", Args: exactArgs(1, "<group>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&domain, "domain", "", "domain containing the group (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		g, err := findGroup(ctx, c, args[0], domain)
		if err != nil {
			return err
		}
		return showGroup(a, out, g)
	})
	return cmd
}

func (a *app) groupCreate() *cobra.Command {
	var domain, description string
	var orShow bool
	cmd := &cobra.Command{Use: "create <group-name>", Short: "Create new group", Args: exactArgs(1, "<group-name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&domain, "domain", "", "domain to contain the new group (name or ID)")
	f.StringVar(&description, "description", "", "new group description")
	f.BoolVar(&orShow, "or-show", false, "return existing group")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		body := identityv3.GroupCreate{Name: args[0]}
		did, err := domainID(ctx, c, domain)
		if err != nil {
			return err
		}
		body.DomainID = did
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		g, err := c.Groups.Create(ctx, body)
		if err != nil && orShow && isConflict(err) {
			g, err = c.Groups.Find(ctx, args[0], &identityv3.ListGroupsOptions{DomainID: body.DomainID})
			err = notFound(err, "group", args[0])
		}
		if err != nil {
			return err
		}
		return showGroup(a, out, g)
	})
	return cmd
}

func (a *app) groupDelete() *cobra.Command {
	return a.domainScopedDelete("group", "domain containing the group(s) (name or ID)", func(ctx context.Context, c *identityv3.Client, name, domain string) error {
		g, err := findGroup(ctx, c, name, domain)
		if err != nil {
			return err
		}
		return c.Groups.Delete(ctx, g.ID)
	})
}

// groupMembers is group add user and group remove user (verb "add" or
// "remove"): <group> <user> [<user> ...].
func (a *app) groupMembers(verb string) *cobra.Command {
	var groupDomain, userDomain string
	short, done := "Add user to group", "added to"
	if verb == "remove" {
		short, done = "Remove user from group", "removed from"
	}
	cmd := &cobra.Command{Use: "user <group> <user> [<user> ...]", Short: short, Args: minArgs(2, "<group> <user>")}
	cmd.Flags().StringVar(&groupDomain, "group-domain", "", "domain the group belongs to (name or ID)")
	cmd.Flags().StringVar(&userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		g, err := findGroup(ctx, c, args[0], groupDomain)
		if err != nil {
			return err
		}
		users := args[1:]
		var failed []string
		for _, name := range users {
			err := func() error {
				u, err := findUser(ctx, c, name, userDomain)
				if err != nil {
					return err
				}
				if verb == "remove" {
					return c.Groups.RemoveUser(ctx, g.ID, u.ID)
				}
				return c.Groups.AddUser(ctx, g.ID, u.ID)
			}()
			if err != nil {
				if len(users) == 1 {
					return err
				}
				failed = append(failed, fmt.Sprintf("%s: %s", name, oneLine(err)))
			}
		}
		if len(failed) > 0 {
			return fmt.Errorf("%d of %d users not %s group %s (%s)", len(failed), len(users), done, args[0], strings.Join(failed, "; "))
		}
		return nil
	})
	return cmd
}

// groupContainsUser is group contains user: as openstack, it prints
// "<user> in group <group>" on stdout or "<user> not in group <group>" on
// stderr, and exits 0 either way.
func (a *app) groupContainsUser() *cobra.Command {
	var groupDomain, userDomain string
	cmd := &cobra.Command{Use: "user <group> <user>", Short: "Check user membership in group", Args: exactArgs(2, "<group> <user>")}
	cmd.Flags().StringVar(&groupDomain, "group-domain", "", "domain the group belongs to (name or ID)")
	cmd.Flags().StringVar(&userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		g, err := findGroup(ctx, c, args[0], groupDomain)
		if err != nil {
			return err
		}
		u, err := findUser(ctx, c, args[1], userDomain)
		if err != nil {
			return err
		}
		in, err := c.Groups.HasUser(ctx, g.ID, u.ID)
		if err != nil {
			return err
		}
		if in {
			_, err = fmt.Fprintf(a.stdout, "%s in group %s\n", args[1], args[0])
		} else {
			_, err = fmt.Fprintf(a.stderr, "%s not in group %s\n", args[1], args[0])
		}
		return err
	})
	return cmd
}

// groupSet is openstack group set: the changes given, in one PATCH. As
// openstack, an empty --name or --description is ignored.
func (a *app) groupSet() *cobra.Command {
	var domain, name, description string
	cmd := &cobra.Command{Use: "set <group>", Short: "Set group properties", Args: exactArgs(1, "<group>")}
	f := cmd.Flags()
	f.StringVar(&domain, "domain", "", "domain containing <group> (name or ID)")
	f.StringVar(&name, "name", "", "new group name")
	f.StringVar(&description, "description", "", "new group description")
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		g, err := findGroup(ctx, c, args[0], domain)
		if err != nil {
			return err
		}
		body := identityv3.GroupUpdate{Name: strPtr(name), Description: strPtr(description)}
		if body.Name == nil && body.Description == nil {
			return nil
		}
		_, err = c.Groups.Update(ctx, g.ID, body)
		return err
	})
	return cmd
}
