package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// showTrust prints a trust as openstack does: the members Keystone returns
// but links and roles_links, the roles as their names separated by spaces.
func showTrust(a *app, out *outputOptions, t *identityv3.Trust) error {
	m, err := credFieldMap(t, map[string]any{
		"deleted_at": nil, "expires_at": nil, "project_id": nil, "redelegated_trust_id": nil,
		"redelegation_count": nil, "remaining_uses": nil,
	})
	if err != nil {
		return err
	}
	delete(m, "roles_links")
	names := make([]string, len(t.Roles))
	for i, r := range t.Roles {
		names[i] = r.Name
	}
	m["roles"] = strings.Join(names, " ")
	return credPrintFields(a, out, m)
}

// getTrust gets a trust by ID.
func getTrust(ctx context.Context, c *identityv3.Client, id string) (*identityv3.Trust, error) {
	t, err := c.Trusts.Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "trust", id)
	}
	return t, nil
}

// trustList is trust list.
func (a *app) trustList() *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List trusts", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		trusts, err := keystone.Collect(c.Trusts.List(ctx, nil))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Expires At", "Impersonation", "Project ID", "Trustee User ID", "Trustor User ID"}
		rows := make([][]any, len(trusts))
		for i, t := range trusts {
			rows[i] = []any{t.ID, strAny(t.ExpiresAt), t.Impersonation, strAny(t.ProjectID), t.TrusteeUserID, t.TrustorUserID}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// trustShow is trust show <trust>.
func (a *app) trustShow() *cobra.Command {
	return showCommand(a, "<trust>", "Display trust details", getTrust, showTrust)
}

// trustCreate is trust create --project <project> --role <role>...
// [--impersonate] [--expiration <expiration>] [--project-domain <domain>]
// [--trustor-domain <domain>] [--trustee-domain <domain>] <trustor-user>
// <trustee-user>; --project and --role are required, as in openstack.
func (a *app) trustCreate() *cobra.Command {
	var project, expiration, projectDomain, trustorDomain, trusteeDomain string
	var roles []string
	var impersonate bool
	cmd := &cobra.Command{Use: "create --project <project> --role <role> <trustor-user> <trustee-user>", Short: "Create new trust", Args: exactArgs(2, "<trustor-user> <trustee-user>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "project being delegated (name or ID) (required)")
	f.StringArrayVar(&roles, "role", nil, "roles to authorize (name or ID) (repeat option to set multiple values, required)")
	f.BoolVar(&impersonate, "impersonate", false, "tokens generated from the trust will represent <trustor> (defaults to False)")
	f.StringVar(&expiration, "expiration", "", "sets an expiration date for the trust (format of YYYY-mm-ddTHH:MM:SS)")
	f.StringVar(&projectDomain, "project-domain", "", "domain the project belongs to (name or ID)")
	f.StringVar(&trustorDomain, "trustor-domain", "", "domain that contains <trustor> (name or ID)")
	f.StringVar(&trusteeDomain, "trustee-domain", "", "domain that contains <trustee> (name or ID)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		if project == "" || len(roles) == 0 {
			return usageErrorf("%s: the following arguments are required: --project, --role", cmd.CommandPath())
		}
		expires, err := credExpiration(expiration)
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			trustor, err := findUser(ctx, c, args[0], trustorDomain)
			if err != nil {
				return err
			}
			trustee, err := findUser(ctx, c, args[1], trusteeDomain)
			if err != nil {
				return err
			}
			p, err := findProject(ctx, c, project, projectDomain)
			if err != nil {
				return err
			}
			body := identityv3.TrustCreate{
				TrustorUserID: trustor.ID,
				TrusteeUserID: trustee.ID,
				ProjectID:     &p.ID,
				Impersonation: impersonate,
				ExpiresAt:     expires,
			}
			for _, name := range roles {
				id := name
				r, err := findRole(ctx, c, name, "")
				switch {
				case err == nil:
					id = r.ID
				case errors.Is(err, keystone.ErrForbidden):
					// As openstack: a user who may not list roles names them by ID.
				default:
					return err
				}
				body.Roles = append(body.Roles, identityv3.TrustRoleRef{ID: &id})
			}
			t, err := c.Trusts.Create(ctx, body)
			if err != nil {
				return err
			}
			return showTrust(a, out, t)
		})(cmd, args)
	}
	return cmd
}

// trustDelete is trust delete <trust>...
func (a *app) trustDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <trust> [<trust> ...]", Short: "Delete trust(s)", Args: minArgs(1, "<trust>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "trust", func(id string) error {
			return notFound(c.Trusts.Delete(ctx, id), "trust", id)
		})
	})
	return cmd
}
