package cli

import (
	"bufio"
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

var userDefaults = map[string]any{
	"options":             map[string]any{},
	"password_expires_at": nil,
}

func showUser(a *app, out *outputOptions, u *identityv3.User) error {
	fields, values, err := fieldsOf(u, userDefaults)
	if err != nil {
		return err
	}
	return out.printOne(a.stdout, fields, values)
}

func (a *app) userCommand() *cobra.Command {
	return group("user", "Manage users",
		a.userList(), a.userShow(), a.userCreate(), a.userDelete())
}

func (a *app) userList() *cobra.Command {
	var domain string
	var long bool
	cmd := &cobra.Command{Use: "list", Short: "List users", Args: cobra.NoArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&domain, "domain", "", "filter users by domain (name or ID)")
	cmd.Flags().BoolVar(&long, "long", false, "list additional fields in output")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ctx := cmd.Context()
		c, err := a.client(ctx)
		if err != nil {
			return err
		}
		did, err := domainID(ctx, c, domain)
		if err != nil {
			return err
		}
		users, err := keystone.Collect(c.Users.List(ctx, &identityv3.ListUsersOptions{DomainID: did}))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Name"}
		if long {
			cols = append(cols, "Project", "Domain", "Description", "Email", "Enabled")
		}
		rows := make([][]any, len(users))
		for i, u := range users {
			rows[i] = []any{u.ID, u.Name}
			if long {
				email, _ := u.Extra["email"].(string)
				rows[i] = append(rows[i], deref(u.DefaultProjectID), u.DomainID, deref(u.Description), email, u.Enabled)
			}
		}
		return out.printList(a.stdout, cols, rows)
	}
	return cmd
}

func (a *app) userShow() *cobra.Command {
	var domain string
	cmd := &cobra.Command{Use: "show <user>", Short: "Display user details", Args: exactArgs(1, "<user>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&domain, "domain", "", "domain owning the user (name or ID)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ctx := cmd.Context()
		c, err := a.client(ctx)
		if err != nil {
			return err
		}
		u, err := findUser(ctx, c, args[0], domain)
		if err != nil {
			return err
		}
		return showUser(a, out, u)
	}
	return cmd
}

func (a *app) userCreate() *cobra.Command {
	var domain, project, projectDomain, password, email, description string
	var prompt, enable, disable, orShow bool
	cmd := &cobra.Command{Use: "create <name>", Short: "Create new user", Args: exactArgs(1, "<name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&domain, "domain", "", "default domain (name or ID)")
	f.StringVar(&project, "project", "", "default project (name or ID)")
	f.StringVar(&projectDomain, "project-domain", "", "domain the project belongs to (name or ID)")
	f.StringVar(&password, "password", "", "set user password")
	f.BoolVar(&prompt, "password-prompt", false, "read the password from standard input")
	f.StringVar(&email, "email", "", "set user email address")
	f.StringVar(&description, "description", "", "user description")
	f.BoolVar(&enable, "enable", false, "enable user (default)")
	f.BoolVar(&disable, "disable", false, "disable user")
	f.BoolVar(&orShow, "or-show", false, "return existing user")
	cmd.MarkFlagsMutuallyExclusive("enable", "disable")
	cmd.MarkFlagsMutuallyExclusive("password", "password-prompt")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ctx := cmd.Context()
		if prompt {
			line, err := bufio.NewReader(a.stdin).ReadString('\n')
			if err != nil && line == "" {
				return errors.New("no password on standard input")
			}
			password = strings.TrimRight(line, "\r\n")
		}
		c, err := a.client(ctx)
		if err != nil {
			return err
		}
		body := identityv3.UserCreate{Name: args[0]}
		if body.DomainID, err = domainID(ctx, c, domain); err != nil {
			return err
		}
		if project != "" {
			p, err := findProject(ctx, c, project, projectDomain)
			if err != nil {
				return err
			}
			body.DefaultProjectID = &p.ID
		}
		if password != "" || prompt {
			body.Password = &password
		}
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		if email != "" {
			body.Extra = map[string]any{"email": email}
		}
		if enable || disable {
			enabled := enable
			body.Enabled = &enabled
		}
		u, err := c.Users.Create(ctx, body)
		if err != nil && orShow && isConflict(err) {
			u, err = c.Users.Find(ctx, args[0], &identityv3.ListUsersOptions{DomainID: body.DomainID})
			err = notFound(err, "user", args[0])
		}
		if err != nil {
			return err
		}
		return showUser(a, out, u)
	}
	return cmd
}

func (a *app) userDelete() *cobra.Command {
	return a.domainScopedDelete("user", "domain owning the user(s) (name or ID)", func(ctx context.Context, c *identityv3.Client, name, domain string) error {
		u, err := findUser(ctx, c, name, domain)
		if err != nil {
			return err
		}
		return c.Users.Delete(ctx, u.ID)
	})
}
