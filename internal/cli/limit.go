package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// limitCommands are the commands of limits, registered limits, implied roles
// and policies: the nouns limit, registered limit, implied role and policy.
func (a *app) limitCommands() []*cobra.Command {
	return []*cobra.Command{
		a.limitCommand(),
		group("registered", "Manage registered limits", a.registeredLimitCommand()),
		group("implied", "Manage implied roles", a.impliedRoleCommand()),
		a.policyCommand(),
	}
}

// limitRegion resolves the --region option of the limit commands as
// openstack does: nil when not given or when it says None, else the ID of
// the region, which must exist.
func limitRegion(ctx context.Context, c *identityv3.Client, region string) (*string, error) {
	if region == "" || strings.Contains(region, "None") {
		return nil, nil
	}
	r, err := getRegion(ctx, c, region)
	if err != nil {
		return nil, err
	}
	return &r.ID, nil
}

// limitServiceRegion resolves the --service (when given: nil when not) and
// --region options of the limit list and set commands, in that order.
func limitServiceRegion(ctx context.Context, c *identityv3.Client, service, region string) (serviceID, regionID *string, err error) {
	if service != "" {
		s, err := findService(ctx, c, service)
		if err != nil {
			return nil, nil, err
		}
		serviceID = &s.ID
	}
	regionID, err = limitRegion(ctx, c, region)
	return serviceID, regionID, err
}

// showLimit prints a limit with the fields of openstack limit show.
func showLimit(a *app, out *outputOptions, l *identityv3.Limit) error {
	return out.printOne(a.stdout,
		[]string{"description", "domain_id", "id", "project_id", "region_id", "resource_limit", "resource_name", "service_id"},
		[]any{strAny(l.Description), strAny(l.DomainID), l.ID, strAny(l.ProjectID), strAny(l.RegionID), l.ResourceLimit, l.ResourceName, l.ServiceID})
}

// getLimitMembers gets a limit by ID with every member Keystone returns, as
// openstack limit show prints them: Keystone 22 adds to GET
// /v3/limits/{limit_id} the limit's project (or domain) when its cache is
// on, a member identityv3.Limit has no room for (it keeps no undeclared
// members), hence this plain request through the client's session.
func getLimitMembers(ctx context.Context, c *identityv3.Client, id string) (map[string]any, error) {
	resp, err := c.Session().Request(ctx, keystone.Request{
		Method: "GET",
		URL:    strings.TrimSuffix(c.Endpoint(), "/") + "/v3/limits/" + url.PathEscape(id),
	})
	if err != nil {
		return nil, notFound(err, "limit", id)
	}
	defer resp.Body.Close()
	var body struct {
		Limit map[string]any `json:"limit"`
	}
	d := json.NewDecoder(resp.Body)
	d.UseNumber()
	if err := d.Decode(&body); err != nil {
		return nil, fmt.Errorf("GET limit %s: %v", id, err)
	}
	if body.Limit == nil {
		return nil, fmt.Errorf("GET limit %s: no limit in the response", id)
	}
	delete(body.Limit, "links")
	return plainNumbers(body.Limit).(map[string]any), nil
}

// plainNumbers replaces the json.Numbers of a decoded JSON value with ints
// (or float64s), which every output format prints as numbers.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainNumbers(e)
		}
	}
	return v
}

// showMembers prints a resource's members sorted by name, as openstack's
// show commands print a resource's _info.
func showMembers(a *app, out *outputOptions, m map[string]any) error {
	fields := make([]string, 0, len(m))
	for k := range m {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	values := make([]any, len(fields))
	for i, k := range fields {
		values[i] = m[k]
	}
	return out.printOne(a.stdout, fields, values)
}

// limitCommand is `limit …`: project limits.
func (a *app) limitCommand() *cobra.Command {
	return group("limit", "Manage limits",
		a.limitList(), a.limitShow(), a.limitCreate(), a.limitSet(), a.limitDelete())
}

// limitList is `limit list`.
func (a *app) limitList() *cobra.Command {
	var service, resourceName, region, project string
	cmd := &cobra.Command{Use: "list", Short: "List limits", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&service, "service", "", "service responsible for the resource to limit")
	f.StringVar(&resourceName, "resource-name", "", "the name of the resource to limit")
	f.StringVar(&region, "region", "", "region for the registered limit to affect")
	f.StringVar(&project, "project", "", "list resource limits associated with project")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		sid, rid, err := limitServiceRegion(ctx, c, service, region)
		if err != nil {
			return err
		}
		opts := &identityv3.ListLimitsOptions{ResourceName: strPtr(resourceName), ServiceID: sid, RegionID: rid}
		if project != "" {
			p, err := findProject(ctx, c, project, "")
			if err != nil {
				return err
			}
			opts.ProjectID = &p.ID
		}
		limits, err := keystone.Collect(c.Limits.List(ctx, opts))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Project ID", "Service ID", "Resource Name", "Resource Limit", "Description", "Region ID"}
		rows := make([][]any, len(limits))
		for i, l := range limits {
			rows[i] = []any{l.ID, strAny(l.ProjectID), l.ServiceID, l.ResourceName, l.ResourceLimit, strAny(l.Description), strAny(l.RegionID)}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// limitShow is `limit show <limit-id>`.
func (a *app) limitShow() *cobra.Command {
	return showCommand(a, "<limit-id>", "Display limit details", getLimitMembers, showMembers)
}

// limitCreate is `limit create --project --service --resource-limit
// <resource-name>`.
func (a *app) limitCreate() *cobra.Command {
	var description, region, project, service string
	var resourceLimit int
	cmd := &cobra.Command{Use: "create <resource-name>", Short: "Create a limit", Args: exactArgs(1, "<resource-name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&description, "description", "", "description of the limit")
	f.StringVar(&region, "region", "", "region for the limit to affect")
	f.StringVar(&project, "project", "", "project to associate the resource limit to (required)")
	f.StringVar(&service, "service", "", "service responsible for the resource to limit (required)")
	f.IntVar(&resourceLimit, "resource-limit", 0, "the resource limit for the project to assume (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "project", "service", "resource-limit"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			p, err := findProject(ctx, c, project, "")
			if err != nil {
				return err
			}
			s, err := findService(ctx, c, service)
			if err != nil {
				return err
			}
			body := identityv3.LimitCreate{ProjectID: &p.ID, ServiceID: s.ID, ResourceName: args[0], ResourceLimit: resourceLimit}
			if body.RegionID, err = limitRegion(ctx, c, region); err != nil {
				return err
			}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			created, err := c.Limits.Create(ctx, []identityv3.LimitCreate{body})
			if err != nil {
				return err
			}
			if len(created) != 1 {
				return fmt.Errorf("keystone created %d limits, expected 1", len(created))
			}
			return showLimit(a, out, &created[0])
		})(cmd, args)
	}
	return cmd
}

// limitSet is `limit set <limit-id> [--description] [--resource-limit]`.
func (a *app) limitSet() *cobra.Command {
	var description string
	var resourceLimit int
	cmd := &cobra.Command{Use: "set <limit-id>", Short: "Update information about a limit", Args: exactArgs(1, "<limit-id>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&description, "description", "", "description of the limit")
	f.IntVar(&resourceLimit, "resource-limit", 0, "the resource limit for the project to assume")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		var body identityv3.LimitUpdate
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		if cmd.Flags().Changed("resource-limit") {
			body.ResourceLimit = &resourceLimit
		}
		l, err := c.Limits.Update(ctx, args[0], body)
		if err != nil {
			return notFound(err, "limit", args[0])
		}
		return showLimit(a, out, l)
	})
	return cmd
}

// limitDelete is `limit delete <limit-id>...`.
func (a *app) limitDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <limit-id> [<limit-id> ...]", Short: "Delete a limit", Args: minArgs(1, "<limit-id>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "limit", func(id string) error {
			return notFound(c.Limits.Delete(ctx, id), "limit", id)
		})
	})
	return cmd
}

// showRegisteredLimit prints a registered limit with the fields of openstack
// registered limit show.
func showRegisteredLimit(a *app, out *outputOptions, l *identityv3.RegisteredLimit) error {
	return out.printOne(a.stdout,
		[]string{"default_limit", "description", "id", "region_id", "resource_name", "service_id"},
		[]any{l.DefaultLimit, strAny(l.Description), l.ID, strAny(l.RegionID), l.ResourceName, l.ServiceID})
}

// registeredLimitCommand is `registered limit …`.
func (a *app) registeredLimitCommand() *cobra.Command {
	return group("limit", "Manage registered limits",
		a.registeredLimitList(), a.registeredLimitShow(), a.registeredLimitCreate(), a.registeredLimitSet(), a.registeredLimitDelete())
}

// registeredLimitList is `registered limit list`.
func (a *app) registeredLimitList() *cobra.Command {
	var service, resourceName, region string
	cmd := &cobra.Command{Use: "list", Short: "List registered limits", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&service, "service", "", "service responsible for the resource to limit")
	f.StringVar(&resourceName, "resource-name", "", "the name of the resource to limit")
	f.StringVar(&region, "region", "", "region for the limit to affect")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		sid, rid, err := limitServiceRegion(ctx, c, service, region)
		if err != nil {
			return err
		}
		opts := &identityv3.ListRegisteredLimitsOptions{ResourceName: strPtr(resourceName), ServiceID: sid, RegionID: rid}
		limits, err := keystone.Collect(c.RegisteredLimits.List(ctx, opts))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Service ID", "Resource Name", "Default Limit", "Description", "Region ID"}
		rows := make([][]any, len(limits))
		for i, l := range limits {
			rows[i] = []any{l.ID, l.ServiceID, l.ResourceName, l.DefaultLimit, strAny(l.Description), strAny(l.RegionID)}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// registeredLimitShow is `registered limit show <registered-limit-id>`.
func (a *app) registeredLimitShow() *cobra.Command {
	return showCommand(a, "<registered-limit-id>", "Display registered limit details", func(ctx context.Context, c *identityv3.Client, id string) (*identityv3.RegisteredLimit, error) {
		l, err := c.RegisteredLimits.Get(ctx, id)
		return l, notFound(err, "registered limit", id)
	}, showRegisteredLimit)
}

// registeredLimitCreate is `registered limit create --service
// --default-limit <resource-name>`.
func (a *app) registeredLimitCreate() *cobra.Command {
	var description, region, service string
	var defaultLimit int
	cmd := &cobra.Command{Use: "create <resource-name>", Short: "Create a registered limit", Args: exactArgs(1, "<resource-name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&description, "description", "", "description of the registered limit")
	f.StringVar(&region, "region", "", "region for the registered limit to affect")
	f.StringVar(&service, "service", "", "service responsible for the resource to limit (required)")
	f.IntVar(&defaultLimit, "default-limit", 0, "the default limit for the resources to assume (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "service", "default-limit"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			s, err := findService(ctx, c, service)
			if err != nil {
				return err
			}
			body := identityv3.RegisteredLimitCreate{ServiceID: s.ID, ResourceName: args[0], DefaultLimit: defaultLimit}
			if body.RegionID, err = limitRegion(ctx, c, region); err != nil {
				return err
			}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			created, err := c.RegisteredLimits.Create(ctx, []identityv3.RegisteredLimitCreate{body})
			if err != nil {
				return err
			}
			if len(created) != 1 {
				return fmt.Errorf("keystone created %d registered limits, expected 1", len(created))
			}
			return showRegisteredLimit(a, out, &created[0])
		})(cmd, args)
	}
	return cmd
}

// registeredLimitSet is `registered limit set <registered-limit-id>
// [--service] [--resource-name] [--default-limit] [--description]
// [--region]`.
func (a *app) registeredLimitSet() *cobra.Command {
	var service, resourceName, description, region string
	var defaultLimit int
	cmd := &cobra.Command{Use: "set <registered-limit-id>", Short: "Update information about a registered limit", Args: exactArgs(1, "<registered-limit-id>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&service, "service", "", "service to be updated responsible for the resource to limit")
	f.StringVar(&resourceName, "resource-name", "", "resource to be updated responsible for the resource to limit")
	f.IntVar(&defaultLimit, "default-limit", 0, "the default limit for the resources to assume")
	f.StringVar(&description, "description", "", "description to update of the registered limit")
	f.StringVar(&region, "region", "", "region for the registered limit to affect")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		sid, rid, err := limitServiceRegion(ctx, c, service, region)
		if err != nil {
			return err
		}
		body := identityv3.RegisteredLimitUpdate{ResourceName: strPtr(resourceName), ServiceID: sid, RegionID: rid}
		if cmd.Flags().Changed("default-limit") {
			body.DefaultLimit = &defaultLimit
		}
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		l, err := c.RegisteredLimits.Update(ctx, args[0], body)
		if err != nil {
			return notFound(err, "registered limit", args[0])
		}
		return showRegisteredLimit(a, out, l)
	})
	return cmd
}

// registeredLimitDelete is `registered limit delete
// <registered-limit-id>...`.
func (a *app) registeredLimitDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <registered-limit-id> [<registered-limit-id> ...]", Short: "Delete a registered limit", Args: minArgs(1, "<registered-limit-id>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "registered limit", func(id string) error {
			return notFound(c.RegisteredLimits.Delete(ctx, id), "registered limit", id)
		})
	})
	return cmd
}
