package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// credAccessRule is an access rule of an application credential with its
// members in the order Keystone (and so openstack) prints them.
type credAccessRule struct {
	ID      string `json:"id" yaml:"id"`
	Service string `json:"service" yaml:"service"`
	Path    string `json:"path" yaml:"path"`
	Method  string `json:"method" yaml:"method"`
}

// credAccessRules are the access_rules of an application credential.
type credAccessRules []credAccessRule

// String renders the rules as Python's repr() of Keystone's list of dicts,
// as openstack prints them in a table: members in Keystone's order.
func (rs credAccessRules) String() string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = "{'id': " + pyRepr(r.ID) + ", 'service': " + pyRepr(r.Service) +
			", 'path': " + pyRepr(r.Path) + ", 'method': " + pyRepr(r.Method) + "}"
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// credExpiration parses an --expiration as openstack does
// (YYYY-mm-ddTHH:MM:SS, UTC) into the form keystoneclient sends.
func credExpiration(s string) (*string, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		return nil, usageErrorf("invalid --expiration %q: format of YYYY-mm-ddTHH:MM:SS", s)
	}
	v := t.Format("2006-01-02T15:04:05.000000Z")
	return &v, nil
}

// showAppCred prints an application credential as openstack does: the
// members Keystone returns but links, the roles as their names separated by
// spaces. The secret is printed only when withSecret (create).
func showAppCred(a *app, out *outputOptions, ac *identityv3.ApplicationCredential, withSecret bool) error {
	m, err := credFieldMap(ac, map[string]any{
		"description": nil, "expires_at": nil, "project_id": nil, "system": nil, "unrestricted": nil,
	})
	if err != nil {
		return err
	}
	delete(m, "secret")
	if withSecret && ac.Secret != nil {
		m["secret"] = *ac.Secret
	}
	names := make([]string, len(ac.Roles))
	for i, r := range ac.Roles {
		names[i] = r.Name
	}
	m["roles"] = strings.Join(names, " ")
	if _, ok := m["access_rules"]; ok {
		rules := make(credAccessRules, len(ac.AccessRules))
		for i, r := range ac.AccessRules {
			rules[i] = credAccessRule{ID: r.ID, Service: r.Service, Path: r.Path, Method: r.Method}
		}
		m["access_rules"] = rules
	}
	return credPrintFields(a, out, m)
}

// findAppCred finds one of the user's application credentials by name or ID.
func findAppCred(ctx context.Context, c *identityv3.Client, userID, nameOrID string) (*identityv3.ApplicationCredential, error) {
	ac, err := c.ApplicationCredentials.Find(ctx, userID, nameOrID, nil)
	if err != nil {
		return nil, notFound(err, "application credential", nameOrID)
	}
	return ac, nil
}

// appCredList is application credential list [--user <user>
// [--user-domain <domain>]]: the session user's unless --user.
func (a *app) appCredList() *cobra.Command {
	var user, userDomain string
	cmd := &cobra.Command{Use: "list", Short: "List application credentials", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&user, "user", "", "user whose application credentials to list (name or ID)")
	f.StringVar(&userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		uid, err := a.credUserID(ctx, c, user, userDomain)
		if err != nil {
			return err
		}
		acs, err := keystone.Collect(c.ApplicationCredentials.List(ctx, uid, nil))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Name", "Project ID", "Description", "Expires At"}
		rows := make([][]any, len(acs))
		for i, ac := range acs {
			rows[i] = []any{ac.ID, ac.Name, strAny(ac.ProjectID), strAny(ac.Description), strAny(ac.ExpiresAt)}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// appCredShow is application credential show <application-credential>:
// one of the session user's, by name or ID, without its secret.
func (a *app) appCredShow() *cobra.Command {
	cmd := &cobra.Command{Use: "show <application-credential>", Short: "Display application credential details", Args: exactArgs(1, "<application-credential>")}
	out := addOutputFlags(cmd, false)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		uid, err := a.credCurrentUserID(ctx)
		if err != nil {
			return err
		}
		ac, err := findAppCred(ctx, c, uid, args[0])
		if err != nil {
			return err
		}
		return showAppCred(a, out, ac, false)
	})
	return cmd
}

// credAccessRulesArg reads --access-rules as openstack does: a JSON list of
// rules, or the name of a file holding one.
func credAccessRulesArg(s string) ([]identityv3.ApplicationCredentialAccessRuleCreate, error) {
	var rules []identityv3.ApplicationCredentialAccessRuleCreate
	if err := json.Unmarshal([]byte(s), &rules); err == nil {
		return rules, nil
	}
	data, err := os.ReadFile(s)
	if err != nil {
		return nil, usageErrorf("access rules is not valid JSON string or file does not exist")
	}
	if err := json.Unmarshal(data, &rules); err != nil {
		return nil, usageErrorf("access rules file %s: %v", s, err)
	}
	return rules, nil
}

// appCredCreate is application credential create <name> [--secret
// <secret>] [--role <role>]... [--expiration <expiration>] [--description
// <description>] [--unrestricted|--restricted] [--access-rules
// <access-rules>]. It prints the secret, the only command that does.
func (a *app) appCredCreate() *cobra.Command {
	var secret, expiration, description, accessRules string
	var roles []string
	var unrestricted, restricted bool
	cmd := &cobra.Command{Use: "create <name>", Short: "Create new application credential", Args: exactArgs(1, "<name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&secret, "secret", "", "secret to use for authentication (if not provided, one will be generated)")
	f.StringArrayVar(&roles, "role", nil, "roles to authorize (name or ID) (repeat option to set multiple values)")
	f.StringVar(&expiration, "expiration", "", "sets an expiration date for the application credential, format of YYYY-mm-ddTHH:MM:SS (if not provided, the application credential will not expire)")
	f.StringVar(&description, "description", "", "application credential description")
	f.BoolVar(&unrestricted, "unrestricted", false, "enable application credential to create and delete other application credentials and trusts (this is potentially dangerous behavior and is disabled by default)")
	f.BoolVar(&restricted, "restricted", false, "prohibit application credential from creating and deleting other application credentials and trusts (this is the default behavior)")
	f.StringVar(&accessRules, "access-rules", "", `either a string or file path containing a JSON-formatted list of access rules, each containing a request method, path, and service, for example '[{"method": "GET", "path": "/v2.1/servers", "service": "compute"}]'`)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		expires, err := credExpiration(expiration)
		if err != nil {
			return err
		}
		body := identityv3.ApplicationCredentialCreate{Name: args[0], ExpiresAt: expires, Secret: strPtr(secret)}
		if accessRules != "" {
			if body.AccessRules, err = credAccessRulesArg(accessRules); err != nil {
				return err
			}
		}
		if cmd.Flags().Changed("description") {
			body.Description = &description
		}
		// As openstack: --restricted wins, and the flag is always sent.
		unr := unrestricted && !restricted
		body.Unrestricted = &unr
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			ai, err := a.access(ctx)
			if err != nil {
				return err
			}
			if len(roles) > 0 {
				// As openstack: the roles are those of the token (a subset of
				// its roles on its project), found there by name or ID.
				for _, r := range roles {
					id := r
					for _, tr := range ai.Roles {
						if tr.Name == r || tr.ID == r {
							id = tr.ID
							break
						}
					}
					body.Roles = append(body.Roles, identityv3.ApplicationCredentialRoleRef{ID: &id})
				}
			}
			ac, err := c.ApplicationCredentials.Create(ctx, ai.User.ID, body)
			if err != nil {
				return err
			}
			return showAppCred(a, out, ac, true)
		})(cmd, args)
	}
	return cmd
}

// appCredDelete is application credential delete
// <application-credential>...: the session user's, by name or ID.
func (a *app) appCredDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <application-credential> [<application-credential> ...]", Short: "Delete application credentials(s)", Args: minArgs(1, "<application-credential>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		uid, err := a.credCurrentUserID(ctx)
		if err != nil {
			return err
		}
		return deleteAll(args, "application credential", func(n string) error {
			ac, err := findAppCred(ctx, c, uid, n)
			if err != nil {
				return err
			}
			return notFound(c.ApplicationCredentials.Delete(ctx, uid, ac.ID), "application credential", n)
		})
	})
	return cmd
}

// getAccessRule gets one of the user's access rules by ID.
func getAccessRule(ctx context.Context, c *identityv3.Client, userID, id string) (*identityv3.AccessRule, error) {
	r, err := c.AccessRules.Get(ctx, userID, id)
	if err != nil {
		return nil, notFound(err, "access rule", id)
	}
	return r, nil
}

// accessRuleList is access rule list [--user <user> [--user-domain
// <domain>]]: the session user's unless --user.
func (a *app) accessRuleList() *cobra.Command {
	var user, userDomain string
	cmd := &cobra.Command{Use: "list", Short: "List access rules", Args: exactArgs(0, "no arguments")}
	out := addOutputFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&user, "user", "", "user whose access rules to list (name or ID)")
	f.StringVar(&userDomain, "user-domain", "", "domain the user belongs to (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		uid, err := a.credUserID(ctx, c, user, userDomain)
		if err != nil {
			return err
		}
		rules, err := keystone.Collect(c.AccessRules.List(ctx, uid, nil))
		if err != nil {
			return err
		}
		cols := []string{"ID", "Service", "Method", "Path"}
		rows := make([][]any, len(rules))
		for i, r := range rules {
			rows[i] = []any{r.ID, r.Service, r.Method, r.Path}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

// accessRuleShow is access rule show <access-rule>: one of the session
// user's, by ID.
func (a *app) accessRuleShow() *cobra.Command {
	cmd := &cobra.Command{Use: "show <access-rule>", Short: "Display access rule details", Args: exactArgs(1, "<access-rule>")}
	out := addOutputFlags(cmd, false)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		uid, err := a.credCurrentUserID(ctx)
		if err != nil {
			return err
		}
		r, err := getAccessRule(ctx, c, uid, args[0])
		if err != nil {
			return err
		}
		m, err := credFieldMap(r, nil)
		if err != nil {
			return err
		}
		return credPrintFields(a, out, m)
	})
	return cmd
}

// accessRuleDelete is access rule delete <access-rule>...: the session
// user's, by ID.
func (a *app) accessRuleDelete() *cobra.Command {
	cmd := &cobra.Command{Use: "delete <access-rule> [<access-rule> ...]", Short: "Delete access rule(s)", Args: minArgs(1, "<access-rule>")}
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		uid, err := a.credCurrentUserID(ctx)
		if err != nil {
			return err
		}
		return deleteAll(args, "access rule", func(id string) error {
			return notFound(c.AccessRules.Delete(ctx, uid, id), "access rule", id)
		})
	})
	return cmd
}
