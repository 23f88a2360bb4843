package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

var projectDefaults = map[string]any{
	"description": "",
	"options":     map[string]any{},
	"parent_id":   nil,
	"tags":        []any{},
	"domain_id":   nil,
}

func showProject(a *app, out *outputOptions, p *identityv3.Project) error {
	fields, values, err := fieldsOf(p, projectDefaults)
	if err != nil {
		return err
	}
	return out.printOne(a.stdout, fields, values)
}

func (a *app) projectCommand() *cobra.Command {
	return group("project", "Manage projects",
		a.projectList(), a.projectShow(), a.projectCreate(), a.projectDelete(), a.projectSet())
}

func (a *app) projectList() *cobra.Command {
	var domain, user string
	var long bool
	cmd := &cobra.Command{Use: "list", Short: "List projects", Args: noArgs}
	out := addOutputFlags(cmd, true)
	cmd.Flags().StringVar(&domain, "domain", "", "filter projects by domain (name or ID)")
	cmd.Flags().StringVar(&user, "user", "", "filter projects by user (name or ID)")
	cmd.Flags().BoolVar(&long, "long", false, "list additional fields in output")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, _ []string) error {
		did, err := domainID(ctx, c, domain)
		if err != nil {
			return err
		}
		var projects []identityv3.Project
		if user != "" {
			u, err := findUser(ctx, c, user, "")
			if err != nil {
				return err
			}
			projects, err = keystone.Collect(c.Users.ListProjects(ctx, u.ID, &identityv3.ListUserProjectsOptions{DomainID: did}))
			if err != nil {
				return err
			}
		} else {
			projects, err = keystone.Collect(c.Projects.List(ctx, &identityv3.ListProjectsOptions{DomainID: did}))
			if err != nil {
				return err
			}
		}
		cols := []string{"ID", "Name"}
		if long {
			cols = append(cols, "Domain ID", "Description", "Enabled")
		}
		rows := make([][]any, len(projects))
		for i, p := range projects {
			rows[i] = []any{p.ID, p.Name}
			if long {
				rows[i] = append(rows[i], deref(p.DomainID), deref(p.Description), p.Enabled)
			}
		}
		return out.printList(a.stdout, cols, rows)
	})
	return cmd
}

func (a *app) projectShow() *cobra.Command {
	var domain string
	cmd := &cobra.Command{Use: "show <project>", Short: "Display project details", Args: exactArgs(1, "<project>")}
	out := addOutputFlags(cmd, false)
	cmd.Flags().StringVar(&domain, "domain", "", "domain owning the project (name or ID)")
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
		p, err := findProject(ctx, c, args[0], domain)
		if err != nil {
			return err
		}
		return showProject(a, out, p)
	})
	return cmd
}

func (a *app) projectCreate() *cobra.Command {
	var domain, description, parent string
	var enable, disable, orExist bool
	var tags []string
	cmd := &cobra.Command{Use: "create <project-name>", Short: "Create new project", Args: exactArgs(1, "<project-name>")}
	out := addOutputFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&domain, "domain", "", "domain owning the project (name or ID)")
	f.StringVar(&description, "description", "", "project description")
	f.StringVar(&parent, "parent", "", "parent of the project (name or ID)")
	f.BoolVar(&enable, "enable", false, "enable project")
	f.BoolVar(&disable, "disable", false, "disable project")
	f.BoolVar(&orExist, "or-show", false, "return existing project")
	f.StringArrayVar(&tags, "tag", nil, "tag to be added to the project (repeat option to set multiple tags)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		return a.runV3(out, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			body := identityv3.ProjectCreate{Name: args[0], Tags: tags}
			if cmd.Flags().Changed("description") {
				body.Description = &description
			}
			did, err := domainID(ctx, c, domain)
			if err != nil {
				return err
			}
			body.DomainID = did
			if parent != "" {
				pp, err := findProject(ctx, c, parent, domain)
				if err != nil {
					return err
				}
				body.ParentID = &pp.ID
			}
			if enable || disable {
				enabled := enable
				body.Enabled = &enabled
			}
			p, err := c.Projects.Create(ctx, body)
			if err != nil && orExist && isConflict(err) {
				p, err = findExisting(ctx, c, args[0], body.DomainID)
			}
			if err != nil {
				return err
			}
			return showProject(a, out, p)
		})(cmd, args)
	}
	return cmd
}

func findExisting(ctx context.Context, c *identityv3.Client, name string, did *string) (*identityv3.Project, error) {
	p, err := c.Projects.Find(ctx, name, &identityv3.ListProjectsOptions{DomainID: did})
	if err != nil {
		return nil, notFound(err, "project", name)
	}
	return p, nil
}

func (a *app) projectDelete() *cobra.Command {
	return a.domainScopedDelete("project", "domain owning the project(s) (name or ID)", func(ctx context.Context, c *identityv3.Client, name, domain string) error {
		p, err := findProject(ctx, c, name, domain)
		if err != nil {
			return err
		}
		return c.Projects.Delete(ctx, p.ID)
	})
}

// projectSet is openstack project set: the changes given, in one PATCH (and,
// to clear the tags, a DELETE of the project's tags). It prints nothing.
func (a *app) projectSet() *cobra.Command {
	var name, domain, description string
	var enable, disable, immutable, noImmutable, clearTags bool
	var props, tags, removeTags []string
	cmd := &cobra.Command{Use: "set <project>", Short: "Set project properties", Args: exactArgs(1, "<project>")}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "set project name")
	f.StringVar(&domain, "domain", "", "domain owning <project> (name or ID)")
	f.StringVar(&description, "description", "", "set project description")
	f.BoolVar(&enable, "enable", false, "enable project")
	f.BoolVar(&disable, "disable", false, "disable project")
	f.StringArrayVar(&props, "property", nil, "set a property on <project> (repeat option to set multiple properties)")
	f.BoolVar(&immutable, "immutable", false, "make resource immutable")
	f.BoolVar(&noImmutable, "no-immutable", false, "make resource mutable (default)")
	f.StringArrayVar(&tags, "tag", nil, "tag to be added to the project (repeat option to set multiple tags)")
	f.BoolVar(&clearTags, "clear-tags", false, "clear tags associated with the project (with --tag: overwrite the current tags)")
	f.StringArrayVar(&removeTags, "remove-tag", nil, "tag to be deleted from the project (repeat option to delete multiple tags)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := exclusive(cmd, "enable", "disable"); err != nil {
			return err
		}
		if err := exclusive(cmd, "immutable", "no-immutable"); err != nil {
			return err
		}
		extra, err := parseProperties(props)
		if err != nil {
			return err
		}
		return a.runV3(nil, func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error {
			p, err := findProject(ctx, c, args[0], domain)
			if err != nil {
				return err
			}
			body := identityv3.ProjectUpdate{Name: strPtr(name), Description: strPtr(description), Enabled: enabledFlag(enable, disable), Extra: extra}
			if v := boolPair(immutable, noImmutable); v != nil {
				body.Options = map[string]any{"immutable": *v}
			}
			// As openstack's update_tags_in_args: --clear-tags empties, then
			// --remove-tag removes (and --tag is ignored), else --tag adds.
			current, tagsChanged := p.Tags, false
			if clearTags {
				current, tagsChanged = nil, true
			}
			switch {
			case len(removeTags) > 0:
				var kept []string
				for _, t := range current {
					if !contains(removeTags, t) {
						kept = append(kept, t)
					}
				}
				current, tagsChanged = sortedSet(kept), true
			case len(tags) > 0:
				current, tagsChanged = sortedSet(append(append([]string{}, current...), tags...)), true
			}
			// ProjectUpdate.Tags is omitempty: an empty list cannot be sent in
			// the PATCH, so clearing goes through DELETE /v3/projects/{id}/tags.
			if tagsChanged && len(current) > 0 {
				body.Tags = current
			}
			if body.Name != nil || body.Description != nil || body.Enabled != nil || body.Options != nil || body.Tags != nil || len(body.Extra) > 0 {
				if _, err := c.Projects.Update(ctx, p.ID, body); err != nil {
					return err
				}
			}
			if tagsChanged && len(current) == 0 && len(p.Tags) > 0 {
				return c.Projects.DeleteTags(ctx, p.ID)
			}
			return nil
		})(cmd, args)
	}
	return cmd
}
