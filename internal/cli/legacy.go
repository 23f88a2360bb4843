package cli

import (
	"bufio"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
)

// The commands of the keystone shell of python-keystoneclient's v2_0
// (keystone tenant-list, user-role-add, …), kept with their options so that
// the scripts written for it still run. They speak Identity v2.0 whatever
// version the other commands use (Keystone accepts a v3 token there), and
// print as the other commands do (cliff's formats, -f json…), with the
// keystone shell's lower-case column names.

// legacyGroupID is the help group of the keystone shell's commands.
const legacyGroupID = "legacy"

// readPassword reads one line of standard input (the prompt is not shown:
// standard input may be a pipe).
func (a *app) readPassword(string) (string, error) {
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// legacyEnabled reads the keystone shell's --enabled true|false.
func legacyEnabled(f *pflag.FlagSet, v *string) {
	f.StringVar(v, "enabled", "", "initial state: true or false")
}

func parseEnabled(s string) (*bool, error) {
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, usageErrorf("--enabled %q: want true or false", s)
	}
	return &b, nil
}

// legacyCommands are the keystone shell's commands.
func (a *app) legacyCommands() []*cobra.Command {
	legacy := new(bool)
	cmds := []*cobra.Command{
		a.v2ProjectList("tenant-list", []string{"id", "name", "enabled"}),
		a.v2ProjectShow("tenant-get <tenant>"),
		a.legacyTenantCreate(),
		a.legacyTenantUpdate(),
		a.v2ProjectDelete("tenant-delete <tenant>"),
		a.v2UserList("user-list", []string{"id", "name", "enabled", "email"}),
		a.v2UserShow("user-get <user>"),
		a.legacyUserCreate(),
		a.legacyUserUpdate(),
		a.legacyUserPasswordUpdate(),
		a.v2UserDelete("user-delete <user>"),
		a.v2RoleList("role-list"),
		a.v2RoleShow("role-get <role>"),
		a.legacyRoleCreate(),
		a.v2RoleDelete("role-delete <role>"),
		a.v2RoleGrant("add", legacy),
		a.v2RoleGrant("remove", legacy),
		a.v2UserRoleList("user-role-list", legacy),
		a.legacyServiceCreate(),
		a.v2ServiceList("service-list"),
		a.v2ServiceShow("service-get <service>"),
		a.v2ServiceDelete("service-delete <service>"),
		a.v2EndpointList("endpoint-list"),
		a.legacyEndpointCreate(),
		a.v2EndpointDelete("endpoint-delete <endpoint-id>"),
		a.v2EC2Create("ec2-credentials-create", legacy),
		a.v2EC2Show("ec2-credentials-get", legacy),
		a.v2EC2List("ec2-credentials-list", legacy),
		a.v2EC2Delete("ec2-credentials-delete", legacy),
		a.legacyToken(),
	}
	for _, c := range cmds {
		c.GroupID = legacyGroupID
	}
	return cmds
}

func (a *app) legacyTenantCreate() *cobra.Command {
	var name, description, enabled string
	return a.v2Command(v2Spec{use: "tenant-create", short: "Create new tenant", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&name, "name", "", "new tenant name (required)")
			f.StringVar(&description, "description", "", "description of new tenant")
			legacyEnabled(f, &enabled)
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			en, err := parseEnabled(enabled)
			if err != nil {
				return err
			}
			if name == "" {
				return usageErrorf("--name is required")
			}
			t, err := tenantCreate(ctx, c, name, strPtr(description), en, false)
			if err != nil {
				return err
			}
			f, v := tenantFields(t)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) legacyTenantUpdate() *cobra.Command {
	var name, description, enabled string
	return a.v2Command(v2Spec{use: "tenant-update <tenant>", short: "Update tenant name, description, enabled status", nargs: 1, argNames: "<tenant>",
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&name, "name", "", "desired new name of tenant")
			f.StringVar(&description, "description", "", "desired new description of tenant")
			legacyEnabled(f, &enabled)
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			en, err := parseEnabled(enabled)
			if err != nil {
				return err
			}
			t, err := findTenant(ctx, c, args[0])
			if err != nil {
				return err
			}
			_, err = c.Tenants.Update(ctx, t.ID, identityv2.TenantUpdate{Name: strPtr(name), Description: strPtr(description), Enabled: en})
			return err
		}})
}

func (a *app) legacyUserCreate() *cobra.Command {
	var name, tenant, pass, email, enabled string
	return a.v2Command(v2Spec{use: "user-create", short: "Create new user", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&name, "name", "", "new user name (required)")
			f.StringVar(&tenant, "tenant", "", "new user default tenant (name or ID)")
			f.StringVar(&tenant, "tenant-id", "", "new user default tenant (name or ID)")
			f.StringVar(&pass, "pass", "", "new user password")
			f.StringVar(&email, "email", "", "new user email address")
			legacyEnabled(f, &enabled)
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			en, err := parseEnabled(enabled)
			if err != nil {
				return err
			}
			if name == "" {
				return usageErrorf("--name is required")
			}
			u, err := userCreateV2(ctx, c, name, tenant, pass, email, en)
			if err != nil {
				return err
			}
			f, v := userFields(u)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) legacyUserUpdate() *cobra.Command {
	var name, email, enabled string
	return a.v2Command(v2Spec{use: "user-update <user>", short: "Update user's name, email, and enabled status", nargs: 1, argNames: "<user>",
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&name, "name", "", "desired new user name")
			f.StringVar(&email, "email", "", "desired new email address")
			legacyEnabled(f, &enabled)
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			en, err := parseEnabled(enabled)
			if err != nil {
				return err
			}
			u, err := findUserV2(ctx, c, args[0])
			if err != nil {
				return err
			}
			return userSetV2(ctx, c, u.ID, name, "", "", email, en)
		}})
}

func (a *app) legacyUserPasswordUpdate() *cobra.Command {
	var pass string
	return a.v2Command(v2Spec{use: "user-password-update <user>", short: "Update user password", nargs: 1, argNames: "<user>",
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&pass, "pass", "", "desired new password (read from standard input if not given)")
		},
		run: func(ctx context.Context, c *identityv2.Client, args []string, _ *outputOptions) error {
			if pass == "" {
				var err error
				if pass, err = a.readPassword("New Password:"); err != nil {
					return err
				}
			}
			u, err := findUserV2(ctx, c, args[0])
			if err != nil {
				return err
			}
			return userSetV2(ctx, c, u.ID, "", "", pass, "", nil)
		}})
}

func (a *app) legacyRoleCreate() *cobra.Command {
	var name string
	return a.v2Command(v2Spec{use: "role-create", short: "Create new role", output: showOutput,
		flags: func(f *pflag.FlagSet) { f.StringVar(&name, "name", "", "name of new role (required)") },
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			if name == "" {
				return usageErrorf("--name is required")
			}
			r, err := c.Roles.Create(ctx, identityv2.CreateRoleBody{Name: name})
			if err != nil {
				return err
			}
			return out.printOne(a.stdout, []string{"id", "name"}, []any{r.ID, r.Name})
		}})
}

func (a *app) legacyServiceCreate() *cobra.Command {
	var typ, name, description string
	return a.v2Command(v2Spec{use: "service-create", short: "Add service to Service Catalog", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&typ, "type", "", "service type (one of: identity, compute, network, image, object-store, or other service identifier string) (required)")
			f.StringVar(&name, "name", "", "name of new service")
			f.StringVar(&description, "description", "", "description of service")
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			if typ == "" {
				return usageErrorf("--type is required")
			}
			s, err := c.Services.Create(ctx, identityv2.CreateServiceBody{Type: typ, Name: strPtr(name), Description: strPtr(description)})
			if err != nil {
				return err
			}
			f, v := serviceFields(s)
			return out.printOne(a.stdout, f, v)
		}})
}

func (a *app) legacyEndpointCreate() *cobra.Command {
	var region, service, public, admin, internal string
	return a.v2Command(v2Spec{use: "endpoint-create", short: "Create a new endpoint associated with a service", output: showOutput,
		flags: func(f *pflag.FlagSet) {
			f.StringVar(&region, "region", "regionOne", "endpoint region")
			f.StringVar(&service, "service", "", "name or ID of service associated with endpoint (required)")
			f.StringVar(&service, "service-id", "", "name or ID of service associated with endpoint (required)")
			f.StringVar(&public, "publicurl", "", "public URL endpoint (required)")
			f.StringVar(&admin, "adminurl", "", "admin URL endpoint")
			f.StringVar(&internal, "internalurl", "", "internal URL endpoint")
		},
		run: func(ctx context.Context, c *identityv2.Client, _ []string, out *outputOptions) error {
			if service == "" || public == "" {
				return usageErrorf("--service and --publicurl are required")
			}
			e, _, err := endpointCreateV2(ctx, c, service, public, admin, internal, region)
			if err != nil {
				return err
			}
			return out.printOne(a.stdout,
				[]string{"adminurl", "id", "internalurl", "publicurl", "region", "service_id"},
				[]any{strAny(e.Adminurl), e.ID, strAny(e.Internalurl), strAny(e.Publicurl), strAny(e.Region), strAny(e.ServiceID)})
		}})
}

// legacyToken is token-get: the token, its expiry, user and tenant.
func (a *app) legacyToken() *cobra.Command {
	cmd := &cobra.Command{Use: "token-get", Short: "Display the current user token", Args: exactArgs(0, "no argument")}
	out := addOutputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ai, err := a.access(cmd.Context())
		if err != nil {
			return err
		}
		var tenant any
		if ai.Project != nil {
			tenant = ai.Project.ID
		}
		return out.printOne(a.stdout, []string{"expires", "id", "tenant_id", "user_id"},
			[]any{tokenTime(ai.ExpiresAt), ai.Token(), tenant, ai.User.ID})
	}
	return cmd
}

// legacyCatalog makes `catalog` without a subcommand the keystone shell's
// catalog [--service <type>]: the token's endpoints, a row each (openstack's
// `catalog list` and `catalog show` stay as they are).
func (a *app) legacyCatalog(root *cobra.Command) {
	var cmd *cobra.Command
	for _, c := range root.Commands() {
		if c.Name() == "catalog" {
			cmd = c
		}
	}
	if cmd == nil {
		return
	}
	var service string
	cmd.Short += " (without a subcommand: the keystone shell's catalog [--service <type>])"
	cmd.Args = exactArgs(0, "a subcommand or no argument")
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&service, "service", "", "service type to return")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		ai, err := a.access(cmd.Context())
		if err != nil {
			return err
		}
		var rows [][]any
		if cat := ai.Catalog(); cat != nil {
			for _, ep := range cat.Endpoints() {
				if service != "" && ep.ServiceType != service {
					continue
				}
				rows = append(rows, []any{ep.ServiceType, ep.ServiceName, ep.Region, ep.Interface, ep.URL, ep.ID})
			}
		}
		return out.printList(a.stdout, []string{"type", "name", "region", "interface", "url", "id"}, rows)
	}
}
