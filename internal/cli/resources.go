package cli

import (
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

// fieldsOf returns a resource's members as openstack shows them: those of its
// JSON body but links, sorted by name, with defaults for the members
// Keystone always returns.
func fieldsOf(v any, defaults map[string]any) ([]string, []any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, nil, err
	}
	delete(m, "links")
	for k, d := range defaults {
		if _, ok := m[k]; !ok {
			m[k] = d
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return keys, vals, nil
}

// notFound rewrites a failed find as openstack words it.
func notFound(err error, kind, nameOrID string) error {
	var nu *keystone.NoUniqueMatchError
	if errors.As(err, &nu) {
		if nu.Count == 0 {
			return fmt.Errorf("no %s with a name or ID of '%s' exists", kind, nameOrID)
		}
		return fmt.Errorf("more than one %s exists with the name '%s'", kind, nameOrID)
	}
	if errors.Is(err, keystone.ErrNotFound) {
		return fmt.Errorf("no %s with a name or ID of '%s' exists", kind, nameOrID)
	}
	return err
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// findDomain finds a domain by name or ID.
func findDomain(ctx context.Context, c *identityv3.Client, nameOrID string) (*identityv3.Domain, error) {
	d, err := c.Domains.Find(ctx, nameOrID, nil)
	if err != nil {
		return nil, notFound(err, "domain", nameOrID)
	}
	return d, nil
}

// domainID resolves an optional --*-domain option to an ID.
func domainID(ctx context.Context, c *identityv3.Client, nameOrID string) (*string, error) {
	if nameOrID == "" {
		return nil, nil
	}
	d, err := findDomain(ctx, c, nameOrID)
	if err != nil {
		return nil, err
	}
	return &d.ID, nil
}

// findProject finds a project by name or ID, within a domain if given.
func findProject(ctx context.Context, c *identityv3.Client, nameOrID, domain string) (*identityv3.Project, error) {
	did, err := domainID(ctx, c, domain)
	if err != nil {
		return nil, err
	}
	p, err := c.Projects.Find(ctx, nameOrID, &identityv3.ListProjectsOptions{DomainID: did})
	if err != nil {
		return nil, notFound(err, "project", nameOrID)
	}
	return p, nil
}

// findUser finds a user by name or ID, within a domain if given.
func findUser(ctx context.Context, c *identityv3.Client, nameOrID, domain string) (*identityv3.User, error) {
	did, err := domainID(ctx, c, domain)
	if err != nil {
		return nil, err
	}
	u, err := c.Users.Find(ctx, nameOrID, &identityv3.ListUsersOptions{DomainID: did})
	if err != nil {
		return nil, notFound(err, "user", nameOrID)
	}
	return u, nil
}

// findGroup finds a group by name or ID, within a domain if given.
func findGroup(ctx context.Context, c *identityv3.Client, nameOrID, domain string) (*identityv3.Group, error) {
	did, err := domainID(ctx, c, domain)
	if err != nil {
		return nil, err
	}
	g, err := c.Groups.Find(ctx, nameOrID, &identityv3.ListGroupsOptions{DomainID: did})
	if err != nil {
		return nil, notFound(err, "group", nameOrID)
	}
	return g, nil
}

// findRole finds a role by name or ID (a domain-specific one if domain).
func findRole(ctx context.Context, c *identityv3.Client, nameOrID, domain string) (*identityv3.Role, error) {
	did, err := domainID(ctx, c, domain)
	if err != nil {
		return nil, err
	}
	r, err := c.Roles.Find(ctx, nameOrID, &identityv3.ListRolesOptions{DomainID: did})
	if err != nil {
		return nil, notFound(err, "role", nameOrID)
	}
	return r, nil
}

// domainScopedDelete is the `<noun> delete <name-or-id>...` command of a
// resource whose names are unique within a domain (--domain narrows the
// lookup); del finds one by name or ID and deletes it.
func (a *app) domainScopedDelete(noun, domainHelp string, del func(ctx context.Context, c *identityv3.Client, name, domain string) error) *cobra.Command {
	var domain string
	arg := "<" + noun + ">"
	cmd := &cobra.Command{Use: "delete " + arg + " [" + arg + " ...]", Short: "Delete " + noun + "(s)", Args: minArgs(1, arg)}
	cmd.Flags().StringVar(&domain, "domain", "", domainHelp)
	cmd.RunE = a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		return deleteAll(args, noun, func(n string) error { return del(ctx, c, n, domain) })
	})
	return cmd
}

// deleteAll deletes each named resource, as openstack's delete commands do,
// and reports the failures on one line.
func deleteAll(names []string, kind string, del func(string) error) error {
	var failed []string
	for _, n := range names {
		if err := del(n); err != nil {
			if len(names) == 1 {
				return err
			}
			failed = append(failed, fmt.Sprintf("%s: %s", n, oneLine(err)))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d %ss failed to delete (%s)", len(failed), len(names), kind, strings.Join(failed, "; "))
	}
	return nil
}

func isConflict(err error) bool {
	return errors.Is(err, keystone.ErrConflict)
}
