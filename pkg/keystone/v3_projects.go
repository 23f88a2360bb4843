package keystone

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// ProjectsManager manages projects and their tags.
type ProjectsManager struct{ c *V3Client }

// Create creates a project.
func (m *ProjectsManager) Create(ctx context.Context, p identityv3.ProjectCreate) (*identityv3.Project, error) {
	e, err := call[identityv3.ProjectEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateProject(ctx, identityv3.ProjectCreateRequest{Project: p})
	})
	if err != nil {
		return nil, err
	}
	return &e.Project, nil
}

// Get returns a project; opts may ask for its parents or subtree.
func (m *ProjectsManager) Get(ctx context.Context, id string, opts *identityv3.GetProjectParams) (*identityv3.Project, error) {
	if opts != nil {
		o := *opts
		o.ParentsAsList, o.SubtreeAsList = flag(o.ParentsAsList), flag(o.SubtreeAsList)
		o.ParentsAsIds, o.SubtreeAsIds, o.IncludeLimits = flag(o.ParentsAsIds), flag(o.SubtreeAsIds), flag(o.IncludeLimits)
		opts = &o
	}
	e, err := call[identityv3.ProjectEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetProject(ctx, id, opts)
	})
	if err != nil {
		return nil, err
	}
	return &e.Project, nil
}

// Update changes a project.
func (m *ProjectsManager) Update(ctx context.Context, id string, u identityv3.ProjectUpdate) (*identityv3.Project, error) {
	e, err := call[identityv3.ProjectEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateProject(ctx, id, identityv3.ProjectUpdateRequest{Project: u})
	})
	if err != nil {
		return nil, err
	}
	return &e.Project, nil
}

// Delete deletes a project.
func (m *ProjectsManager) Delete(ctx context.Context, id string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteProject(ctx, id) })
}

// List lists projects, following the server's pages.
func (m *ProjectsManager) List(ctx context.Context, opts *identityv3.ListProjectsParams) iter.Seq2[identityv3.Project, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListProjects(ctx, opts) },
		func(l *identityv3.ProjectList) ([]identityv3.Project, *string) { return l.Projects, nextLink(l.Links) })
}

// ListAll collects List.
func (m *ProjectsManager) ListAll(ctx context.Context, opts *identityv3.ListProjectsParams) ([]identityv3.Project, error) {
	return Collect(m.List(ctx, opts))
}

// Find returns the project with this ID, or else the only one with this name
// (in domainID, if not empty). Several or no matches give *NoUniqueMatchError.
func (m *ProjectsManager) Find(ctx context.Context, nameOrID, domainID string) (*identityv3.Project, error) {
	return findOne(ctx, "project", nameOrID,
		func(ctx context.Context, id string) (*identityv3.Project, error) { return m.Get(ctx, id, nil) },
		func(ctx context.Context, name string) iter.Seq2[identityv3.Project, error] {
			p := &identityv3.ListProjectsParams{Name: &name}
			if domainID != "" {
				p.DomainID = &domainID
			}
			return m.List(ctx, p)
		})
}

// Tags returns a project's tags.
func (m *ProjectsManager) Tags(ctx context.Context, id string) ([]string, error) {
	e, err := call[identityv3.ProjectTagList](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListProjectTags(ctx, id) })
	if err != nil {
		return nil, err
	}
	return e.Tags, nil
}

// ReplaceTags sets a project's tags.
func (m *ProjectsManager) ReplaceTags(ctx context.Context, id string, tags []string) ([]string, error) {
	e, err := call[identityv3.ProjectTagList](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ReplaceProjectTags(ctx, id, identityv3.ProjectTagsReplaceRequest{Tags: tags})
	})
	if err != nil {
		return nil, err
	}
	return e.Tags, nil
}

// AddTag adds a tag to a project.
func (m *ProjectsManager) AddTag(ctx context.Context, id, tag string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.AddProjectTag(ctx, id, tag) })
}

// HasTag reports whether a project has a tag.
func (m *ProjectsManager) HasTag(ctx context.Context, id, tag string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.CheckProjectTag(ctx, id, tag) })
}

// DeleteTag removes a tag from a project.
func (m *ProjectsManager) DeleteTag(ctx context.Context, id, tag string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteProjectTag(ctx, id, tag) })
}

// DeleteTags removes all of a project's tags.
func (m *ProjectsManager) DeleteTags(ctx context.Context, id string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteProjectTags(ctx, id) })
}
