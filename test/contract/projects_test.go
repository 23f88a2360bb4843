//go:build integration

package contract

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

func TestProjects(t *testing.T) {
	tag := uniq("tag")
	parent := newProject(t, v3.ProjectCreate{
		Description: nullable.NewNullableWithValue("contract parent"),
		Tags:        []v3.Tag{tag, "shared"},
		AdditionalProperties: map[string]interface{}{
			"ct_extra": "kept", // Keystone keeps unknown attributes
		},
	})
	child := newProject(t, v3.ProjectCreate{ParentID: nullable.NewNullableWithValue(parent.ID), Enabled: ptr(false)})

	t.Run("create returns what was asked", func(t *testing.T) {
		if parent.DomainID.MustGet() != ks.Domain || !parent.Enabled || parent.IsDomain {
			t.Errorf("unexpected project %+v", parent)
		}
		if parent.Description.MustGet() != "contract parent" {
			t.Errorf("description = %v", parent.Description)
		}
		if v, ok := parent.Get("ct_extra"); !ok || v != "kept" {
			t.Errorf("extra attribute lost: %v", parent.AdditionalProperties)
		}
		if !slices.Contains(parent.Tags, tag) {
			t.Errorf("tags = %v", parent.Tags)
		}
		if child.ParentID.MustGet() != parent.ID || child.Enabled {
			t.Errorf("child = %+v", child)
		}
	})

	t.Run("getProject", func(t *testing.T) {
		r, err := adm.GetProjectWithResponse(t.Context(), parent.ID, nil)
		expect(t, r, err, 200)
		if r.JSON200.Project.ID != parent.ID || r.JSON200.Project.Links.Self == "" {
			t.Errorf("got %+v", r.JSON200.Project)
		}
		if v, _ := r.JSON200.Project.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute not returned by get: %v", r.JSON200.Project.AdditionalProperties)
		}
	})

	t.Run("getProject hierarchy flags", func(t *testing.T) {
		for _, p := range []v3.GetProjectParams{
			{SubtreeAsList: ptr(true)}, {SubtreeAsIds: ptr(true)},
		} {
			r, err := adm.GetProjectWithResponse(t.Context(), parent.ID, &p)
			expect(t, r, err, 200)
			if r.JSON200.Project.Subtree == nil {
				t.Errorf("%+v: no subtree", p)
			}
		}
		for _, p := range []v3.GetProjectParams{
			{ParentsAsList: ptr(true)}, {ParentsAsIds: ptr(true)},
			{ParentsAsList: ptr(true), IncludeLimits: ptr(true)},
		} {
			r, err := adm.GetProjectWithResponse(t.Context(), child.ID, &p)
			expect(t, r, err, 200)
			if r.JSON200.Project.Parents == nil {
				t.Errorf("%+v: no parents", p)
			}
		}
		// Flags without a value, as python-keystoneclient sends them
		// (?parents_as_list&subtree_as_list): presence means true.
		bare := func(_ context.Context, req *http.Request) error {
			req.URL.RawQuery = "parents_as_list&subtree_as_list"
			return nil
		}
		r, err := adm.GetProjectWithResponse(t.Context(), parent.ID, &v3.GetProjectParams{}, bare)
		expect(t, r, err, 200)
		if r.JSON200.Project.Parents == nil || r.JSON200.Project.Subtree == nil {
			t.Errorf("flags without a value: parents %v, subtree %v", r.JSON200.Project.Parents, r.JSON200.Project.Subtree)
		}
	})

	t.Run("listProjects filters", func(t *testing.T) {
		names := func(p *v3.ListProjectsParams) []string {
			r, err := adm.ListProjectsWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			var ids []string
			for _, p := range r.JSON200.Projects {
				ids = append(ids, p.ID)
			}
			return ids
		}
		cases := []struct {
			name   string
			params v3.ListProjectsParams
			want   []string // must be in the result
			absent []string // must not be
		}{
			{"name", v3.ListProjectsParams{Name: &parent.Name}, []string{parent.ID}, []string{child.ID}},
			{"parent_id", v3.ListProjectsParams{ParentID: &parent.ID}, []string{child.ID}, []string{parent.ID}},
			{"domain_id", v3.ListProjectsParams{DomainID: &ks.Domain}, []string{parent.ID, child.ID}, nil},
			{"enabled=false", v3.ListProjectsParams{Enabled: ptr(false), ParentID: &parent.ID}, []string{child.ID}, nil},
			{"enabled=true", v3.ListProjectsParams{Enabled: ptr(true)}, []string{parent.ID}, []string{child.ID}},
			{"is_domain=false", v3.ListProjectsParams{IsDomain: ptr(false)}, []string{parent.ID}, []string{ks.Domain}},
			{"is_domain=true", v3.ListProjectsParams{IsDomain: ptr(true)}, []string{ks.Domain}, []string{parent.ID}},
			{"tags", v3.ListProjectsParams{Tags: ptr(tag + ",shared")}, []string{parent.ID}, []string{child.ID}},
			{"tags-any", v3.ListProjectsParams{TagsAny: ptr(tag + ",nope")}, []string{parent.ID}, []string{child.ID}},
			{"not-tags", v3.ListProjectsParams{NotTags: ptr(tag + ",shared")}, []string{child.ID}, []string{parent.ID}},
			{"not-tags-any", v3.ListProjectsParams{NotTagsAny: ptr(tag)}, []string{child.ID}, []string{parent.ID}},
			{"limit and marker", v3.ListProjectsParams{Limit: ptr(1000), Marker: &parent.ID, Name: &parent.Name}, []string{parent.ID}, nil},
		}
		for _, c := range cases {
			got := names(&c.params)
			for _, id := range c.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s: %s missing from %v", c.name, id, got)
				}
			}
			for _, id := range c.absent {
				if slices.Contains(got, id) {
					t.Errorf("%s: %s should not be in %v", c.name, id, got)
				}
			}
		}
	})

	t.Run("updateProject", func(t *testing.T) {
		r, err := adm.UpdateProjectWithResponse(t.Context(), child.ID, v3.ProjectUpdateRequest{Project: v3.ProjectUpdate{
			Enabled:     ptr(true),
			Description: nullable.NewNullNullable[string](), // an explicit null clears it
			Name:        ptr(child.Name + "-renamed"),
		}})
		expect(t, r, err, 200)
		p := r.JSON200.Project
		if !p.Enabled || p.Name != child.Name+"-renamed" {
			t.Errorf("update not applied: %+v", p)
		}
		if p.Description.IsSpecified() && !p.Description.IsNull() && p.Description.MustGet() != "" {
			t.Errorf("description not cleared: %v", p.Description)
		}
	})

	t.Run("errors", func(t *testing.T) {
		r, err := adm.GetProjectWithResponse(t.Context(), "no-such-project", nil)
		expectError(t, r, err, 404)

		dup, err := adm.CreateProjectWithResponse(t.Context(), v3.ProjectCreateRequest{Project: v3.ProjectCreate{
			Name: parent.Name, DomainID: nullable.NewNullableWithValue(ks.Domain),
		}})
		expectError(t, dup, err, 409)

		u, err := adm.UpdateProjectWithResponse(t.Context(), "no-such-project", v3.ProjectUpdateRequest{Project: v3.ProjectUpdate{Enabled: ptr(true)}})
		expectError(t, u, err, 404)

		d, err := adm.DeleteProjectWithResponse(t.Context(), "no-such-project")
		expectError(t, d, err, 404)

		bad, err := newClient("not-a-valid-token").ListProjectsWithResponse(t.Context(), nil)
		expectError(t, bad, err, 401)

		// Bodies the spec forbids, sent on purpose: Keystone must refuse them too.
		for _, b := range []string{`{"project": {"name": ""}}`, `{"project": {}}`, `{"nothing": 1}`} {
			r, err := adm.CreateProjectWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
	})

	t.Run("deleteProject", func(t *testing.T) {
		p := newProject(t, v3.ProjectCreate{})
		r, err := adm.DeleteProjectWithResponse(t.Context(), p.ID)
		expect(t, r, err, 204)
		g, err := adm.GetProjectWithResponse(t.Context(), p.ID, nil)
		expectError(t, g, err, 404)
	})
}
