package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// showDomain prints a domain with the fields of openstack domain show.
func showDomain(a *app, out *outputOptions, d *identityv3.Domain) error {
	options := map[string]any{}
	if d.Options.Immutable != nil {
		options["immutable"] = *d.Options.Immutable
	}
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	return out.printOne(a.stdout,
		[]string{"description", "enabled", "id", "name", "options", "tags"},
		[]any{strAny(d.Description), d.Enabled, d.ID, d.Name, options, tags})
}

func (a *app) domainCommand() *cobra.Command {
	return group("domain", "Manage domains",
		a.domainList(), a.domainShow(), a.domainCreate(), a.domainDelete(), a.domainSet())
}

func (a *app) domainList() *cobra.Command {
	var name string
	var enabled bool
	cmd := &cobra.Command{Use: "list", Short: "List domains", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&name, "name", "", "the domain name")
	cmd.Flags().BoolVar(&enabled, "enabled", false, "list only enabled domains")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		opts := &identityv3.ListDomainsOptions{Name: strPtr(name)}
		if enabled {
			opts.Enabled = &enabled
		}
		domains, err := keystone.Collect(c.Domains.List(ctx, opts))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Name", "Enabled", "Description"}
		rows := make([][]any, len(domains))
		for i, d := range domains {
			rows[i] = []any{d.ID, d.Name, d.Enabled, deref(d.Description)}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

func (a *app) domainShow() *cobra.Command {
	cmd := &cobra.Command{Use: "show <domain>", Short: "Display domain details", Args: exactArgs(1, "<domain>")}
	out := addOutputFlags(cmd, false)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		d, err := findDomain(ctx, c, args[0])
		if err != nil {
			return err
		}
		return showDomain(a, out, d)
	})
	return cmd
}

func (a *app) domainCreate() *cobra.Command {
	var description string
	var enable, disable, orShow bool
	cmd := &cobra.Command{Use: "create <domain-name>", Short: "Create new domain", Args: exactArgs(1, "<domain-name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&description, "description", "", "new domain description")
	f.BoolVar(&enable, "enable", false, "enable domain (default)")
	f.BoolVar(&disable, "disable", false, "disable domain")
	f.BoolVar(&orShow, "or-show", false, "return existing domain")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			body := identityv3.DomainCreate{Name: args[0]}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			if enable || disable {
				enabled := enable
				body.Enabled = &enabled
			}
			d, err := c.Domains.Create(ctx, body)
			if err != nil && orShow && isConflict(err) {
				d, err = findDomain(ctx, c, args[0])
			}
			if err != nil {
				return err
			}
			return showDomain(a, out, d)
		})(cmd, args)
	}
	return cmd
}

func (a *app) domainDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <domain> [<domain> ...]", Short: "Delete domain(s)", Args: minArgs(1, "<domain>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "domain", func(n string) error {
			d, err := findDomain(ctx, c, n)
			if err != nil {
				return err
			}
			return c.Domains.Delete(ctx, d.ID)
		})
	})
	return cmd
}

// domainSet is openstack domain set: the changes given, in one PATCH. As
// openstack, an empty --name or --description is ignored.
func (a *app) domainSet() *cobra.Command {
	var name, description string
	var enable, disable, immutable, noImmutable bool
	cmd := &cobra.Command{Use: "set <domain>", Short: "Set domain properties", Args: exactArgs(1, "<domain>")}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "new domain name")
	f.StringVar(&description, "description", "", "new domain description")
	f.BoolVar(&enable, "enable", false, "enable domain")
	f.BoolVar(&disable, "disable", false, "disable domain")
	f.BoolVar(&immutable, "immutable", false, "make resource immutable")
	f.BoolVar(&noImmutable, "no-immutable", false, "make resource mutable (default)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		if err := exclusive(cmd, "immutable", "no-immutable"); err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			d, err := findDomain(ctx, c, args[0])
			if err != nil {
				return err
			}
			body := identityv3.DomainUpdate{Name: strPtr(name), Description: strPtr(description), Enabled: enabledFlag(enable, disable)}
			if v := boolPair(immutable, noImmutable); v != nil {
				body.Options = &identityv3.DomainOptions{Immutable: v}
			}
			if body.Name == nil && body.Description == nil && body.Enabled == nil && body.Options == nil {
				return nil
			}
			_, err = c.Domains.Update(ctx, d.ID, body)
			return err
		})(cmd, args)
	}
	return cmd
}
