package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// impliedRoleCommand is `implied role …`: role inference rules.
func (a *app) impliedRoleCommand() *cobra.Command {
	return group("role", "Manage implied roles",
		a.impliedRoleList(), a.impliedRoleCreate(), a.impliedRoleDelete())
}

// impliedRolePair resolves the prior role and the --implied-role of
// implied role create and delete (names or IDs).
func impliedRolePair(ctx context.Context, c *identityv3.Client, prior, implied string) (string, string, error) {
	p, err := findRole(ctx, c, prior, "")
	if err != nil {
		return "", "", err
	}
	i, err := findRole(ctx, c, implied, "")
	if err != nil {
		return "", "", err
	}
	return p.ID, i.ID, nil
}

// impliedRoleList is `implied role list`: one row per inference rule.
func (a *app) impliedRoleList() *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List implied roles", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		inferences, err := keystone.Collect(c.Roles.ListInferences(ctx))
		if err != nil {
			return err
		}
		cols := []string{"Prior Role ID", "Prior Role Name", "Implied Role ID", "Implied Role Name"}
		rows := [][]any{}
		for _, inf := range inferences {
			for _, im := range inf.Implies {
				rows = append(rows, []any{inf.PriorRole.ID, inf.PriorRole.Name, im.ID, im.Name})
			}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// impliedRoleCreate is `implied role create <role> --implied-role <role>`;
// it prints the IDs of both roles.
func (a *app) impliedRoleCreate() *cobra.Command {
	var implied string
	cmd := &cobra.Command{Use: "create <role>", Short: "Creates an association between prior and implied roles", Args: exactArgs(1, "<role>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&implied, "implied-role", "", "role (name or ID) implied by <role> (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "implied-role"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			priorID, impliedID, err := impliedRolePair(ctx, c, args[0], implied)
			if err != nil {
				return err
			}
			r, err := c.Roles.CreateImplied(ctx, priorID, impliedID)
			if err != nil {
				return err
			}
			return out.printOne(a.stdout, []string{"implies", "prior_role"}, []any{r.Implies.ID, r.PriorRole.ID})
		})(cmd, args)
	}
	return cmd
}

// impliedRoleDelete is `implied role delete <role> --implied-role <role>`.
func (a *app) impliedRoleDelete() *cobra.Command {
	var implied string
	cmd := &cobra.Command{Use: "delete <role>", Short: "Deletes an association between prior and implied roles", Args: exactArgs(1, "<role>")}
	cmd.Flags().StringVar(&implied, "implied-role", "", "role (name or ID) implied by <role> (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "implied-role"); err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			priorID, impliedID, err := impliedRolePair(ctx, c, args[0], implied)
			if err != nil {
				return err
			}
			return c.Roles.DeleteImplied(ctx, priorID, impliedID)
		})(cmd, args)
	}
	return cmd
}
