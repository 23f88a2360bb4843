//go:build integration

package contract

import (
	"slices"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

func TestDomains(t *testing.T) {
	d := newDomain(t, v3.DomainCreate{
		Description:          nullable.NewNullableWithValue("contract domain"),
		Tags:                 []v3.Tag{"ct"},
		AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	disabled := newDomain(t, v3.DomainCreate{Enabled: ptr(false)})

	t.Run("createDomain", func(t *testing.T) {
		if !d.Enabled || d.Description.MustGet() != "contract domain" || !slices.Equal(d.Tags, []string{"ct"}) {
			t.Errorf("created %+v", d)
		}
		if v, _ := d.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", d.AdditionalProperties)
		}
		if disabled.Enabled {
			t.Error("enabled=false ignored")
		}
	})
	t.Run("getDomain", func(t *testing.T) {
		r, err := adm.GetDomainWithResponse(t.Context(), d.ID)
		expect(t, r, err, 200)
		if r.JSON200.Domain.Name != d.Name {
			t.Errorf("got %+v", r.JSON200.Domain)
		}
		r, err = adm.GetDomainWithResponse(t.Context(), "no-such-domain")
		expectError(t, r, err, 404)
	})
	t.Run("listDomains", func(t *testing.T) {
		ids := func(p *v3.ListDomainsParams) []string {
			r, err := adm.ListDomainsWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			var out []string
			for _, d := range r.JSON200.Domains {
				out = append(out, d.ID)
			}
			return out
		}
		if got := ids(&v3.ListDomainsParams{Name: &d.Name}); !slices.Equal(got, []string{d.ID}) {
			t.Errorf("name filter: %v", got)
		}
		if got := ids(&v3.ListDomainsParams{Enabled: ptr(false)}); !slices.Contains(got, disabled.ID) || slices.Contains(got, d.ID) {
			t.Errorf("enabled=false: %v", got)
		}
		if got := ids(&v3.ListDomainsParams{Enabled: ptr(true), Limit: ptr(100), Marker: &ks.Domain}); !slices.Contains(got, d.ID) || slices.Contains(got, disabled.ID) {
			t.Errorf("enabled=true: %v", got)
		}
	})
	t.Run("updateDomain", func(t *testing.T) {
		r, err := adm.UpdateDomainWithResponse(t.Context(), d.ID, v3.DomainUpdateRequest{Domain: v3.DomainUpdate{
			Description: nullable.NewNullNullable[string](),
			Tags:        []v3.Tag{"ct", "ct2"},
		}})
		expect(t, r, err, 200)
		if !r.JSON200.Domain.Description.IsNull() || len(r.JSON200.Domain.Tags) != 2 {
			t.Errorf("updated %+v", r.JSON200.Domain)
		}
		r, err = adm.UpdateDomainWithResponse(t.Context(), disabled.ID, v3.DomainUpdateRequest{Domain: v3.DomainUpdate{Name: &d.Name}})
		expectError(t, r, err, 409)
		r, err = adm.UpdateDomainWithResponse(t.Context(), "no-such-domain", v3.DomainUpdateRequest{Domain: v3.DomainUpdate{Enabled: ptr(true)}})
		expectError(t, r, err, 404)
		r, err = adm.UpdateDomainWithBodyWithResponse(invalid(t), d.ID, "application/json", strings.NewReader(`{"domain": {}}`))
		expectError(t, r, err, 400)
	})
	t.Run("errors", func(t *testing.T) {
		r, err := adm.CreateDomainWithResponse(t.Context(), v3.DomainCreateRequest{Domain: v3.DomainCreate{Name: d.Name}})
		expectError(t, r, err, 409)
		r, err = adm.CreateDomainWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(`{"domain": {"name": ""}}`))
		expectError(t, r, err, 400)
		r, err = newClient("not-a-token").CreateDomainWithResponse(t.Context(), v3.DomainCreateRequest{Domain: v3.DomainCreate{Name: uniq("domain")}})
		expectError(t, r, err, 401)
	})
	t.Run("deleteDomain", func(t *testing.T) {
		victim := newDomain(t, v3.DomainCreate{})
		r, err := adm.DeleteDomainWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 403) // still enabled
		u, err := adm.UpdateDomainWithResponse(t.Context(), victim.ID, v3.DomainUpdateRequest{Domain: v3.DomainUpdate{Enabled: ptr(false)}})
		expect(t, u, err, 200)
		r, err = adm.DeleteDomainWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		r, err = adm.DeleteDomainWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}

func TestProjectTags(t *testing.T) {
	p := newProject(t, v3.ProjectCreate{Tags: []v3.Tag{"b", "a"}})

	t.Run("listProjectTags", func(t *testing.T) {
		r, err := adm.ListProjectTagsWithResponse(t.Context(), p.ID)
		expect(t, r, err, 200)
		if !slices.Equal(r.JSON200.Tags, []string{"a", "b"}) {
			t.Errorf("tags = %v", r.JSON200.Tags)
		}
		r, err = adm.ListProjectTagsWithResponse(t.Context(), "no-such-project")
		expectError(t, r, err, 404)
	})
	t.Run("replaceProjectTags", func(t *testing.T) {
		r, err := adm.ReplaceProjectTagsWithResponse(t.Context(), p.ID, v3.ProjectTagsReplaceRequest{Tags: []v3.Tag{"x", "y"}})
		expect(t, r, err, 200)
		if !slices.Equal(r.JSON200.Tags, []string{"x", "y"}) {
			t.Errorf("tags = %v", r.JSON200.Tags)
		}
		r, err = adm.ReplaceProjectTagsWithBodyWithResponse(invalid(t), p.ID, "application/json", strings.NewReader(`{"tags": ["a/b"]}`))
		expectError(t, r, err, 400)
	})
	t.Run("addProjectTag and checkProjectTag", func(t *testing.T) {
		r, err := adm.AddProjectTagWithResponse(t.Context(), p.ID, "z")
		expect(t, r, err, 201)
		c, err := adm.CheckProjectTagWithResponse(t.Context(), p.ID, "z")
		expect(t, c, err, 204)
		r, err = adm.AddProjectTagWithResponse(t.Context(), p.ID, "z")
		expectError(t, r, err, 400) // already there
		c, err = adm.CheckProjectTagWithResponse(t.Context(), p.ID, "nope")
		expectError(t, c, err, 404)
		// The HEAD form, which python-keystoneclient's tags.check sends.
		h, err := adm.HeadProjectTagWithResponse(t.Context(), p.ID, "z")
		expect(t, h, err, 204)
		h, err = adm.HeadProjectTagWithResponse(t.Context(), p.ID, "nope")
		expectError(t, h, err, 404)
	})
	t.Run("deleteProjectTag", func(t *testing.T) {
		r, err := adm.DeleteProjectTagWithResponse(t.Context(), p.ID, "z")
		expect(t, r, err, 204)
		r, err = adm.DeleteProjectTagWithResponse(t.Context(), p.ID, "z")
		expectError(t, r, err, 404)
	})
	t.Run("deleteProjectTags", func(t *testing.T) {
		r, err := adm.DeleteProjectTagsWithResponse(t.Context(), p.ID)
		expect(t, r, err, 204)
		l, err := adm.ListProjectTagsWithResponse(t.Context(), p.ID)
		expect(t, l, err, 200)
		if len(l.JSON200.Tags) != 0 {
			t.Errorf("tags left: %v", l.JSON200.Tags)
		}
		r, err = adm.DeleteProjectTagsWithResponse(t.Context(), "no-such-project")
		expectError(t, r, err, 404)
	})
}

func TestRegions(t *testing.T) {
	parent := newRegion(t, v3.RegionCreate{
		Description:          nullable.NewNullableWithValue("contract region"),
		AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	child := newRegion(t, v3.RegionCreate{ParentRegionID: nullable.NewNullableWithValue(parent.ID)})

	t.Run("createRegion", func(t *testing.T) {
		if parent.Description != "contract region" || !parent.ParentRegionID.IsNull() {
			t.Errorf("parent %+v", parent)
		}
		if v, _ := parent.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", parent.AdditionalProperties)
		}
		if child.ParentRegionID.MustGet() != parent.ID || child.Description != "" {
			t.Errorf("child %+v", child)
		}
		// Without an ID, Keystone makes one.
		r, err := adm.CreateRegionWithResponse(t.Context(), v3.RegionCreateRequest{Region: v3.RegionCreate{}})
		expect(t, r, err, 201)
		deleteQuietly(t, "region", func() (response, error) { return adm.DeleteRegionWithResponse(t.Context(), r.JSON201.Region.ID) })
		if r.JSON201.Region.ID == "" {
			t.Error("no generated ID")
		}
	})
	t.Run("getRegion", func(t *testing.T) {
		r, err := adm.GetRegionWithResponse(t.Context(), child.ID)
		expect(t, r, err, 200)
		if r.JSON200.Region.ID != child.ID {
			t.Errorf("got %+v", r.JSON200.Region)
		}
		r, err = adm.GetRegionWithResponse(t.Context(), "no-such-region")
		expectError(t, r, err, 404)
	})
	t.Run("listRegions", func(t *testing.T) {
		r, err := adm.ListRegionsWithResponse(t.Context(), &v3.ListRegionsParams{ParentRegionID: &parent.ID})
		expect(t, r, err, 200)
		if len(r.JSON200.Regions) != 1 || r.JSON200.Regions[0].ID != child.ID {
			t.Errorf("children of %s: %+v", parent.ID, r.JSON200.Regions)
		}
		r, err = adm.ListRegionsWithResponse(t.Context(), nil)
		expect(t, r, err, 200)
		if !slices.ContainsFunc(r.JSON200.Regions, func(x v3.Region) bool { return x.ID == ks.Region }) {
			t.Errorf("%s missing", ks.Region)
		}
	})
	t.Run("updateRegion", func(t *testing.T) {
		r, err := adm.UpdateRegionWithResponse(t.Context(), child.ID, v3.RegionUpdateRequest{Region: v3.RegionUpdate{
			Description:    nullable.NewNullableWithValue("moved"),
			ParentRegionID: nullable.NewNullNullable[string](),
		}})
		expect(t, r, err, 200)
		if r.JSON200.Region.Description != "moved" || !r.JSON200.Region.ParentRegionID.IsNull() {
			t.Errorf("updated %+v", r.JSON200.Region)
		}
		r, err = adm.UpdateRegionWithResponse(t.Context(), "no-such-region", v3.RegionUpdateRequest{Region: v3.RegionUpdate{Description: nullable.NewNullableWithValue("x")}})
		expectError(t, r, err, 404)
		r, err = adm.UpdateRegionWithResponse(t.Context(), parent.ID, v3.RegionUpdateRequest{Region: v3.RegionUpdate{ParentRegionID: nullable.NewNullableWithValue(parent.ID)}})
		expectError(t, r, err, 400) // its own parent
	})
	t.Run("errors", func(t *testing.T) {
		r, err := adm.CreateRegionWithResponse(t.Context(), v3.RegionCreateRequest{Region: v3.RegionCreate{ID: &parent.ID}})
		expectError(t, r, err, 409)
		r, err = adm.CreateRegionWithResponse(t.Context(), v3.RegionCreateRequest{Region: v3.RegionCreate{
			ID: ptr(uniq("region")), ParentRegionID: nullable.NewNullableWithValue("no-such-region"),
		}})
		expectError(t, r, err, 404)
	})
	t.Run("deleteRegion", func(t *testing.T) {
		victim := newRegion(t, v3.RegionCreate{})
		r, err := adm.DeleteRegionWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		r, err = adm.DeleteRegionWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}
