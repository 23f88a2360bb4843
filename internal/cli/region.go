package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// showRegion prints a region with the fields of openstack region show.
func showRegion(a *app, out *outputOptions, r *identityv3.Region) error {
	return out.printOne(a.stdout,
		[]string{"description", "parent_region", "region"},
		[]any{r.Description, strAny(r.ParentRegionID), r.ID})
}

// getRegion gets a region by ID.
func getRegion(ctx context.Context, c *identityv3.Client, id string) (*identityv3.Region, error) {
	r, err := c.Regions.Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "region", id)
	}
	return r, nil
}

func (a *app) regionCommand() *cobra.Command {
	return group("region", "Manage regions",
		a.regionList(), a.regionShow(), a.regionCreate(), a.regionDelete(), a.regionSet())
}

func (a *app) regionList() *cobra.Command {
	var parent string
	cmd := &cobra.Command{Use: "list", Short: "List regions", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&parent, "parent-region", "", "filter by parent region ID")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		regions, err := keystone.Collect(c.Regions.List(ctx, &identityv3.ListRegionsOptions{ParentRegionID: strPtr(parent)}))
		if err != nil {
			return err
		}
		cols := []string{"Region", "Parent Region", "Description"}
		rows := make([][]any, len(regions))
		for i, r := range regions {
			rows[i] = []any{r.ID, strAny(r.ParentRegionID), r.Description}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

func (a *app) regionShow() *cobra.Command {
	return showCommand(a, "<region-id>", "Display region details", getRegion, showRegion)
}

func (a *app) regionCreate() *cobra.Command {
	var parent, description string
	cmd := &cobra.Command{Use: "create <region-id>", Short: "Create new region", Args: exactArgs(1, "<region-id>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&parent, "parent-region", "", "parent region ID")
	cmd.Flags().StringVar(&description, "description", "", "new region description")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		body := identityv3.RegionCreate{ID: &args[0], ParentRegionID: strPtr(parent)}
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		r, err := c.Regions.Create(ctx, body)
		if err != nil {
			return err
		}
		return showRegion(a, out, r)
	})
	return cmd
}

func (a *app) regionDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <region-id> [<region-id> ...]", Short: "Delete region(s)", Args: minArgs(1, "<region-id>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "region", func(n string) error {
			return notFound(c.Regions.Delete(ctx, n), "region", n)
		})
	})
	return cmd
}

// regionSet is openstack region set: the changes given, in one PATCH. As
// openstack, an empty --parent-region or --description is ignored.
func (a *app) regionSet() *cobra.Command {
	var parent, description string
	cmd := &cobra.Command{Use: "set <region-id>", Short: "Set region properties", Args: exactArgs(1, "<region-id>")}
	f := cmd.Flags()
	f.StringVar(&parent, "parent-region", "", "new parent region ID")
	f.StringVar(&description, "description", "", "new region description")
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		body := identityv3.RegionUpdate{ParentRegionID: strPtr(parent), Description: strPtr(description)}
		if body.ParentRegionID == nil && body.Description == nil {
			_, err := getRegion(ctx, c, args[0])
			return err
		}
		_, err := c.Regions.Update(ctx, args[0], body)
		return notFound(err, "region", args[0])
	})
	return cmd
}
