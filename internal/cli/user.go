package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
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
		a.userList(), a.userShow(), a.userCreate(), a.userDelete(), a.userSet(),
		group("password", "Change the user's own password", a.userPasswordSet()))
}

func (a *app) userList() *cobra.Command {
	var domain string
	var long bool
	cmd := &cobra.Command{Use: "list", Short: "List users", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&domain, "domain", "", "filter users by domain (name or ID)")
	cmd.Flags().BoolVar(&long, "long", false, "list additional fields in output")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
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
	})
	return cmd
}

func (a *app) userShow() *cobra.Command {
	var domain string
	cmd := &cobra.Command{Use: "show <user>", Short: "Display user details", Args: exactArgs(1, "<user>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&domain, "domain", "", "domain owning the user (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		u, err := findUser(ctx, c, args[0], domain)
		if err != nil {
			return err
		}
		return showUser(a, out, u)
	})
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
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		if err := exclusive(cmd, "password", "password-prompt"); err != nil {
			return err
		}
		if err := out.validate(); err != nil {
			return err
		}
		if prompt {
			line, err := bufio.NewReader(a.stdin).ReadString('\n')
			if err != nil && line == "" {
				return errors.New("no password on standard input")
			}
			password = strings.TrimRight(line, "\r\n")
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			body := identityv3.UserCreate{Name: args[0]}
			did, err := domainID(ctx, c, domain)
			if err != nil {
				return err
			}
			body.DomainID = did
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
		})(cmd, args)
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

// userSet is openstack user set: the changes given, in one PATCH. As
// openstack, empty --name, --email, --password, --description are ignored.
func (a *app) userSet() *cobra.Command {
	var name, domain, project, projectDomain, password, email, description string
	var prompt, enable, disable bool
	var lockout, noLockout, expiry, noExpiry, firstUse, noFirstUse, lockPw, unlockPw, mfa, noMFA bool
	var mfaRules []string
	cmd := &cobra.Command{Use: "set <user>", Short: "Set user properties", Args: exactArgs(1, "<user>")}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "set user name")
	f.StringVar(&domain, "domain", "", "domain the user belongs to (name or ID)")
	f.StringVar(&project, "project", "", "set default project (name or ID)")
	f.StringVar(&projectDomain, "project-domain", "", "domain the project belongs to (name or ID)")
	f.StringVar(&password, "password", "", "set user password")
	f.BoolVar(&prompt, "password-prompt", false, "read the password from standard input")
	f.StringVar(&email, "email", "", "set user email address")
	f.StringVar(&description, "description", "", "set user description")
	f.BoolVar(&lockout, "ignore-lockout-failure-attempts", false, "opt into ignoring the number of failed authentications")
	f.BoolVar(&noLockout, "no-ignore-lockout-failure-attempts", false, "opt out of ignoring the number of failed authentications")
	f.BoolVar(&expiry, "ignore-password-expiry", false, "opt into allowing the user to continue using an expired password")
	f.BoolVar(&noExpiry, "no-ignore-password-expiry", false, "opt out of allowing the user to continue using an expired password")
	f.BoolVar(&firstUse, "ignore-change-password-upon-first-use", false, "opt into ignoring the change of password upon first use")
	f.BoolVar(&noFirstUse, "no-ignore-change-password-upon-first-use", false, "opt out of ignoring the change of password upon first use")
	f.BoolVar(&lockPw, "enable-lock-password", false, "disallow the user to change their own password")
	f.BoolVar(&unlockPw, "disable-lock-password", false, "allow the user to change their own password")
	f.BoolVar(&mfa, "enable-multi-factor-auth", false, "enable multi-factor authentication for the user")
	f.BoolVar(&noMFA, "disable-multi-factor-auth", false, "disable multi-factor authentication for the user")
	f.StringArrayVar(&mfaRules, "multi-factor-auth-rule", nil, "set multi-factor auth rules: auth methods separated by commas (repeat option to set multiple rules)")
	f.BoolVar(&enable, "enable", false, "enable user (default)")
	f.BoolVar(&disable, "disable", false, "disable user")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		for _, pair := range [][2]string{
			{"enable", "disable"},
			{"password", "password-prompt"},
			{"ignore-lockout-failure-attempts", "no-ignore-lockout-failure-attempts"},
			{"ignore-password-expiry", "no-ignore-password-expiry"},
			{"ignore-change-password-upon-first-use", "no-ignore-change-password-upon-first-use"},
			{"enable-lock-password", "disable-lock-password"},
			{"enable-multi-factor-auth", "disable-multi-factor-auth"},
		} {
			if err := exclusive(cmd, pair[0], pair[1]); err != nil {
				return err
			}
		}
		if prompt {
			pw, err := readSecretLine(bufio.NewReader(a.stdin), "password")
			if err != nil {
				return err
			}
			password = pw
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			u, err := findUser(ctx, c, args[0], domain)
			if err != nil {
				return err
			}
			body := identityv3.UserUpdate{Name: strPtr(name), Password: strPtr(password), Description: strPtr(description), Enabled: enabledFlag(enable, disable)}
			if email != "" {
				body.Extra = map[string]any{"email": email}
			}
			if project != "" {
				p, err := findProject(ctx, c, project, projectDomain)
				if err != nil {
					return err
				}
				body.DefaultProjectID = &p.ID
			}
			opts := identityv3.UserOptions{
				IgnoreLockoutFailureAttempts:     boolPair(lockout, noLockout),
				IgnorePasswordExpiry:             boolPair(expiry, noExpiry),
				IgnoreChangePasswordUponFirstUse: boolPair(firstUse, noFirstUse),
				LockPassword:                     boolPair(lockPw, unlockPw),
				MultiFactorAuthEnabled:           boolPair(mfa, noMFA),
			}
			for _, r := range mfaRules {
				opts.MultiFactorAuthRules = append(opts.MultiFactorAuthRules, strings.Split(r, ","))
			}
			if opts.IgnoreLockoutFailureAttempts != nil || opts.IgnorePasswordExpiry != nil || opts.IgnoreChangePasswordUponFirstUse != nil ||
				opts.LockPassword != nil || opts.MultiFactorAuthEnabled != nil || len(opts.MultiFactorAuthRules) > 0 {
				body.Options = &opts
			}
			if body.Name == nil && body.Password == nil && body.Description == nil && body.Enabled == nil &&
				body.Extra == nil && body.DefaultProjectID == nil && body.Options == nil {
				return nil
			}
			_, err = c.Users.Update(ctx, u.ID, body)
			return err
		})(cmd, args)
	}
	return cmd
}

// userPasswordSet is openstack user password set: the authenticated user
// changes their own password, given the original one. Either password not
// given as an option is read from standard input, one line each: the
// original first, then the new one.
func (a *app) userPasswordSet() *cobra.Command {
	var password, original string
	cmd := &cobra.Command{Use: "set", Short: "Change current user password", Args: noArgs}
	f := cmd.Flags()
	f.StringVar(&password, "password", "", "new user password")
	f.StringVar(&original, "original-password", "", "original user password")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		in := bufio.NewReader(a.stdin)
		if !cmd.Flags().Changed("original-password") {
			pw, err := readSecretLine(in, "original password")
			if err != nil {
				return err
			}
			original = pw
		}
		if !cmd.Flags().Changed("password") {
			pw, err := readSecretLine(in, "new password")
			if err != nil {
				return err
			}
			password = pw
		}
		if password == "" {
			fmt.Fprintln(a.stderr, "No password was supplied, authentication will fail when a user does not have a password.")
		}
		ctx := cmd.Context()
		ai, err := a.access(ctx)
		if err != nil {
			return err
		}
		if ai.User.ID == "" {
			return errors.New("the token names no user: cannot change its password")
		}
		c, err := a.client(ctx)
		if err != nil {
			return err
		}
		return c.Users.ChangePassword(ctx, ai.User.ID, identityv3.UserPasswordChange{OriginalPassword: original, Password: password})
	}
	return cmd
}
