package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// showPolicy prints a policy as openstack policy show does: its members
// but links, sorted, the blob renamed rules.
func showPolicy(a *app, out *outputOptions, p *identityv3.Policy) error {
	m := map[string]any{}
	for k, v := range p.Extra {
		m[k] = v
	}
	delete(m, "links")
	m["id"], m["rules"], m["type"] = p.ID, p.Blob, p.Type
	return showMembers(a, out, m)
}

// getPolicy gets a policy by ID.
func getPolicy(ctx context.Context, c *identityv3.Client, id string) (*identityv3.Policy, error) {
	p, err := c.Policies.Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "policy", id)
	}
	return p, nil
}

// policyCommand is `policy …`.
func (a *app) policyCommand() *cobra.Command {
	return group("policy", "Manage policies (policy blobs, deprecated by Keystone)",
		a.policyList(), a.policyShow(), a.policyCreate(), a.policySet(), a.policyDelete())
}

// policyList is `policy list [--long]`.
func (a *app) policyList() *cobra.Command {
	var long bool
	cmd := &cobra.Command{Use: "list", Short: "List policies", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	cmd.Flags().BoolVar(&long, "long", false, "list additional fields in output")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		policies, err := keystone.Collect(c.Policies.List(ctx, nil))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Type"}
		if long {
			cols = append(cols, "Rules")
		}
		rows := make([][]any, len(policies))
		for i, p := range policies {
			rows[i] = []any{p.ID, p.Type}
			if long {
				rows[i] = append(rows[i], p.Blob)
			}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// policyShow is `policy show <policy>`.
func (a *app) policyShow() *cobra.Command {
	return showCommand(a, "<policy>", "Display policy details", getPolicy, showPolicy)
}

// policyCreate is `policy create [--type <type>] <filename>`: the policy's
// blob is the file's contents.
func (a *app) policyCreate() *cobra.Command {
	var typ string
	cmd := &cobra.Command{Use: "create <filename>", Short: "Create new policy", Args: exactArgs(1, "<filename>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&typ, "type", "application/json", "new MIME type of the policy rules file")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		blob, err := readBlobFile(args[0])
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			p, err := c.Policies.Create(ctx, identityv3.PolicyCreate{Blob: blob, Type: typ})
			if err != nil {
				return err
			}
			return showPolicy(a, out, p)
		})(cmd, args)
	}
	return cmd
}

// policySet is `policy set <policy> [--type <type>] [--rules <filename>]`;
// as openstack's, it prints nothing.
func (a *app) policySet() *cobra.Command {
	var typ, rules string
	cmd := &cobra.Command{Use: "set <policy>", Short: "Set policy properties", Args: exactArgs(1, "<policy>")}
	f := cmd.Flags()
	f.StringVar(&typ, "type", "", "new MIME type of the policy rules file")
	f.StringVar(&rules, "rules", "", "new serialized policy rules file")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var body identityv3.PolicyUpdate
		if rules != "" {
			blob, err := readBlobFile(rules)
			if err != nil {
				return err
			}
			if blob != "" {
				body.Blob = &blob
			}
		}
		body.Type = strPtr(typ)
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			_, err := c.Policies.Update(ctx, args[0], body)
			return notFound(err, "policy", args[0])
		})(cmd, args)
	}
	return cmd
}

// policyDelete is `policy delete <policy>...`.
func (a *app) policyDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <policy> [<policy> ...]", Short: "Delete policy(s)", Args: minArgs(1, "<policy>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "policy", func(id string) error {
			return notFound(c.Policies.Delete(ctx, id), "policy", id)
		})
	})
	return cmd
}
