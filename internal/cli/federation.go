package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// listColumn is a list of strings as cliff's ListColumn shows it: a list in
// JSON and YAML, its items joined by ", " in tables and values.
type listColumn []string

// String joins the items as ListColumn's human_readable does.
func (l listColumn) String() string { return strings.Join(l, ", ") }

// MarshalJSON encodes the list, an empty one as [] (never null).
func (l listColumn) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(l))
}

// readRemoteIDs reads --remote-id-file: one remote ID a line, each trimmed;
// blank lines are skipped.
func readRemoteIDs(path string) ([]string, error) {
	blob, err := readBlobFile(path)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, line := range strings.Split(blob, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			ids = append(ids, line)
		}
	}
	return ids, nil
}

// remoteIDs returns the remote IDs of --remote-id or --remote-id-file, and
// whether either was given.
func remoteIDs(cmd *cobra.Command, ids []string, file string) ([]string, bool, error) {
	if cmd.Flags().Changed("remote-id-file") {
		fromFile, err := readRemoteIDs(file)
		return fromFile, true, err
	}
	return ids, cmd.Flags().Changed("remote-id"), nil
}

// readRules reads a --rules file: a JSON list of mapping rules. Members the
// rules language does not have are refused here, as Keystone would refuse
// them, rather than silently dropped.
func readRules(path string) ([]identityv3.MappingRule, error) {
	blob, err := readBlobFile(path)
	if err != nil {
		return nil, err
	}
	fail := func(err error) error {
		return fmt.Errorf("an error occurred when reading rules from file %s: %v", path, err)
	}
	var raw any
	if err := json.Unmarshal([]byte(blob), &raw); err != nil {
		return nil, fail(err)
	}
	if _, ok := raw.([]any); !ok {
		return nil, fail(errors.New("the rules must be a JSON list"))
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(blob)))
	dec.DisallowUnknownFields()
	var rules []identityv3.MappingRule
	if err := dec.Decode(&rules); err != nil {
		return nil, fail(err)
	}
	return rules, nil
}

// federationCommands are the commands of identity providers, mappings and
// federation protocols.
func (a *app) federationCommands() []*cobra.Command {
	return []*cobra.Command{
		group("identity", "Manage identity providers (federation)",
			group("provider", "Manage identity providers",
				a.identityProviderList(), a.identityProviderShow(), a.identityProviderCreate(),
				a.identityProviderSet(), a.identityProviderDelete())),
		group("mapping", "Manage federation mappings",
			a.mappingList(), a.mappingShow(), a.mappingCreate(), a.mappingSet(), a.mappingDelete()),
		group("federation", "Manage federation protocols",
			group("protocol", "Manage federation protocols",
				a.protocolList(), a.protocolShow(), a.protocolCreate(), a.protocolSet(), a.protocolDelete())),
	}
}

// showIdentityProvider prints an identity provider with the fields of
// openstack identity provider show.
func showIdentityProvider(a *app, out *outputOptions, p *identityv3.IdentityProvider) error {
	var ttl any
	if p.AuthorizationTtl != nil {
		ttl = *p.AuthorizationTtl
	}
	return out.printOne(a.stdout,
		[]string{"authorization_ttl", "description", "domain_id", "enabled", "id", "remote_ids"},
		[]any{ttl, strAny(p.Description), p.DomainID, p.Enabled, p.ID, listColumn(p.RemoteIDs)})
}

// getIdentityProvider gets an identity provider by ID.
func getIdentityProvider(ctx context.Context, c *identityv3.Client, id string) (*identityv3.IdentityProvider, error) {
	p, err := c.IdentityProviders.Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "identity provider", id)
	}
	return p, nil
}

// identityProviderList is `identity provider list [--id <id>] [--enabled]`.
func (a *app) identityProviderList() *cobra.Command {
	var id string
	var enabled bool
	cmd := &cobra.Command{Use: "list", Short: "List identity providers", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&id, "id", "", "the identity providers' ID attribute")
	cmd.Flags().BoolVar(&enabled, "enabled", false, "list only enabled identity providers")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		opts := &identityv3.ListIdentityProvidersOptions{ID: strPtr(id)}
		if enabled {
			opts.Enabled = &enabled
		}
		idps, err := keystone.Collect(c.IdentityProviders.List(ctx, opts))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Enabled", "Domain ID", "Description"}
		rows := make([][]any, len(idps))
		for i, p := range idps {
			rows[i] = []any{p.ID, p.Enabled, p.DomainID, strAny(p.Description)}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// identityProviderShow is `identity provider show <identity-provider>`.
func (a *app) identityProviderShow() *cobra.Command {
	return showCommand(a, "<identity-provider>", "Display identity provider details", getIdentityProvider, showIdentityProvider)
}

// identityProviderCreate is `identity provider create <name>`, enabled
// unless --disable, as openstack creates them.
func (a *app) identityProviderCreate() *cobra.Command {
	var ids []string
	var idFile, description, domain string
	var ttl int
	var enable, disable bool
	cmd := &cobra.Command{Use: "create <name>", Short: "Create new identity provider", Args: exactArgs(1, "<name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringArrayVar(&ids, "remote-id", nil, "remote ID to associate with the identity provider (repeat option to provide multiple values)")
	f.StringVar(&idFile, "remote-id-file", "", "name of a file that contains many remote IDs to associate with the identity provider, one per line")
	f.StringVar(&description, "description", "", "new identity provider description")
	f.StringVar(&domain, "domain", "", "domain to associate with the identity provider (name or ID); if not specified, a domain will be created automatically")
	f.IntVar(&ttl, "authorization-ttl", 0, "minutes to keep the group memberships of users authenticating through this identity provider (default: Keystone's [federation] default_authorization_ttl)")
	f.BoolVar(&enable, "enable", false, "enable identity provider (default)")
	f.BoolVar(&disable, "disable", false, "disable the identity provider")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "remote-id", "remote-id-file"); err != nil {
			return err
		}
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		if err := out.validate(); err != nil {
			return err
		}
		remote, _, err := remoteIDs(cmd, ids, idFile)
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			enabled := !disable
			body := identityv3.IdentityProviderCreate{RemoteIDs: remote, Enabled: &enabled}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			if cmd.Flags().Changed("authorization-ttl") {
				body.AuthorizationTtl = &ttl
			}
			if body.DomainID, err = domainID(ctx, c, domain); err != nil {
				return err
			}
			p, err := c.IdentityProviders.Create(ctx, args[0], body)
			if err != nil {
				return err
			}
			return showIdentityProvider(a, out, p)
		})(cmd, args)
	}
	return cmd
}

// identityProviderSet is `identity provider set <identity-provider>`; like
// openstack's, it prints nothing, and with no option Keystone refuses the
// empty change.
func (a *app) identityProviderSet() *cobra.Command {
	var ids []string
	var idFile, description string
	var ttl int
	var enable, disable bool
	cmd := &cobra.Command{Use: "set <identity-provider>", Short: "Set identity provider properties", Args: exactArgs(1, "<identity-provider>")}
	f := cmd.Flags()
	f.StringVar(&description, "description", "", "set identity provider description")
	f.StringArrayVar(&ids, "remote-id", nil, "remote ID to associate with the identity provider (repeat option to provide multiple values); replaces the list")
	f.StringVar(&idFile, "remote-id-file", "", "name of a file that contains many remote IDs to associate with the identity provider, one per line; replaces the list")
	f.IntVar(&ttl, "authorization-ttl", 0, "minutes to keep the group memberships of users authenticating through this identity provider")
	f.BoolVar(&enable, "enable", false, "enable the identity provider")
	f.BoolVar(&disable, "disable", false, "disable the identity provider")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "remote-id", "remote-id-file"); err != nil {
			return err
		}
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		remote, given, err := remoteIDs(cmd, ids, idFile)
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			var body identityv3.IdentityProviderUpdate
			if given {
				if len(remote) == 0 {
					body.Null = append(body.Null, "remote_ids")
				} else {
					body.RemoteIDs = remote
				}
			}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			if cmd.Flags().Changed("authorization-ttl") {
				body.AuthorizationTtl = &ttl
			}
			if enable || disable {
				enabled := enable
				body.Enabled = &enabled
			}
			_, err = c.IdentityProviders.Update(ctx, args[0], body)
			return notFound(err, "identity provider", args[0])
		})(cmd, args)
	}
	return cmd
}

// identityProviderDelete is `identity provider delete <identity-provider>...`.
func (a *app) identityProviderDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <identity-provider> [<identity-provider> ...]", Short: "Delete identity provider(s)", Args: minArgs(1, "<identity-provider>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "identity provider", func(n string) error {
			return notFound(c.IdentityProviders.Delete(ctx, n), "identity provider", n)
		})
	})
	return cmd
}

// showMapping prints a mapping with the fields of openstack mapping show:
// all its members but links (id, rules and, from Keystone 25,
// schema_version).
func showMapping(a *app, out *outputOptions, m *identityv3.Mapping) error {
	fields, values, err := fieldsOf(m, map[string]any{"rules": []any{}})
	if err != nil {
		return err
	}
	return out.printOne(a.stdout, fields, values)
}

// mappingList is `mapping list`.
func (a *app) mappingList() *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List mappings", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		mappings, err := keystone.Collect(c.Mappings.List(ctx))
		if err != nil {
			return err
		}
		rows := make([][]any, len(mappings))
		for i, m := range mappings {
			rows[i] = []any{m.ID}
		}
		return out.printList(a.stdout, []string{"ID"}, rows)
	})
	return cmd
}

// mappingShow is `mapping show <mapping>`.
func (a *app) mappingShow() *cobra.Command {
	return showCommand(a, "<mapping>", "Display mapping details", func(ctx context.Context, c *identityv3.Client, id string) (*identityv3.Mapping, error) {
		m, err := c.Mappings.Get(ctx, id)
		return m, notFound(err, "mapping", id)
	}, showMapping)
}

// mappingCreate is `mapping create <name> --rules <filename>`.
func (a *app) mappingCreate() *cobra.Command {
	var rulesFile string
	cmd := &cobra.Command{Use: "create <name> --rules <filename>", Short: "Create new mapping", Args: exactArgs(1, "<name>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&rulesFile, "rules", "", "filename that contains a set of mapping rules (JSON) (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "rules"); err != nil {
			return err
		}
		if err := out.validate(); err != nil {
			return err
		}
		rules, err := readRules(rulesFile)
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			m, err := c.Mappings.Create(ctx, args[0], identityv3.MappingCreate{Rules: rules})
			if err != nil {
				return err
			}
			return showMapping(a, out, m)
		})(cmd, args)
	}
	return cmd
}

// mappingSet is `mapping set <name> --rules <filename>`: it replaces the
// rules and prints nothing. --rules is required here (openstack fails
// without it too, with a Python TypeError).
func (a *app) mappingSet() *cobra.Command {
	var rulesFile string
	cmd := &cobra.Command{Use: "set <name> --rules <filename>", Short: "Set mapping properties", Args: exactArgs(1, "<name>")}
	cmd.Flags().StringVar(&rulesFile, "rules", "", "filename that contains a new set of mapping rules (JSON)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "rules"); err != nil {
			return err
		}
		rules, err := readRules(rulesFile)
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			_, err = c.Mappings.Update(ctx, args[0], identityv3.MappingCreate{Rules: rules})
			return notFound(err, "mapping", args[0])
		})(cmd, args)
	}
	return cmd
}

// mappingDelete is `mapping delete <mapping>...`.
func (a *app) mappingDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <mapping> [<mapping> ...]", Short: "Delete mapping(s)", Args: minArgs(1, "<mapping>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "mapping", func(n string) error {
			return notFound(c.Mappings.Delete(ctx, n), "mapping", n)
		})
	})
	return cmd
}

// showProtocol prints a federation protocol as openstack does: the members
// Keystone returned but links, mapping_id renamed mapping, and with
// identityProvider (unless empty) as identity_provider, sorted by name.
func showProtocol(a *app, out *outputOptions, p *identityv3.FederationProtocol, identityProvider string) error {
	m := map[string]any{"id": p.ID, "mapping": p.MappingID}
	if identityProvider != "" {
		m["identity_provider"] = identityProvider
	}
	if p.IdPID != nil {
		m["idp_id"] = *p.IdPID
	}
	if p.RemoteIDAttribute != nil {
		m["remote_id_attribute"] = *p.RemoteIDAttribute
	}
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

// protocolFlag adds the --identity-provider option every federation
// protocol command requires.
func protocolFlag(cmd *cobra.Command, idp *string) {
	cmd.Flags().StringVar(idp, "identity-provider", "", "identity provider that supports the federation protocol (name or ID) (required)")
}

// protocolList is `federation protocol list --identity-provider <idp>`.
func (a *app) protocolList() *cobra.Command {
	var idp string
	cmd := &cobra.Command{Use: "list --identity-provider <identity-provider>", Short: "List federation protocols", Args: noArgs}
	out := addOutputFlags(cmd, true)
	protocolFlag(cmd, &idp)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "identity-provider"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
			protocols, err := keystone.Collect(c.IdentityProviders.ListProtocols(ctx, idp))
			if err != nil {
				return err
			}
			rows := make([][]any, len(protocols))
			for i, p := range protocols {
				rows[i] = []any{p.ID, p.MappingID}
			}
			return out.printList(a.stdout, []string{"id", "mapping"}, rows)
		})(cmd, args)
	}
	return cmd
}

// protocolShow is `federation protocol show <federation-protocol>
// --identity-provider <idp>`.
func (a *app) protocolShow() *cobra.Command {
	var idp string
	cmd := &cobra.Command{Use: "show <federation-protocol> --identity-provider <identity-provider>", Short: "Display federation protocol details", Args: exactArgs(1, "<federation-protocol>")}
	out := addOutputFlags(cmd, false)
	protocolFlag(cmd, &idp)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "identity-provider"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			p, err := c.IdentityProviders.GetProtocol(ctx, idp, args[0])
			if err != nil {
				return protocolNotFound(err, idp, args[0])
			}
			return showProtocol(a, out, p, "")
		})(cmd, args)
	}
	return cmd
}

// protocolNotFound rewrites a 404 about a protocol as one line naming the
// identity provider.
func protocolNotFound(err error, idp, protocol string) error {
	if errors.Is(err, keystone.ErrNotFound) {
		return fmt.Errorf("no federation protocol '%s' exists for identity provider '%s'", protocol, idp)
	}
	return err
}

// protocolCreate is `federation protocol create <name> --identity-provider
// <idp> --mapping <mapping>`.
func (a *app) protocolCreate() *cobra.Command {
	var idp, mapping string
	cmd := &cobra.Command{Use: "create <name> --identity-provider <identity-provider> --mapping <mapping>", Short: "Create new federation protocol", Args: exactArgs(1, "<name>")}
	out := addOutputFlags(cmd, false)
	protocolFlag(cmd, &idp)
	cmd.Flags().StringVar(&mapping, "mapping", "", "mapping that is to be used (name or ID) (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "identity-provider", "mapping"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			p, err := c.IdentityProviders.CreateProtocol(ctx, idp, args[0], identityv3.FederationProtocolCreate{MappingID: mapping})
			if err != nil {
				return err
			}
			return showProtocol(a, out, p, idp)
		})(cmd, args)
	}
	return cmd
}

// protocolSet is `federation protocol set <name> --identity-provider <idp>
// --mapping <mapping>`; it prints nothing. --mapping, the only thing to
// change, is required here (Keystone refuses the empty change openstack
// sends without it).
func (a *app) protocolSet() *cobra.Command {
	var idp, mapping string
	cmd := &cobra.Command{Use: "set <name> --identity-provider <identity-provider> --mapping <mapping>", Short: "Set federation protocol properties", Args: exactArgs(1, "<name>")}
	protocolFlag(cmd, &idp)
	cmd.Flags().StringVar(&mapping, "mapping", "", "mapping that is to be used (name or ID)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "identity-provider", "mapping"); err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			_, err := c.IdentityProviders.UpdateProtocol(ctx, idp, args[0], identityv3.FederationProtocolUpdate{MappingID: mapping})
			return protocolNotFound(err, idp, args[0])
		})(cmd, args)
	}
	return cmd
}

// protocolDelete is `federation protocol delete <federation-protocol>...
// --identity-provider <idp>`.
func (a *app) protocolDelete() *cobra.Command {
	var idp string
	cmd := &cobra.Command{Use: "delete <federation-protocol> [<federation-protocol> ...] --identity-provider <identity-provider>", Short: "Delete federation protocol(s)", Args: minArgs(1, "<federation-protocol>")}
	protocolFlag(cmd, &idp)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "identity-provider"); err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			return deleteAll(args, "federation protocol", func(n string) error {
				return protocolNotFound(c.IdentityProviders.DeleteProtocol(ctx, idp, n), idp, n)
			})
		})(cmd, args)
	}
	return cmd
}

// serviceProviderCommand is `service provider …`.
func (a *app) serviceProviderCommand() *cobra.Command {
	return group("provider", "Manage service providers",
		a.serviceProviderList(), a.serviceProviderShow(), a.serviceProviderCreate(),
		a.serviceProviderSet(), a.serviceProviderDelete())
}

// showServiceProvider prints a service provider with the fields of openstack
// service provider show.
func showServiceProvider(a *app, out *outputOptions, s *identityv3.ServiceProvider) error {
	return out.printOne(a.stdout,
		[]string{"auth_url", "description", "enabled", "id", "relay_state_prefix", "sp_url"},
		[]any{s.AuthURL, strAny(s.Description), s.Enabled, s.ID, s.RelayStatePrefix, s.SPURL})
}

// serviceProviderList is `service provider list`.
func (a *app) serviceProviderList() *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List service providers", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		sps, err := keystone.Collect(c.ServiceProviders.List(ctx, nil))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Enabled", "Description", "Auth URL"}
		rows := make([][]any, len(sps))
		for i, s := range sps {
			rows[i] = []any{s.ID, s.Enabled, strAny(s.Description), s.AuthURL}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// serviceProviderShow is `service provider show <service-provider>`.
func (a *app) serviceProviderShow() *cobra.Command {
	return showCommand(a, "<service-provider>", "Display service provider details", func(ctx context.Context, c *identityv3.Client, id string) (*identityv3.ServiceProvider, error) {
		s, err := c.ServiceProviders.Get(ctx, id)
		return s, notFound(err, "service provider", id)
	}, showServiceProvider)
}

// serviceProviderCreate is `service provider create <name> --auth-url
// <auth-url> --service-provider-url <sp-url>`, enabled unless --disable, as
// openstack creates them.
func (a *app) serviceProviderCreate() *cobra.Command {
	var authURL, spURL, description string
	var enable, disable bool
	cmd := &cobra.Command{Use: "create <name> --auth-url <auth-url> --service-provider-url <sp-url>", Short: "Create new service provider", Args: exactArgs(1, "<name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&authURL, "auth-url", "", "authentication URL of remote federated service provider (required)")
	f.StringVar(&description, "description", "", "new service provider description")
	f.StringVar(&spURL, "service-provider-url", "", "a service URL where SAML assertions are being sent (required)")
	f.BoolVar(&enable, "enable", false, "enable the service provider (default)")
	f.BoolVar(&disable, "disable", false, "disable the service provider")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "auth-url", "service-provider-url"); err != nil {
			return err
		}
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			enabled := !disable
			body := identityv3.ServiceProviderCreate{AuthURL: authURL, SPURL: spURL, Enabled: &enabled}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			s, err := c.ServiceProviders.Create(ctx, args[0], body)
			if err != nil {
				return err
			}
			return showServiceProvider(a, out, s)
		})(cmd, args)
	}
	return cmd
}

// serviceProviderSet is `service provider set <service-provider>`; like
// openstack's, it prints nothing, and with no option Keystone refuses the
// empty change.
func (a *app) serviceProviderSet() *cobra.Command {
	var authURL, spURL, description string
	var enable, disable bool
	cmd := &cobra.Command{Use: "set <service-provider>", Short: "Set service provider properties", Args: exactArgs(1, "<service-provider>")}
	f := cmd.Flags()
	f.StringVar(&authURL, "auth-url", "", "new authentication URL of remote federated service provider")
	f.StringVar(&description, "description", "", "new service provider description")
	f.StringVar(&spURL, "service-provider-url", "", "new service provider URL, where SAML assertions are sent")
	f.BoolVar(&enable, "enable", false, "enable the service provider")
	f.BoolVar(&disable, "disable", false, "disable the service provider")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			var body identityv3.ServiceProviderUpdate
			if cmd.Flags().Changed("auth-url") {
				body.AuthURL = &authURL
			}
			if cmd.Flags().Changed("service-provider-url") {
				body.SPURL = &spURL
			}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			if enable || disable {
				enabled := enable
				body.Enabled = &enabled
			}
			_, err := c.ServiceProviders.Update(ctx, args[0], body)
			return notFound(err, "service provider", args[0])
		})(cmd, args)
	}
	return cmd
}

// serviceProviderDelete is `service provider delete <service-provider>...`.
func (a *app) serviceProviderDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <service-provider> [<service-provider> ...]", Short: "Delete service provider(s)", Args: minArgs(1, "<service-provider>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, "service provider", func(n string) error {
			return notFound(c.ServiceProviders.Delete(ctx, n), "service provider", n)
		})
	})
	return cmd
}
