package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"

	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// tokenTime formats a time as openstack prints a token's expiry.
func tokenTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05-0700")
}

func (a *app) tokenCommand() *cobra.Command {
	issue := &cobra.Command{
		Use:   "issue",
		Short: "Issue new token",
		Args:  noArgs,
	}
	out := addOutputFlags(issue, false)
	issue.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ai, err := a.access(cmd.Context())
		if err != nil {
			return err
		}
		// As openstack prints it: the token is the purpose of the command.
		fields := []string{"expires", "id"}
		values := []any{tokenTime(ai.ExpiresAt), ai.Token()}
		switch {
		case ai.Project != nil:
			fields = append(fields, "project_id")
			values = append(values, ai.Project.ID)
		case ai.Domain != nil:
			fields = append(fields, "domain_id")
			values = append(values, ai.Domain.ID)
		case ai.System:
			fields = append(fields, "system")
			values = append(values, "all")
		}
		if ai.User.ID != "" {
			fields = append(fields, "user_id")
			values = append(values, ai.User.ID)
		}
		return out.printOne(a.stdout, fields, values)
	}
	return group("token", "Issue and revoke tokens", issue, a.tokenRevoke())
}

func (a *app) catalogCommand() *cobra.Command {
	list := &cobra.Command{
		Use:   "list",
		Short: "List services in the service catalog",
		Args:  noArgs,
	}
	out := addOutputFlags(list, true)
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ai, err := a.access(cmd.Context())
		if err != nil {
			return err
		}
		type service struct {
			name, typ string
			eps       []endpointCell
		}
		var services []*service
		byID := map[string]*service{}
		if cat := ai.Catalog(); cat != nil {
			for _, ep := range cat.Endpoints() {
				key := ep.ServiceID + "\x00" + ep.ServiceType + "\x00" + ep.ServiceName
				s := byID[key]
				if s == nil {
					s = &service{name: ep.ServiceName, typ: ep.ServiceType}
					byID[key] = s
					services = append(services, s)
				}
				s.eps = append(s.eps, endpointCell{ID: ep.ID, Interface: ep.Interface, Region: ep.Region, RegionID: ep.RegionID, URL: ep.URL})
			}
		}
		rows := make([][]any, len(services))
		for i, s := range services {
			rows[i] = []any{s.name, s.typ, endpoints(s.eps)}
		}
		return out.printList(a.stdout, []string{"Name", "Type", "Endpoints"}, rows)
	}
	return group("catalog", "Show the service catalog", list, a.catalogShow())
}

// endpointCell is an endpoint as catalog list shows it in JSON and YAML.
type endpointCell struct {
	ID        string `json:"id" yaml:"id"`
	Interface string `json:"interface" yaml:"interface"`
	Region    string `json:"region" yaml:"region"`
	RegionID  string `json:"region_id" yaml:"region_id"`
	URL       string `json:"url" yaml:"url"`
}

// endpoints is the Endpoints column of catalog list: in a table, each
// endpoint as its region and "  interface: url", as openstack prints it.
type endpoints []endpointCell

func (e endpoints) String() string {
	var s string
	for _, ep := range e {
		region := ep.RegionID
		if region == "" {
			region = ep.Region
		}
		if region != "" {
			s += region + "\n"
		}
		s += "  " + ep.Interface + ": " + ep.URL + "\n"
	}
	return s
}

// tokenRevoke is openstack token revoke <token>. The token is never
// printed, not even in an error.
func (a *app) tokenRevoke() *cobra.Command {
	cmd := &cobra.Command{Use: "revoke <token>", Short: "Revoke existing token", Args: exactArgs(1, "<token>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		err := c.Tokens.Revoke(ctx, args[0])
		if errors.Is(err, keystone.ErrNotFound) {
			return errors.New("the token is not valid (unknown, expired or already revoked)")
		}
		if err != nil && strings.Contains(err.Error(), args[0]) {
			return errors.New(strings.ReplaceAll(oneLine(err), args[0], "<token>"))
		}
		return err
	})
	return cmd
}

// catalogEndpoint is an endpoint as catalog show prints it in JSON and YAML:
// the members of the token's catalog, in openstack's order.
type catalogEndpoint struct {
	ID        string `json:"id" yaml:"id"`
	Interface string `json:"interface" yaml:"interface"`
	RegionID  string `json:"region_id" yaml:"region_id"`
	URL       string `json:"url" yaml:"url"`
	Region    string `json:"region" yaml:"region"`
}

// catalogEndpoints is the endpoints field of catalog show: in a table, as
// catalog list prints its Endpoints column.
type catalogEndpoints []catalogEndpoint

func (e catalogEndpoints) String() string {
	cells := make(endpoints, len(e))
	for i, ep := range e {
		cells[i] = endpointCell{ID: ep.ID, Interface: ep.Interface, Region: ep.Region, RegionID: ep.RegionID, URL: ep.URL}
	}
	return cells.String()
}

// catalogShow is openstack catalog show <service>: the first service of the
// token's catalog whose name or type is <service>.
func (a *app) catalogShow() *cobra.Command {
	cmd := &cobra.Command{Use: "show <service>", Short: "Display service catalog details", Args: exactArgs(1, "<service>")}
	out := addOutputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ai, err := a.access(cmd.Context())
		if err != nil {
			return err
		}
		var id, name, typ string
		eps := catalogEndpoints{}
		found := false
		if cat := ai.Catalog(); cat != nil {
			for _, ep := range cat.Endpoints() {
				if !found {
					if ep.ServiceName != args[0] && ep.ServiceType != args[0] {
						continue
					}
					found, id, name, typ = true, ep.ServiceID, ep.ServiceName, ep.ServiceType
				}
				if ep.ServiceID != id || ep.ServiceName != name || ep.ServiceType != typ {
					continue
				}
				region := ep.Region
				if region == "" {
					region = ep.RegionID
				}
				eps = append(eps, catalogEndpoint{ID: ep.ID, Interface: ep.Interface, RegionID: ep.RegionID, URL: ep.URL, Region: region})
			}
		}
		if !found {
			return fmt.Errorf("service %s not found", args[0])
		}
		return out.printOne(a.stdout, []string{"endpoints", "id", "name", "type"}, []any{eps, id, name, typ})
	}
	return cmd
}

func (a *app) versionsCommand() *cobra.Command {
	return group("versions", "Show the API versions of the catalog's services", a.versionsShow())
}

// versionsShow is openstack versions show: the versions each endpoint of the
// token's catalog offers (public ones by default), read from its version
// discovery document.
func (a *app) versionsShow() *cobra.Command {
	var iface, region, service, status string
	var all bool
	cmd := &cobra.Command{Use: "show", Short: "Show available versions of services", Args: noArgs}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.BoolVar(&all, "all-interfaces", false, "show values for all interfaces")
	f.StringVar(&iface, "interface", "public", "show versions for a specific interface")
	f.StringVar(&region, "region-name", "", "show versions for a specific region")
	f.StringVar(&service, "service", "", "show versions for a specific service (its type in the catalog)")
	f.StringVar(&status, "status", "", "show versions for a specific status: SUPPORTED, CURRENT, DEPRECATED or EXPERIMENTAL")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := exclusive(cmd, "all-interfaces", "interface"); err != nil {
			return err
		}
		if err := out.validate(); err != nil {
			return err
		}
		ctx := cmd.Context()
		ai, err := a.access(ctx)
		if err != nil {
			return err
		}
		s, err := a.getSession()
		if err != nil {
			return err
		}
		// As keystoneauth's get_all_version_data: one entry per region,
		// interface and service type (the last endpoint wins).
		type key struct{ region, iface, typ string }
		var order []key
		found := map[key][][]any{}
		for _, ep := range ai.Catalog().Endpoints() {
			epRegion := ep.RegionID
			if epRegion == "" {
				epRegion = ep.Region
			}
			epIface := strings.TrimSuffix(ep.Interface, "URL")
			if (!all && epIface != iface) || (region != "" && epRegion != region && ep.Region != region) ||
				(service != "" && ep.ServiceType != service) {
				continue
			}
			rows, err := versionRows(ctx, s, ep.URL, epRegion, ep.ServiceType)
			if err != nil {
				if a.debug {
					fmt.Fprintf(a.stderr, "keystone: versions of %s: %v\n", ep.URL, oneLine(err))
				}
				continue
			}
			k := key{epRegion, epIface, ep.ServiceType}
			if _, ok := found[k]; !ok {
				order = append(order, k)
			}
			found[k] = rows
		}
		var rows [][]any
		for _, k := range order {
			for _, r := range found[k] {
				if status != "" && !strings.EqualFold(status, r[3].(string)) {
					continue
				}
				rows = append(rows, r)
			}
		}
		cols := []string{"Region Name", "Service Type", "Version", "Status", "Endpoint", "Min Microversion", "Max Microversion"}
		return out.printList(a.stdout, cols, rows)
	}
	return cmd
}

// versionRows discovers the versions offered at an endpoint's URL: the rows
// of versions show, oldest first as keystoneauth lists them.
func versionRows(ctx context.Context, s *keystone.Session, url, region, typ string) ([][]any, error) {
	d, err := s.Discover(ctx, url)
	if err != nil {
		return nil, err
	}
	micro := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	rows := make([][]any, 0, len(d.Versions))
	for i := len(d.Versions) - 1; i >= 0; i-- {
		v := d.Versions[i]
		rows = append(rows, []any{region, typ, v.Version.String(), versionStatus(v.Status), v.URL, micro(v.MinMicroversion), micro(v.MaxMicroversion)})
	}
	return rows, nil
}

// versionStatus normalizes a discovery status as keystoneauth does: upper
// case, STABLE as CURRENT, an unknown status as UNKNOWN.
func versionStatus(s string) string {
	switch s = strings.ToUpper(s); s {
	case "STABLE":
		return "CURRENT"
	case "CURRENT", "SUPPORTED", "DEPRECATED", "EXPERIMENTAL":
		return s
	}
	return "UNKNOWN"
}
