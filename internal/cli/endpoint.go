package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// endpointRegion is the region of an endpoint: region_id, else the legacy
// region.
func endpointRegion(e *identityv3.Endpoint) *string {
	if e.RegionID != nil {
		return e.RegionID
	}
	return e.Region
}

// showEndpoint prints an endpoint with the fields of openstack endpoint
// show, its service's name and type included.
func showEndpoint(ctx context.Context, a *app, c *identityv3.Client, out *outputOptions, e *identityv3.Endpoint) error {
	var name, typ any
	s, err := c.Services.Get(ctx, e.ServiceID)
	switch {
	case err == nil:
		name, typ = s.Name, s.Type
	case !errors.Is(err, keystone.ErrNotFound):
		return err
	}
	region := endpointRegion(e)
	return out.printOne(a.stdout,
		[]string{"enabled", "id", "interface", "region", "region_id", "service_id", "service_name", "service_type", "url"},
		[]any{e.Enabled, e.ID, e.Interface, strAny(region), strAny(region), e.ServiceID, name, typ, e.URL})
}

// findEndpoint finds an endpoint by ID.
func findEndpoint(ctx context.Context, c *identityv3.Client, id string) (*identityv3.Endpoint, error) {
	e, err := c.Endpoints.Find(ctx, id, nil)
	if err != nil {
		return nil, notFound(err, "endpoint", id)
	}
	return e, nil
}

func (a *app) endpointCommand() *cobra.Command {
	return group("endpoint", "Manage endpoints of the catalog",
		a.endpointList(), a.endpointShow(), a.endpointCreate(), a.endpointDelete(), a.endpointSet(), a.endpointGroupCommand())
}

func (a *app) endpointList() *cobra.Command {
	var service, iface, region string
	cmd := &cobra.Command{Use: "list", Short: "List endpoints", Args: noArgs}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&service, "service", "", "filter by service (type, name or ID)")
	f.StringVar(&iface, "interface", "", "filter by interface type (admin, public or internal)")
	f.StringVar(&region, "region", "", "filter by region ID")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		opts := &identityv3.ListEndpointsOptions{Interface: strPtr(iface), RegionID: strPtr(region)}
		if service != "" {
			s, err := findService(ctx, c, service)
			if err != nil {
				return err
			}
			opts.ServiceID = &s.ID
		}
		endpoints, err := keystone.Collect(c.Endpoints.List(ctx, opts))
		if err != nil {
			return err
		}
		services, err := keystone.Collect(c.Services.List(ctx, nil))
		if err != nil {
			return err
		}
		byID := map[string]identityv3.Service{}
		for _, s := range services {
			byID[s.ID] = s
		}
		cols := []string{"ID", "Region", "Service Name", "Service Type", "Enabled", "Interface", "URL"}
		rows := make([][]any, len(endpoints))
		for i, e := range endpoints {
			var name, typ any
			if s, ok := byID[e.ServiceID]; ok {
				name, typ = s.Name, s.Type
			}
			rows[i] = []any{e.ID, strAny(endpointRegion(&e)), name, typ, e.Enabled, e.Interface, e.URL}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

func (a *app) endpointShow() *cobra.Command {
	cmd := &cobra.Command{Use: "show <endpoint-id>", Short: "Display endpoint details", Args: exactArgs(1, "<endpoint-id>")}
	out := addOutputFlags(cmd, false)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		e, err := findEndpoint(ctx, c, args[0])
		if err != nil {
			return err
		}
		return showEndpoint(ctx, a, c, out, e)
	})
	return cmd
}

func (a *app) endpointCreate() *cobra.Command {
	var region string
	var enable, disable bool
	cmd := &cobra.Command{Use: "create <service> <interface> <url>", Short: "Create new endpoint", Args: exactArgs(3, "<service> <interface> <url>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&region, "region", "", "new endpoint region ID")
	f.BoolVar(&enable, "enable", false, "enable endpoint (default)")
	f.BoolVar(&disable, "disable", false, "disable endpoint")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		if err := out.validate(); err != nil {
			return err
		}
		switch args[1] {
		case "admin", "public", "internal":
		default:
			return usageErrorf("argument <interface>: invalid choice: %q (choose from admin, public, internal)", args[1])
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			s, err := findService(ctx, c, args[0])
			if err != nil {
				return err
			}
			body := identityv3.EndpointCreate{ServiceID: s.ID, Interface: args[1], URL: args[2], RegionID: strPtr(region)}
			if enable || disable {
				enabled := enable
				body.Enabled = &enabled
			}
			e, err := c.Endpoints.Create(ctx, body)
			if err != nil {
				return err
			}
			return showEndpoint(ctx, a, c, out, e)
		})(cmd, args)
	}
	return cmd
}

func (a *app) endpointDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <endpoint-id> [<endpoint-id> ...]", Short: "Delete endpoint(s)", Args: minArgs(1, "<endpoint-id>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "endpoint", func(n string) error {
			e, err := findEndpoint(ctx, c, n)
			if err != nil {
				return err
			}
			return c.Endpoints.Delete(ctx, e.ID)
		})
	})
	return cmd
}

// endpointSet is openstack endpoint set: the changes given, in one PATCH.
func (a *app) endpointSet() *cobra.Command {
	var region, iface, url, service string
	var enable, disable bool
	cmd := &cobra.Command{Use: "set <endpoint-id>", Short: "Set endpoint properties", Args: exactArgs(1, "<endpoint-id>")}
	f := cmd.Flags()
	f.StringVar(&region, "region", "", "new endpoint region ID")
	f.StringVar(&iface, "interface", "", "new endpoint interface type (admin, public or internal)")
	f.StringVar(&url, "url", "", "new endpoint URL")
	f.StringVar(&service, "service", "", "new endpoint service (name or ID)")
	f.BoolVar(&enable, "enable", false, "enable endpoint")
	f.BoolVar(&disable, "disable", false, "disable endpoint")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		switch iface {
		case "", "admin", "public", "internal":
		default:
			return usageErrorf("argument --interface: invalid choice: %q (choose from admin, public, internal)", iface)
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			e, err := findEndpoint(ctx, c, args[0])
			if err != nil {
				return err
			}
			body := identityv3.EndpointUpdate{RegionID: strPtr(region), Interface: strPtr(iface), URL: strPtr(url), Enabled: enabledFlag(enable, disable)}
			if service != "" {
				s, err := findService(ctx, c, service)
				if err != nil {
					return err
				}
				body.ServiceID = &s.ID
			}
			if body.RegionID == nil && body.Interface == nil && body.URL == nil && body.Enabled == nil && body.ServiceID == nil {
				return nil
			}
			_, err = c.Endpoints.Update(ctx, e.ID, body)
			return err
		})(cmd, args)
	}
	return cmd
}
