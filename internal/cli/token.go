package cli

import (
	"time"

	"github.com/spf13/cobra"
)

// tokenTime formats a time as openstack prints a token's expiry.
func tokenTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05-0700")
}

func (a *app) tokenCommand() *cobra.Command {
	issue := &cobra.Command{
		Use:   "issue",
		Short: "Issue new token",
		Args:  cobra.NoArgs,
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
	return group("token", "Issue tokens", issue)
}

func (a *app) catalogCommand() *cobra.Command {
	list := &cobra.Command{
		Use:   "list",
		Short: "List services in the service catalog",
		Args:  cobra.NoArgs,
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
	return group("catalog", "Show the service catalog", list)
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
