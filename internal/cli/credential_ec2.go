package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// showEC2Cred prints an EC2 credential as openstack ec2 credentials show
// does: Keystone's members, links included, tenant_id as project_id, and
// the secret key in clear (the SDK's JSON encoding masks it).
func showEC2Cred(a *app, out *outputOptions, e *identityv3.EC2Credential) error {
	return out.printOne(a.stdout,
		[]string{"access", "links", "project_id", "secret", "trust_id", "user_id"},
		[]any{e.Access, map[string]any{"self": e.Links.Self}, e.TenantID, strAny(e.Secret), strAny(e.TrustID), e.UserID})
}

// ec2UserFlags adds --user and --user-domain to an ec2 credentials command.
func ec2UserFlags(cmd *cobra.Command, user, userDomain *string, help string) {
	cmd.Flags().StringVar(user, "user", "", help)
	cmd.Flags().StringVar(userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
}

// ec2CredCreate is ec2 credentials create [--project <project>] [--user
// <user>] [--user-domain <domain>] [--project-domain <domain>]: for the
// session's user and project unless given.
func (a *app) ec2CredCreate() *cobra.Command {
	var project, user, userDomain, projectDomain string
	cmd := &cobra.Command{Use: "create", Short: "Create EC2 credentials", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&project, "project", "", "create credentials in project (name or ID; default: current authenticated project)")
	ec2UserFlags(cmd, &user, &userDomain, "create credentials for user (name or ID; default: current authenticated user)")
	cmd.Flags().StringVar(&projectDomain, "project-domain", "", "domain the project belongs to (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		uid, err := a.credUserID(ctx, c, user, userDomain)
		if err != nil {
			return err
		}
		var pid string
		if project != "" {
			p, err := findProject(ctx, c, project, projectDomain)
			if err != nil {
				return err
			}
			pid = p.ID
		} else {
			ai, err := a.access(ctx)
			if err != nil {
				return err
			}
			if ai.Project == nil {
				return errors.New("no --project and the session is not scoped to a project")
			}
			pid = ai.Project.ID
		}
		e, err := c.EC2Credentials.Create(ctx, uid, identityv3.EC2CredentialCreateRequest{TenantID: pid})
		if err != nil {
			return err
		}
		return showEC2Cred(a, out, e)
	})
	return cmd
}

// ec2CredList is ec2 credentials list [--user <user> [--user-domain
// <domain>]]: the session user's unless --user.
func (a *app) ec2CredList() *cobra.Command {
	var user, userDomain string
	cmd := &cobra.Command{Use: "list", Short: "List EC2 credentials", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	ec2UserFlags(cmd, &user, &userDomain, "filter list by user (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		uid, err := a.credUserID(ctx, c, user, userDomain)
		if err != nil {
			return err
		}
		creds, err := keystone.Collect(c.EC2Credentials.List(ctx, uid))
		if err != nil {
			return err
		}
		cols := []string{"Access", "Secret", "Project ID", "User ID"}
		rows := make([][]any, len(creds))
		for i, e := range creds {
			rows[i] = []any{e.Access, strAny(e.Secret), e.TenantID, e.UserID}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// getEC2Cred gets one of the user's EC2 credentials by access key.
func getEC2Cred(ctx context.Context, c *identityv3.Client, userID, access string) (*identityv3.EC2Credential, error) {
	e, err := c.EC2Credentials.Get(ctx, userID, access)
	if err != nil {
		return nil, notFound(err, "EC2 credential", access)
	}
	return e, nil
}

// ec2CredShow is ec2 credentials show <access-key> [--user <user>
// [--user-domain <domain>]].
func (a *app) ec2CredShow() *cobra.Command {
	var user, userDomain string
	cmd := &cobra.Command{Use: "show <access-key>", Short: "Display EC2 credentials details", Args: exactArgs(1, "<access-key>")}
	out := addOutputFlags(cmd, false)
	ec2UserFlags(cmd, &user, &userDomain, "show credentials for user (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		uid, err := a.credUserID(ctx, c, user, userDomain)
		if err != nil {
			return err
		}
		e, err := getEC2Cred(ctx, c, uid, args[0])
		if err != nil {
			return err
		}
		return showEC2Cred(a, out, e)
	})
	return cmd
}

// ec2CredDelete is ec2 credentials delete <access-key>... [--user <user>
// [--user-domain <domain>]].
func (a *app) ec2CredDelete() *cobra.Command {
	var user, userDomain string
	cmd := &cobra.Command{Use: "delete <access-key> [<access-key> ...]", Short: "Delete EC2 credentials", Args: minArgs(1, "<access-key>")}
	ec2UserFlags(cmd, &user, &userDomain, "delete credentials for user (name or ID)")
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		uid, err := a.credUserID(ctx, c, user, userDomain)
		if err != nil {
			return err
		}
		return deleteAll(args, "EC2 credential", func(access string) error {
			return notFound(c.EC2Credentials.Delete(ctx, uid, access), "EC2 credential", access)
		})
	})
	return cmd
}
