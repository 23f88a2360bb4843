package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// findService finds a service by ID, name or type, as openstack does.
func findService(ctx context.Context, c *identityv3.Client, nameTypeOrID string) (*identityv3.Service, error) {
	s, err := c.Services.Find(ctx, nameTypeOrID, nil)
	if err == nil {
		return s, nil
	}
	var nu *keystone.NoUniqueMatchError
	if errors.As(err, &nu) && nu.Count > 1 {
		return nil, fmt.Errorf("multiple service matches found for '%s', use an ID to be more specific", nameTypeOrID)
	}
	if !errors.Is(err, keystone.ErrNotFound) {
		return nil, err
	}
	byType, err := keystone.Collect(c.Services.List(ctx, &identityv3.ListServicesOptions{Type: &nameTypeOrID}))
	if err != nil {
		return nil, err
	}
	switch len(byType) {
	case 1:
		return &byType[0], nil
	case 0:
		return nil, fmt.Errorf("no service with a type, name or ID of '%s' exists", nameTypeOrID)
	}
	return nil, fmt.Errorf("multiple service matches found for '%s', use an ID to be more specific", nameTypeOrID)
}

// showService prints a service with the fields of openstack service show.
func showService(a *app, out *outputOptions, s *identityv3.Service) error {
	return out.printOne(a.stdout,
		[]string{"description", "enabled", "id", "name", "type"},
		[]any{strAny(s.Description), s.Enabled, s.ID, s.Name, s.Type})
}

func (a *app) serviceCommand() *cobra.Command {
	return group("service", "Manage services of the catalog",
		a.serviceList(), a.serviceShow(), a.serviceCreate(), a.serviceDelete(), a.serviceSet(), a.serviceProviderCommand())
}

func (a *app) serviceList() *cobra.Command {
	var long bool
	cmd := &cobra.Command{Use: "list", Short: "List services", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().BoolVar(&long, "long", false, "list additional fields in output")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		services, err := keystone.Collect(c.Services.List(ctx, nil))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Name", "Type"}
		if long {
			cols = append(cols, "Description", "Enabled")
		}
		rows := make([][]any, len(services))
		for i, s := range services {
			rows[i] = []any{s.ID, s.Name, s.Type}
			if long {
				rows[i] = append(rows[i], deref(s.Description), s.Enabled)
			}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

func (a *app) serviceShow() *cobra.Command {
	cmd := &cobra.Command{Use: "show <service>", Short: "Display service details", Args: exactArgs(1, "<service>")}
	out := addOutputFlags(cmd, false)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		s, err := findService(ctx, c, args[0])
		if err != nil {
			return err
		}
		return showService(a, out, s)
	})
	return cmd
}

func (a *app) serviceCreate() *cobra.Command {
	var name, description string
	var enable, disable bool
	cmd := &cobra.Command{Use: "create <type>", Short: "Create new service", Args: exactArgs(1, "<type>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "new service name")
	f.StringVar(&description, "description", "", "new service description")
	f.BoolVar(&enable, "enable", false, "enable service (default)")
	f.BoolVar(&disable, "disable", false, "disable service")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			body := identityv3.ServiceCreate{Type: args[0], Name: strPtr(name)}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			if enable || disable {
				enabled := enable
				body.Enabled = &enabled
			}
			s, err := c.Services.Create(ctx, body)
			if err != nil {
				return err
			}
			return showService(a, out, s)
		})(cmd, args)
	}
	return cmd
}

func (a *app) serviceDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <service> [<service> ...]", Short: "Delete service(s)", Args: minArgs(1, "<service>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "service", func(n string) error {
			s, err := findService(ctx, c, n)
			if err != nil {
				return err
			}
			return c.Services.Delete(ctx, s.ID)
		})
	})
	return cmd
}

// serviceSet is openstack service set: the changes given, in one PATCH. As
// openstack, an empty --type, --name or --description is ignored.
func (a *app) serviceSet() *cobra.Command {
	var typ, name, description string
	var enable, disable bool
	cmd := &cobra.Command{Use: "set <service>", Short: "Set service properties", Args: exactArgs(1, "<service>")}
	f := cmd.Flags()
	f.StringVar(&typ, "type", "", "new service type (compute, image, identity, volume, etc)")
	f.StringVar(&name, "name", "", "new service name")
	f.StringVar(&description, "description", "", "new service description")
	f.BoolVar(&enable, "enable", false, "enable service")
	f.BoolVar(&disable, "disable", false, "disable service")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			s, err := findService(ctx, c, args[0])
			if err != nil {
				return err
			}
			body := identityv3.ServiceUpdate{Type: strPtr(typ), Name: strPtr(name), Description: strPtr(description), Enabled: enabledFlag(enable, disable)}
			if body.Type == nil && body.Name == nil && body.Description == nil && body.Enabled == nil {
				return nil
			}
			_, err = c.Services.Update(ctx, s.ID, body)
			return err
		})(cmd, args)
	}
	return cmd
}
