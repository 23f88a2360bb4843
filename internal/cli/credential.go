package cli

import (
	"context"
	"errors"
	"sort"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// credentialCommands are the commands of the user-owned secrets:
// credential, application credential, access rule, trust, ec2 credentials.
func (a *app) credentialCommands() []*cobra.Command {
	return []*cobra.Command{
		group("credential", "Manage credentials",
			a.credentialList(), a.credentialShow(), a.credentialCreate(), a.credentialSet(), a.credentialDelete()),
		group("application", "Manage application credentials",
			group("credential", "Manage application credentials",
				a.appCredList(), a.appCredShow(), a.appCredCreate(), a.appCredDelete())),
		group("access", "Manage access rules",
			group("rule", "Manage access rules",
				a.accessRuleList(), a.accessRuleShow(), a.accessRuleDelete())),
		group("trust", "Manage trusts",
			a.trustList(), a.trustShow(), a.trustCreate(), a.trustDelete()),
		group("ec2", "Manage EC2 credentials",
			group("credentials", "Manage EC2 credentials",
				a.ec2CredCreate(), a.ec2CredList(), a.ec2CredShow(), a.ec2CredDelete())),
	}
}

// credFieldMap returns a resource's members as fieldsOf finds them, as a map
// to patch before credPrintFields prints it.
func credFieldMap(v any, defaults map[string]any) (map[string]any, error) {
	fields, values, err := fieldsOf(v, defaults)
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, len(fields))
	for i, f := range fields {
		m[f] = values[i]
	}
	return m, nil
}

// credPrintFields prints the members of m sorted by name, as openstack's
// zip(*sorted(info.items())) does.
func credPrintFields(a *app, out *outputOptions, m map[string]any) error {
	fields := make([]string, 0, len(m))
	for k := range m {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	values := make([]any, len(fields))
	for i, f := range fields {
		values[i] = m[f]
	}
	return out.printOne(a.stdout, fields, values)
}

// credCurrentUserID returns the ID of the user of the session's token, whose
// resources the commands address when no --user is given.
func (a *app) credCurrentUserID(ctx context.Context) (string, error) {
	ai, err := a.access(ctx)
	if err != nil {
		return "", err
	}
	if ai.User.ID == "" {
		return "", errors.New("the token names no user")
	}
	return ai.User.ID, nil
}

// credUserID resolves an optional --user (and --user-domain) to a user ID:
// the named user, else the session's.
func (a *app) credUserID(ctx context.Context, c *identityv3.Client, user, userDomain string) (string, error) {
	if user == "" {
		return a.credCurrentUserID(ctx)
	}
	u, err := findUser(ctx, c, user, userDomain)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// showCredential prints a credential with the fields of openstack
// credential show: those Keystone returns but links, the data (blob) in
// clear as openstack prints it.
func showCredential(a *app, out *outputOptions, cr *identityv3.Credential) error {
	m, err := credFieldMap(cr, map[string]any{"project_id": nil})
	if err != nil {
		return err
	}
	// The SDK's JSON encoding masks the blob; openstack prints it.
	m["blob"] = cr.Blob
	return credPrintFields(a, out, m)
}

// getCredential gets a credential by ID.
func getCredential(ctx context.Context, c *identityv3.Client, id string) (*identityv3.Credential, error) {
	cr, err := c.Credentials.Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "credential", id)
	}
	return cr, nil
}

// credentialList is credential list [--user <user> [--user-domain <domain>]]
// [--type <type>].
func (a *app) credentialList() *cobra.Command {
	var user, userDomain, typ string
	cmd := &cobra.Command{Use: "list", Short: "List credentials", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&user, "user", "", "filter credentials by <user> (name or ID)")
	f.StringVar(&userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
	f.StringVar(&typ, "type", "", "filter credentials by type: cert, ec2, totp and so on")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		opts := &identityv3.ListCredentialsOptions{Type: strPtr(typ)}
		if user != "" {
			u, err := findUser(ctx, c, user, userDomain)
			if err != nil {
				return err
			}
			opts.UserID = &u.ID
		}
		creds, err := keystone.Collect(c.Credentials.List(ctx, opts))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Type", "User ID", "Data", "Project ID"}
		rows := make([][]any, len(creds))
		for i, cr := range creds {
			rows[i] = []any{cr.ID, cr.Type, cr.UserID, cr.Blob, strAny(cr.ProjectID)}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// credentialShow is credential show <credential-id>.
func (a *app) credentialShow() *cobra.Command {
	return showCommand(a, "<credential-id>", "Display credential details", getCredential, showCredential)
}

// credentialCreate is credential create <user> <data> [--type <type>]
// [--project <project>]; the type is cert unless given, as in openstack.
func (a *app) credentialCreate() *cobra.Command {
	var typ, project string
	cmd := &cobra.Command{Use: "create <user> <data>", Short: "Create new credential", Args: exactArgs(2, "<user> <data>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&typ, "type", "cert", "new credential type: cert, ec2, totp and so on")
	f.StringVar(&project, "project", "", "project which limits the scope of the credential (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		u, err := findUser(ctx, c, args[0], "")
		if err != nil {
			return err
		}
		body := identityv3.CredentialCreate{UserID: u.ID, Type: typ, Blob: args[1]}
		if project != "" {
			p, err := findProject(ctx, c, project, "")
			if err != nil {
				return err
			}
			body.ProjectID = &p.ID
		}
		cr, err := c.Credentials.Create(ctx, body)
		if err != nil {
			return err
		}
		return showCredential(a, out, cr)
	})
	return cmd
}

// credentialSet is credential set <credential-id> --user <user> --type
// <type> --data <data> [--project <project>]; it prints nothing, as
// openstack.
func (a *app) credentialSet() *cobra.Command {
	var user, typ, data, project string
	cmd := &cobra.Command{Use: "set <credential-id> --user <user> --type <type> --data <data>", Short: "Set credential properties", Args: exactArgs(1, "<credential-id>")}
	f := cmd.Flags()
	f.StringVar(&user, "user", "", "user that owns the credential (name or ID) (required)")
	f.StringVar(&typ, "type", "", "new credential type: cert, ec2, totp and so on (required)")
	f.StringVar(&data, "data", "", "new credential data (required)")
	f.StringVar(&project, "project", "", "project which limits the scope of the credential (name or ID)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		for _, name := range []string{"user", "type", "data"} {
			if !cmd.Flags().Changed(name) {
				return usageErrorf("%s: the following arguments are required: --user, --type, --data", cmd.CommandPath())
			}
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			u, err := findUser(ctx, c, user, "")
			if err != nil {
				return err
			}
			body := identityv3.CredentialUpdate{UserID: &u.ID, Type: &typ, Blob: &data}
			if project != "" {
				p, err := findProject(ctx, c, project, "")
				if err != nil {
					return err
				}
				body.ProjectID = &p.ID
			}
			_, err = c.Credentials.Update(ctx, args[0], body)
			return notFound(err, "credential", args[0])
		})(cmd, args)
	}
	return cmd
}

// credentialDelete is credential delete <credential-id>...
func (a *app) credentialDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <credential-id> [<credential-id> ...]", Short: "Delete credential(s)", Args: minArgs(1, "<credential-id>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "credential", func(id string) error {
			return notFound(c.Credentials.Delete(ctx, id), "credential", id)
		})
	})
	return cmd
}
