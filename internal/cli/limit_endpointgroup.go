package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// readEndpointGroupFilters reads the JSON filters file of endpoint group
// create and set, such as {"interface": "admin", "service_id": "1b501a"}.
// Keystone accepts no other keys than interface, region_id and service_id.
func readEndpointGroupFilters(path string) (*identityv3.EndpointGroupFilters, error) {
	blob, err := readBlobFile(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader([]byte(blob)))
	d.DisallowUnknownFields()
	var f identityv3.EndpointGroupFilters
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("an error occurred when reading filters from file %s: %v", path, err)
	}
	if d.More() {
		return nil, fmt.Errorf("an error occurred when reading filters from file %s: extra data after the JSON object", path)
	}
	return &f, nil
}

// filtersAny is an endpoint group's filters as a plain map, as openstack
// prints them.
func filtersAny(f identityv3.EndpointGroupFilters) map[string]any {
	m := map[string]any{}
	if f.Interface != nil {
		m["interface"] = *f.Interface
	}
	if f.RegionID != nil {
		m["region_id"] = *f.RegionID
	}
	if f.ServiceID != nil {
		m["service_id"] = *f.ServiceID
	}
	return m
}

// showEndpointGroup prints an endpoint group with the fields of openstack
// endpoint group show.
func showEndpointGroup(a *app, out *outputOptions, g *identityv3.EndpointGroup) error {
	return out.printOne(a.stdout,
		[]string{"description", "filters", "id", "name"},
		[]any{strAny(g.Description), filtersAny(g.Filters), g.ID, g.Name})
}

// findEndpointGroup finds an endpoint group by name or ID.
func findEndpointGroup(ctx context.Context, c *identityv3.Client, nameOrID string) (*identityv3.EndpointGroup, error) {
	g, err := c.EndpointGroups.Find(ctx, nameOrID, nil)
	if err != nil {
		return nil, notFound(err, "endpoint group", nameOrID)
	}
	return g, nil
}

// endpointGroupCommand is `endpoint group …`.
func (a *app) endpointGroupCommand() *cobra.Command {
	return group("group", "Manage endpoint groups",
		a.endpointGroupList(), a.endpointGroupShow(), a.endpointGroupCreate(), a.endpointGroupSet(), a.endpointGroupDelete(),
		group("add", "Add to an endpoint group", a.endpointGroupProject("add")),
		group("remove", "Remove from an endpoint group", a.endpointGroupProject("remove")),
	)
}

// endpointGroupList is `endpoint group list [--endpointgroup <group> |
// --project <project> [--domain <domain>]]`: the endpoint groups, the
// projects of one endpoint group, or the endpoint groups of one project.
func (a *app) endpointGroupList() *cobra.Command {
	var endpointGroup, project, domain string
	cmd := &cobra.Command{Use: "list", Short: "List endpoint groups", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&endpointGroup, "endpointgroup", "", "list the projects of this endpoint group (name or ID)")
	// argparse takes any unambiguous prefix of an option: --endpoint is
	// the usual spelling of --endpointgroup.
	f.StringVar(&endpointGroup, "endpoint", "", "same as --endpointgroup")
	if err := f.MarkHidden("endpoint"); err != nil {
		panic(err)
	}
	f.StringVar(&project, "project", "", "list the endpoint groups of this project (name or ID)")
	f.StringVar(&domain, "domain", "", "domain owning <project> (name or ID)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if endpointGroup != "" && project != "" {
			return usageErrorf("argument --project: not allowed with argument --endpointgroup")
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
			cols := []string{"ID", "Name", "Description"}
			var rows [][]any
			switch {
			case endpointGroup != "":
				g, err := findEndpointGroup(ctx, c, endpointGroup)
				if err != nil {
					return err
				}
				projects, err := keystone.Collect(c.EndpointGroups.ListProjects(ctx, g.ID))
				if err != nil {
					return err
				}
				for _, p := range projects {
					rows = append(rows, []any{p.ID, p.Name, strAny(p.Description)})
				}
			case project != "":
				p, err := findProject(ctx, c, project, domain)
				if err != nil {
					return err
				}
				groups, err := keystone.Collect(c.EndpointGroups.ListForProject(ctx, p.ID))
				if err != nil {
					return err
				}
				for _, g := range groups {
					rows = append(rows, []any{g.ID, g.Name, strAny(g.Description)})
				}
			default:
				groups, err := keystone.Collect(c.EndpointGroups.List(ctx, nil))
				if err != nil {
					return err
				}
				for _, g := range groups {
					rows = append(rows, []any{g.ID, g.Name, strAny(g.Description)})
				}
			}
			return out.printList(a.stdout, cols, rows)
		})(cmd, args)
	}
	return cmd
}

// endpointGroupShow is `endpoint group show <endpointgroup>`.
func (a *app) endpointGroupShow() *cobra.Command {
	return showCommand(a, "<endpointgroup>", "Display endpoint group details", findEndpointGroup, showEndpointGroup)
}

// endpointGroupCreate is `endpoint group create <name> <filename>
// [--description]`, the filters being the file's JSON object.
func (a *app) endpointGroupCreate() *cobra.Command {
	var description string
	cmd := &cobra.Command{Use: "create <name> <filename>", Short: "Create new endpoint group", Args: exactArgs(2, "<name> <filename>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&description, "description", "", "description of the endpoint group")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		filters, err := readEndpointGroupFilters(args[1])
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			body := identityv3.EndpointGroupCreate{Name: args[0], Filters: *filters}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			g, err := c.EndpointGroups.Create(ctx, body)
			if err != nil {
				return err
			}
			return showEndpointGroup(a, out, g)
		})(cmd, args)
	}
	return cmd
}

// endpointGroupSet is `endpoint group set <endpointgroup> [--name]
// [--filters <filename>] [--description]`; as openstack's, it prints
// nothing.
func (a *app) endpointGroupSet() *cobra.Command {
	var name, filtersFile, description string
	cmd := &cobra.Command{Use: "set <endpointgroup>", Short: "Set endpoint group properties", Args: exactArgs(1, "<endpointgroup>")}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "new endpoint group name")
	f.StringVar(&filtersFile, "filters", "", "filename that contains a new set of filters")
	f.StringVar(&description, "description", "", "new endpoint group description")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		body := identityv3.EndpointGroupUpdate{Name: strPtr(name)}
		if filtersFile != "" {
			filters, err := readEndpointGroupFilters(filtersFile)
			if err != nil {
				return err
			}
			body.Filters = filters
		}
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			g, err := findEndpointGroup(ctx, c, args[0])
			if err != nil {
				return err
			}
			_, err = c.EndpointGroups.Update(ctx, g.ID, body)
			return err
		})(cmd, args)
	}
	return cmd
}

// endpointGroupDelete is `endpoint group delete <endpointgroup>...`.
func (a *app) endpointGroupDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <endpointgroup> [<endpointgroup> ...]", Short: "Delete endpoint group(s)", Args: minArgs(1, "<endpointgroup>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "endpoint group", func(n string) error {
			g, err := findEndpointGroup(ctx, c, n)
			if err != nil {
				return err
			}
			return c.EndpointGroups.Delete(ctx, g.ID)
		})
	})
	return cmd
}

// endpointGroupProject is endpoint group add project and endpoint group
// remove project (verb "add" or "remove"): <endpointgroup> <project>.
func (a *app) endpointGroupProject(verb string) *cobra.Command {
	var projectDomain string
	short := "Add a project to an endpoint group"
	if verb == "remove" {
		short = "Remove project from endpoint group"
	}
	cmd := &cobra.Command{Use: "project <endpointgroup> <project>", Short: short, Args: exactArgs(2, "<endpointgroup> <project>")}
	cmd.Flags().StringVar(&projectDomain, "project-domain", "", "domain the project belongs to (name or ID)")
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		g, err := findEndpointGroup(ctx, c, args[0])
		if err != nil {
			return err
		}
		p, err := findProject(ctx, c, args[1], projectDomain)
		if err != nil {
			return err
		}
		if verb == "remove" {
			return c.EndpointGroups.RemoveProject(ctx, g.ID, p.ID)
		}
		return c.EndpointGroups.AddProject(ctx, g.ID, p.ID)
	})
	return cmd
}
