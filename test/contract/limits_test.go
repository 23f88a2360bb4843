//go:build integration

package contract

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// Operations of this section that Keystone 22 routes but never answers with
// success. They are exercised (their error responses validated) through a
// private validator, see gonePKIClient.
func init() {
	notServed["listRevokedPKITokens"] = "Keystone 22 routes it but answers 403 ([token] revoke_by_id = true, the default) or 410: PKI tokens were removed in Ocata"
	notServed["getSimpleCertCA"] = "Keystone 22 routes it but always answers 410 Gone: the PKI signing certificates were removed in Train"
	notServed["getSimpleCertCertificates"] = "Keystone 22 routes it but always answers 410 Gone: the PKI signing certificates were removed in Train"
}

// limitsSystemAdmin returns a client holding a system-scoped token of the
// bootstrap admin: only such a token sees every limit.
func limitsSystemAdmin(t testing.TB) *v3.ClientWithResponses {
	t.Helper()
	token, tok := issue(t, passwordByID(adminUser, ks.AdminPassword, systemScope()))
	if tok.System == nil {
		t.Fatalf("not a system-scoped token: %+v", tok)
	}
	return newClient(token)
}

// newRegisteredLimits creates registered limits with the admin client and
// deletes them when t ends (after the limits created later, which refer to them).
func newRegisteredLimits(t testing.TB, create ...v3.RegisteredLimitCreate) []v3.RegisteredLimit {
	t.Helper()
	r, err := adm.CreateRegisteredLimitsWithResponse(t.Context(), v3.RegisteredLimitCreateRequest{RegisteredLimits: create})
	expect(t, r, err, 201)
	got := r.JSON201.RegisteredLimits
	if len(got) != len(create) {
		t.Fatalf("created %d registered limits, want %d", len(got), len(create))
	}
	// Keystone does not keep the order of the request: sort by resource name as given.
	sorted := make([]v3.RegisteredLimit, 0, len(got))
	for _, c := range create {
		i := slices.IndexFunc(got, func(rl v3.RegisteredLimit) bool { return rl.ResourceName == c.ResourceName })
		if i < 0 {
			t.Fatalf("registered limit %q missing from %+v", c.ResourceName, got)
		}
		sorted = append(sorted, got[i])
	}
	for _, rl := range sorted {
		t.Cleanup(func() {
			deleteQuietly(t, "registered limit "+rl.ID, func() (response, error) {
				return adm.DeleteRegisteredLimitWithResponse(cleanupCtx(), rl.ID)
			})
		})
	}
	return sorted
}

// newLimit creates one project or domain limit with the admin client and
// deletes it when t ends.
func newLimit(t testing.TB, create v3.LimitCreate) v3.Limit {
	t.Helper()
	r, err := adm.CreateLimitsWithResponse(t.Context(), v3.LimitCreateRequest{Limits: []v3.LimitCreate{create}})
	expect(t, r, err, 201)
	if len(r.JSON201.Limits) != 1 {
		t.Fatalf("created %+v", r.JSON201.Limits)
	}
	l := r.JSON201.Limits[0]
	t.Cleanup(func() {
		deleteQuietly(t, "limit "+l.ID, func() (response, error) { return adm.DeleteLimitWithResponse(cleanupCtx(), l.ID) })
	})
	return l
}

func limitIDs(ls []v3.Limit) []string {
	ids := make([]string, 0, len(ls))
	for _, l := range ls {
		ids = append(ids, l.ID)
	}
	return ids
}

func registeredLimitIDs(rls []v3.RegisteredLimit) []string {
	ids := make([]string, 0, len(rls))
	for _, rl := range rls {
		ids = append(ids, rl.ID)
	}
	return ids
}

// checkIDs fails t unless every id of want is in got and none of absent is.
func checkIDs(t testing.TB, what string, got, want, absent []string) {
	t.Helper()
	for _, id := range want {
		if !slices.Contains(got, id) {
			t.Errorf("%s: %s missing from %v", what, id, got)
		}
	}
	for _, id := range absent {
		if slices.Contains(got, id) {
			t.Errorf("%s: %s should not be in %v", what, id, got)
		}
	}
}

func TestUnifiedLimits(t *testing.T) {
	sys := limitsSystemAdmin(t)
	svc := newService(t, v3.ServiceCreate{})
	region := newRegion(t, v3.RegionCreate{})
	dom := newDomain(t, v3.DomainCreate{})
	inDom := newProject(t, v3.ProjectCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
	proj := newProject(t, v3.ProjectCreate{})
	_, memberProj, member := userWithRole(t, "member")

	m, err := adm.GetLimitModelWithResponse(t.Context())
	expect(t, m, err, 200)
	model := m.JSON200.Model.Name
	if model != "flat" && model != "strict_two_level" || m.JSON200.Model.Description == "" {
		t.Fatalf("model = %+v", m.JSON200.Model)
	}

	// volume: every region, default 10; snapshot: in region, default 5.
	rls := newRegisteredLimits(t,
		v3.RegisteredLimitCreate{ServiceID: svc.ID, ResourceName: "volume", DefaultLimit: 10},
		v3.RegisteredLimitCreate{
			ServiceID: svc.ID, ResourceName: "snapshot", DefaultLimit: 5,
			RegionID: nullable.NewNullableWithValue(region.ID), Description: nullable.NewNullableWithValue("snapshots"),
		})
	volume, snapshot := rls[0], rls[1]

	t.Run("createRegisteredLimits", func(t *testing.T) {
		if volume.ServiceID != svc.ID || volume.DefaultLimit != 10 || !volume.RegionID.IsNull() || !volume.Description.IsNull() || volume.Links.Self == "" {
			t.Errorf("volume = %+v", volume)
		}
		if snapshot.RegionID.MustGet() != region.ID || snapshot.Description.MustGet() != "snapshots" || snapshot.DefaultLimit != 5 {
			t.Errorf("snapshot = %+v", snapshot)
		}
		// Same service, region and resource: conflict (a null region included).
		r, err := adm.CreateRegisteredLimitsWithResponse(t.Context(), v3.RegisteredLimitCreateRequest{RegisteredLimits: []v3.RegisteredLimitCreate{
			{ServiceID: svc.ID, ResourceName: "volume", DefaultLimit: 1},
		}})
		expectError(t, r, err, 409)
		// Unknown service or region: 400.
		for _, c := range []v3.RegisteredLimitCreate{
			{ServiceID: "nosuchservice", ResourceName: "x", DefaultLimit: 1},
			{ServiceID: svc.ID, ResourceName: "x", DefaultLimit: 1, RegionID: nullable.NewNullableWithValue(uniq("noregion"))},
		} {
			r, err = adm.CreateRegisteredLimitsWithResponse(t.Context(), v3.RegisteredLimitCreateRequest{RegisteredLimits: []v3.RegisteredLimitCreate{c}})
			expectError(t, r, err, 400)
		}
		// Bodies the spec forbids, sent on purpose.
		for _, b := range []string{
			`{"registered_limits": []}`,
			`{"registered_limits": {"service_id": "` + svc.ID + `"}}`,
			`{"registered_limits": [{"service_id": "` + svc.ID + `", "resource_name": "x", "default_limit": -2}]}`,
			`{"registered_limits": [{"service_id": "` + svc.ID + `", "resource_name": "x"}]}`,
			`{}`,
		} {
			r, err := adm.CreateRegisteredLimitsWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		r, err = member.CreateRegisteredLimitsWithResponse(t.Context(), v3.RegisteredLimitCreateRequest{RegisteredLimits: []v3.RegisteredLimitCreate{
			{ServiceID: svc.ID, ResourceName: uniq("r"), DefaultLimit: 1},
		}})
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").CreateRegisteredLimitsWithResponse(t.Context(), v3.RegisteredLimitCreateRequest{RegisteredLimits: []v3.RegisteredLimitCreate{
			{ServiceID: svc.ID, ResourceName: uniq("r"), DefaultLimit: 1},
		}})
		expectError(t, r, err, 401)
	})

	t.Run("listRegisteredLimits", func(t *testing.T) {
		list := func(c *v3.ClientWithResponses, p *v3.ListRegisteredLimitsParams) []string {
			t.Helper()
			r, err := c.ListRegisteredLimitsWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			if r.JSON200.Links.Self == "" {
				t.Errorf("links = %+v", r.JSON200.Links)
			}
			return registeredLimitIDs(r.JSON200.RegisteredLimits)
		}
		all := []string{volume.ID, snapshot.ID}
		checkIDs(t, "no filter", list(adm, nil), all, nil)
		checkIDs(t, "service_id", list(adm, &v3.ListRegisteredLimitsParams{ServiceID: &svc.ID}), all, nil)
		checkIDs(t, "region_id", list(adm, &v3.ListRegisteredLimitsParams{RegionID: &region.ID}), []string{snapshot.ID}, []string{volume.ID})
		checkIDs(t, "resource_name", list(adm, &v3.ListRegisteredLimitsParams{ServiceID: &svc.ID, ResourceName: ptr("volume")}),
			[]string{volume.ID}, []string{snapshot.ID})
		checkIDs(t, "other service", list(adm, &v3.ListRegisteredLimitsParams{ServiceID: ptr("nosuchservice")}), nil, all)
		// Any authenticated user may list them.
		checkIDs(t, "member", list(member, &v3.ListRegisteredLimitsParams{ServiceID: &svc.ID}), all, nil)
		r, err := newClient("not-a-token").ListRegisteredLimitsWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
	})

	t.Run("getRegisteredLimit", func(t *testing.T) {
		r, err := member.GetRegisteredLimitWithResponse(t.Context(), snapshot.ID)
		expect(t, r, err, 200)
		if got := r.JSON200.RegisteredLimit; got.ID != snapshot.ID || got.ResourceName != "snapshot" || got.RegionID.MustGet() != region.ID {
			t.Errorf("got %+v", got)
		}
		r, err = adm.GetRegisteredLimitWithResponse(t.Context(), "no-such-registered-limit")
		expectError(t, r, err, 404)
	})

	t.Run("updateRegisteredLimit", func(t *testing.T) {
		ram := newRegisteredLimits(t, v3.RegisteredLimitCreate{
			ServiceID: svc.ID, ResourceName: "ram", DefaultLimit: 1, RegionID: nullable.NewNullableWithValue(region.ID),
		})[0]
		r, err := adm.UpdateRegisteredLimitWithResponse(t.Context(), ram.ID, v3.RegisteredLimitUpdateRequest{RegisteredLimit: v3.RegisteredLimitUpdate{
			DefaultLimit: ptr(-1), Description: nullable.NewNullableWithValue("unlimited ram"), RegionID: nullable.NewNullNullable[string](),
		}})
		expect(t, r, err, 200)
		got := r.JSON200.RegisteredLimit
		if got.DefaultLimit != -1 || got.Description.MustGet() != "unlimited ram" || !got.RegionID.IsNull() || got.ResourceName != "ram" {
			t.Errorf("update not applied: %+v", got)
		}
		// An explicit null clears the description; an empty object changes nothing.
		r, err = adm.UpdateRegisteredLimitWithResponse(t.Context(), ram.ID, v3.RegisteredLimitUpdateRequest{RegisteredLimit: v3.RegisteredLimitUpdate{
			Description: nullable.NewNullNullable[string](),
		}})
		expect(t, r, err, 200)
		if !r.JSON200.RegisteredLimit.Description.IsNull() || r.JSON200.RegisteredLimit.DefaultLimit != -1 {
			t.Errorf("description not cleared: %+v", r.JSON200.RegisteredLimit)
		}
		r, err = adm.UpdateRegisteredLimitWithResponse(t.Context(), ram.ID, v3.RegisteredLimitUpdateRequest{})
		expect(t, r, err, 200)
		if r.JSON200.RegisteredLimit.DefaultLimit != -1 {
			t.Errorf("empty update changed it: %+v", r.JSON200.RegisteredLimit)
		}
		// Renaming it to volume (same service, no region) duplicates the volume one.
		r, err = adm.UpdateRegisteredLimitWithResponse(t.Context(), ram.ID, v3.RegisteredLimitUpdateRequest{RegisteredLimit: v3.RegisteredLimitUpdate{
			ResourceName: ptr("volume"),
		}})
		expectError(t, r, err, 409)
		r, err = adm.UpdateRegisteredLimitWithResponse(t.Context(), ram.ID, v3.RegisteredLimitUpdateRequest{RegisteredLimit: v3.RegisteredLimitUpdate{
			RegionID: nullable.NewNullableWithValue(uniq("noregion")),
		}})
		expectError(t, r, err, 400)
		r, err = adm.UpdateRegisteredLimitWithResponse(t.Context(), "no-such-registered-limit", v3.RegisteredLimitUpdateRequest{RegisteredLimit: v3.RegisteredLimitUpdate{
			DefaultLimit: ptr(1),
		}})
		expectError(t, r, err, 404)
		r, err = member.UpdateRegisteredLimitWithResponse(t.Context(), ram.ID, v3.RegisteredLimitUpdateRequest{RegisteredLimit: v3.RegisteredLimitUpdate{
			DefaultLimit: ptr(1),
		}})
		expectError(t, r, err, 403)
		for _, b := range []string{`{"registered_limit": {"id": "x"}}`, `{"registered_limit": {"default_limit": "1"}}`, `{"registered_limit": {"resource_name": ""}}`} {
			r, err := adm.UpdateRegisteredLimitWithBodyWithResponse(invalid(t), ram.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		g, err := adm.GetRegisteredLimitWithResponse(t.Context(), ram.ID)
		expect(t, g, err, 200)
		if got := g.JSON200.RegisteredLimit; got.ResourceName != "ram" || got.DefaultLimit != -1 || !got.RegionID.IsNull() {
			t.Errorf("a refused update changed it: %+v", got)
		}
	})

	t.Run("getLimitModel", func(t *testing.T) {
		r, err := member.GetLimitModelWithResponse(t.Context())
		expect(t, r, err, 200)
		if r.JSON200.Model != m.JSON200.Model {
			t.Errorf("member sees %+v, admin %+v", r.JSON200.Model, m.JSON200.Model)
		}
		r, err = newClient("not-a-token").GetLimitModelWithResponse(t.Context())
		expectError(t, r, err, 401)
	})

	// Limits valid under both models: a domain limit of 15 volumes, a project
	// limit of 12 under it, a project limit of 3 snapshots (default 5).
	domVolume := newLimit(t, v3.LimitCreate{ServiceID: svc.ID, DomainID: &dom.ID, ResourceName: "volume", ResourceLimit: 15})
	inDomVolume := newLimit(t, v3.LimitCreate{
		ServiceID: svc.ID, ProjectID: &inDom.ID, ResourceName: "volume", ResourceLimit: 12,
		Description: nullable.NewNullableWithValue("twelve"),
	})
	projSnapshot := newLimit(t, v3.LimitCreate{ServiceID: svc.ID, ProjectID: &proj.ID, RegionID: &region.ID, ResourceName: "snapshot", ResourceLimit: 3})
	memberVolume := newLimit(t, v3.LimitCreate{ServiceID: svc.ID, ProjectID: &memberProj.ID, ResourceName: "volume", ResourceLimit: 2})
	ours := []string{domVolume.ID, inDomVolume.ID, projSnapshot.ID, memberVolume.ID}

	t.Run("createLimits", func(t *testing.T) {
		if !domVolume.ProjectID.IsNull() || domVolume.DomainID.MustGet() != dom.ID || !domVolume.RegionID.IsNull() ||
			domVolume.ServiceID != svc.ID || domVolume.ResourceLimit != 15 || !domVolume.Description.IsNull() || domVolume.Links.Self == "" {
			t.Errorf("domain limit = %+v", domVolume)
		}
		if inDomVolume.ProjectID.MustGet() != inDom.ID || !inDomVolume.DomainID.IsNull() || inDomVolume.Description.MustGet() != "twelve" {
			t.Errorf("project limit = %+v", inDomVolume)
		}
		if projSnapshot.RegionID.MustGet() != region.ID || projSnapshot.ResourceName != "snapshot" {
			t.Errorf("regional limit = %+v", projSnapshot)
		}
		// A project acting as a domain, given as project_id, makes a domain limit.
		asDomain := newDomain(t, v3.DomainCreate{})
		l := newLimit(t, v3.LimitCreate{ServiceID: svc.ID, ProjectID: &asDomain.ID, ResourceName: "volume", ResourceLimit: 20})
		if !l.ProjectID.IsNull() || l.DomainID.MustGet() != asDomain.ID {
			t.Errorf("limit on a project acting as a domain = %+v", l)
		}

		create := func(c *v3.ClientWithResponses, lc v3.LimitCreate) (*v3.CreateLimitsResponse, error) {
			return c.CreateLimitsWithResponse(t.Context(), v3.LimitCreateRequest{Limits: []v3.LimitCreate{lc}})
		}
		r, err := create(adm, v3.LimitCreate{ServiceID: svc.ID, ProjectID: &inDom.ID, ResourceName: "volume", ResourceLimit: 1})
		expectError(t, r, err, 409)
		// No registered limit for that resource (or not in that region).
		r, err = create(adm, v3.LimitCreate{ServiceID: svc.ID, ProjectID: &proj.ID, ResourceName: "nothing", ResourceLimit: 1})
		expectError(t, r, err, 403)
		r, err = create(adm, v3.LimitCreate{ServiceID: svc.ID, ProjectID: &proj.ID, ResourceName: "snapshot", ResourceLimit: 1})
		expectError(t, r, err, 403)
		for _, lc := range []v3.LimitCreate{
			{ServiceID: svc.ID, ProjectID: ptr("nosuchproject"), ResourceName: "volume", ResourceLimit: 1},
			{ServiceID: svc.ID, DomainID: ptr("nosuchdomain"), ResourceName: "volume", ResourceLimit: 1},
			{ServiceID: svc.ID, ProjectID: &proj.ID, DomainID: &dom.ID, ResourceName: "volume", ResourceLimit: 1}, // both: oneOf
			{ServiceID: svc.ID, ResourceName: "volume", ResourceLimit: 1},                                         // neither
		} {
			r, err = create(adm, lc)
			expectError(t, r, err, 400)
		}
		for _, b := range []string{
			`{"limits": []}`,
			`{"limits": [{"service_id": "` + svc.ID + `", "project_id": "` + proj.ID + `", "resource_name": "volume"}]}`,
			`{"limits": [{"service_id": "` + svc.ID + `", "project_id": "` + proj.ID + `", "resource_name": "volume", "resource_limit": 1, "region_id": null}]}`,
		} {
			r, err := adm.CreateLimitsWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		r, err = member.CreateLimitsWithResponse(t.Context(), v3.LimitCreateRequest{Limits: []v3.LimitCreate{
			{ServiceID: svc.ID, ProjectID: &memberProj.ID, ResourceName: "snapshot", RegionID: &region.ID, ResourceLimit: 1},
		}})
		expectError(t, r, err, 403)
	})

	t.Run("limits and the enforcement model", func(t *testing.T) {
		// A project limit above the registered default (its domain has no limit).
		over := v3.LimitCreate{ServiceID: svc.ID, ProjectID: &proj.ID, ResourceName: "volume", ResourceLimit: 50}
		// Raising inDom's limit above its domain's, lowering the domain's below inDom's.
		raise := v3.LimitUpdateRequest{Limit: v3.LimitUpdate{ResourceLimit: ptr(16)}}
		lower := v3.LimitUpdateRequest{Limit: v3.LimitUpdate{ResourceLimit: ptr(11)}}
		switch model {
		case "flat":
			newLimit(t, over)
			u, err := adm.UpdateLimitWithResponse(t.Context(), inDomVolume.ID, raise)
			expect(t, u, err, 200)
			u, err = adm.UpdateLimitWithResponse(t.Context(), domVolume.ID, lower)
			expect(t, u, err, 200)
			// Back to the values the other subtests expect.
			u, err = adm.UpdateLimitWithResponse(t.Context(), inDomVolume.ID, v3.LimitUpdateRequest{Limit: v3.LimitUpdate{ResourceLimit: ptr(12)}})
			expect(t, u, err, 200)
			u, err = adm.UpdateLimitWithResponse(t.Context(), domVolume.ID, v3.LimitUpdateRequest{Limit: v3.LimitUpdate{ResourceLimit: ptr(15)}})
			expect(t, u, err, 200)
		case "strict_two_level":
			r, err := adm.CreateLimitsWithResponse(t.Context(), v3.LimitCreateRequest{Limits: []v3.LimitCreate{over}})
			expectError(t, r, err, 403)
			// A batch holding the domain's limit too is checked against it.
			other := newProject(t, v3.ProjectCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
			r, err = adm.CreateLimitsWithResponse(t.Context(), v3.LimitCreateRequest{Limits: []v3.LimitCreate{
				{ServiceID: svc.ID, ProjectID: &other.ID, ResourceName: "snapshot", RegionID: &region.ID, ResourceLimit: 9},
				{ServiceID: svc.ID, DomainID: &dom.ID, ResourceName: "snapshot", RegionID: &region.ID, ResourceLimit: 8},
			}})
			expectError(t, r, err, 403)
			u, err := adm.UpdateLimitWithResponse(t.Context(), inDomVolume.ID, raise)
			expectError(t, u, err, 403)
			u, err = adm.UpdateLimitWithResponse(t.Context(), domVolume.ID, lower)
			expectError(t, u, err, 403)
		default:
			t.Fatalf("unknown model %q", model)
		}
	})

	t.Run("listLimits", func(t *testing.T) {
		list := func(c *v3.ClientWithResponses, p *v3.ListLimitsParams) []string {
			t.Helper()
			r, err := c.ListLimitsWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			if r.JSON200.Links.Self == "" {
				t.Errorf("links = %+v", r.JSON200.Links)
			}
			return limitIDs(r.JSON200.Limits)
		}
		cases := []struct {
			name   string
			params *v3.ListLimitsParams
			want   []string
			absent []string
		}{
			{"no filter", nil, ours, nil},
			{"service_id", &v3.ListLimitsParams{ServiceID: &svc.ID}, ours, nil},
			{"region_id", &v3.ListLimitsParams{RegionID: &region.ID}, []string{projSnapshot.ID}, []string{domVolume.ID, inDomVolume.ID}},
			{"resource_name", &v3.ListLimitsParams{ServiceID: &svc.ID, ResourceName: ptr("volume")},
				[]string{domVolume.ID, inDomVolume.ID, memberVolume.ID}, []string{projSnapshot.ID}},
			{"project_id", &v3.ListLimitsParams{ProjectID: &inDom.ID}, []string{inDomVolume.ID}, []string{domVolume.ID, projSnapshot.ID}},
			{"domain_id", &v3.ListLimitsParams{DomainID: &dom.ID}, []string{domVolume.ID}, []string{inDomVolume.ID, projSnapshot.ID}},
			{"other service", &v3.ListLimitsParams{ServiceID: ptr("nosuchservice")}, nil, ours},
		}
		for _, c := range cases {
			checkIDs(t, c.name, list(sys, c.params), c.want, c.absent)
		}
		// A project-scoped token sees its project's limits only, even an admin's.
		checkIDs(t, "project-scoped admin", list(adm, &v3.ListLimitsParams{ServiceID: &svc.ID}), nil, ours)
		checkIDs(t, "project-scoped admin, project_id", list(adm, &v3.ListLimitsParams{ProjectID: &inDom.ID}), nil, ours)
		checkIDs(t, "member", list(member, nil), []string{memberVolume.ID}, []string{domVolume.ID, inDomVolume.ID, projSnapshot.ID})
		r, err := newClient("not-a-token").ListLimitsWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
	})

	t.Run("getLimit", func(t *testing.T) {
		r, err := adm.GetLimitWithResponse(t.Context(), inDomVolume.ID)
		expect(t, r, err, 200)
		if got := r.JSON200.Limit; got.ID != inDomVolume.ID || got.ProjectID.MustGet() != inDom.ID || got.ResourceLimit != 12 || got.ServiceID != svc.ID {
			t.Errorf("got %+v", got)
		}
		// A member may read its own project's limit, not another's.
		r, err = member.GetLimitWithResponse(t.Context(), memberVolume.ID)
		expect(t, r, err, 200)
		r, err = member.GetLimitWithResponse(t.Context(), inDomVolume.ID)
		expectError(t, r, err, 403)
		r, err = adm.GetLimitWithResponse(t.Context(), "no-such-limit")
		expectError(t, r, err, 404)
	})

	t.Run("updateLimit", func(t *testing.T) {
		r, err := adm.UpdateLimitWithResponse(t.Context(), projSnapshot.ID, v3.LimitUpdateRequest{Limit: v3.LimitUpdate{
			ResourceLimit: ptr(4), Description: nullable.NewNullableWithValue("four"),
		}})
		expect(t, r, err, 200)
		if got := r.JSON200.Limit; got.ResourceLimit != 4 || got.Description.MustGet() != "four" || got.ID != projSnapshot.ID {
			t.Errorf("update not applied: %+v", got)
		}
		// Keystone 22 ignores a 0 limit and a null or empty description.
		for _, u := range []v3.LimitUpdate{
			{ResourceLimit: ptr(0)}, {Description: nullable.NewNullNullable[string]()}, {Description: nullable.NewNullableWithValue("")}, {},
		} {
			r, err = adm.UpdateLimitWithResponse(t.Context(), projSnapshot.ID, v3.LimitUpdateRequest{Limit: u})
			expect(t, r, err, 200)
			if got := r.JSON200.Limit; got.ResourceLimit != 4 || got.Description.MustGet() != "four" {
				t.Errorf("%+v changed the limit: %+v", u, got)
			}
		}
		r, err = adm.UpdateLimitWithResponse(t.Context(), "no-such-limit", v3.LimitUpdateRequest{Limit: v3.LimitUpdate{ResourceLimit: ptr(1)}})
		expectError(t, r, err, 404)
		r, err = member.UpdateLimitWithResponse(t.Context(), memberVolume.ID, v3.LimitUpdateRequest{Limit: v3.LimitUpdate{ResourceLimit: ptr(1)}})
		expectError(t, r, err, 403)
		for _, b := range []string{`{"limit": {"resource_name": "x"}}`, `{"limit": {"id": "x"}}`, `{"limit": {"resource_limit": -5}}`} {
			r, err := adm.UpdateLimitWithBodyWithResponse(invalid(t), projSnapshot.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
	})

	t.Run("registered limits in use", func(t *testing.T) {
		u, err := adm.UpdateRegisteredLimitWithResponse(t.Context(), volume.ID, v3.RegisteredLimitUpdateRequest{RegisteredLimit: v3.RegisteredLimitUpdate{
			Description: nullable.NewNullableWithValue("x"),
		}})
		expectError(t, u, err, 403)
		d, err := adm.DeleteRegisteredLimitWithResponse(t.Context(), volume.ID)
		expectError(t, d, err, 403)
	})

	t.Run("deleteLimit", func(t *testing.T) {
		l := newLimit(t, v3.LimitCreate{ServiceID: svc.ID, DomainID: &dom.ID, RegionID: &region.ID, ResourceName: "snapshot", ResourceLimit: 5})
		d, err := member.DeleteLimitWithResponse(t.Context(), l.ID)
		expectError(t, d, err, 403)
		d, err = adm.DeleteLimitWithResponse(t.Context(), l.ID)
		expect(t, d, err, 204)
		g, err := adm.GetLimitWithResponse(t.Context(), l.ID)
		expectError(t, g, err, 404)
		d, err = adm.DeleteLimitWithResponse(t.Context(), l.ID)
		expectError(t, d, err, 404)
	})

	t.Run("deleteRegisteredLimit", func(t *testing.T) {
		rl := newRegisteredLimits(t, v3.RegisteredLimitCreate{ServiceID: svc.ID, ResourceName: "cores", DefaultLimit: 3})[0]
		d, err := member.DeleteRegisteredLimitWithResponse(t.Context(), rl.ID)
		expectError(t, d, err, 403)
		d, err = adm.DeleteRegisteredLimitWithResponse(t.Context(), rl.ID)
		expect(t, d, err, 204)
		g, err := adm.GetRegisteredLimitWithResponse(t.Context(), rl.ID)
		expectError(t, g, err, 404)
		d, err = adm.DeleteRegisteredLimitWithResponse(t.Context(), rl.ID)
		expectError(t, d, err, 404)
	})
}

// newDomainConfig stores config as dom's configuration and removes it when t
// ends. Call it after newDomain: the configuration must go before the domain,
// whose deletion would otherwise load its (ldap) identity driver.
func newDomainConfig(t testing.TB, domID string, config v3.DomainConfig) v3.DomainConfig {
	t.Helper()
	r, err := adm.CreateDomainConfigWithResponse(t.Context(), domID, v3.DomainConfigCreateRequest{Config: config})
	expect(t, r, err, 201)
	t.Cleanup(func() {
		deleteQuietly(t, "configuration of domain "+domID, func() (response, error) {
			return adm.DeleteDomainConfigWithResponse(cleanupCtx(), domID)
		})
	})
	return r.JSON201.Config
}

func TestDomainConfigs(t *testing.T) {
	dom := newDomain(t, v3.DomainCreate{})
	_, _, reader := userWithRole(t, "reader")

	var defaults v3.DomainConfig
	t.Run("getDefaultDomainConfig", func(t *testing.T) {
		r, err := adm.GetDefaultDomainConfigWithResponse(t.Context())
		expect(t, r, err, 200)
		defaults = r.JSON200.Config
		if defaults.Identity == nil || defaults.Identity.Driver == nil || *defaults.Identity.Driver == "" {
			t.Fatalf("identity defaults = %+v", defaults.Identity)
		}
		l := defaults.Ldap
		if l == nil || !l.URL.IsSpecified() || !l.UserTreeDn.IsSpecified() || !l.PageSize.IsSpecified() {
			t.Fatalf("ldap defaults = %+v", l)
		}
		if l.Password.IsSpecified() {
			t.Error("the default ldap password is shown")
		}
		if _, ok := l.Get("pool_size"); !ok {
			t.Errorf("undeclared ldap options are lost: %v", l.AdditionalProperties)
		}
		if defaults.SecurityCompliance != nil {
			t.Errorf("security_compliance in the defaults: %+v", defaults.SecurityCompliance)
		}
		g, err := reader.GetDefaultDomainConfigWithResponse(t.Context())
		expectError(t, g, err, 403)
		g, err = newClient("not-a-token").GetDefaultDomainConfigWithResponse(t.Context())
		expectError(t, g, err, 401)
	})

	t.Run("getDefaultDomainConfigGroup", func(t *testing.T) {
		r, err := adm.GetDefaultDomainConfigGroupWithResponse(t.Context(), "identity")
		expect(t, r, err, 200)
		if c := r.JSON200.Config; c.Ldap != nil || c.Identity == nil || *c.Identity.Driver != *defaults.Identity.Driver {
			t.Errorf("identity group = %+v", c)
		}
		r, err = adm.GetDefaultDomainConfigGroupWithResponse(t.Context(), "ldap")
		expect(t, r, err, 200)
		if c := r.JSON200.Config; c.Identity != nil || c.Ldap == nil || fmt.Sprint(c.Ldap.URL) != fmt.Sprint(defaults.Ldap.URL) {
			t.Errorf("ldap group = %+v", c)
		}
		for _, g := range []string{"security_compliance", "nosuchgroup"} {
			r, err = adm.GetDefaultDomainConfigGroupWithResponse(t.Context(), g)
			expectError(t, r, err, 403)
		}
		r, err = reader.GetDefaultDomainConfigGroupWithResponse(t.Context(), "ldap")
		expectError(t, r, err, 403)
	})

	t.Run("getDefaultDomainConfigOption", func(t *testing.T) {
		r, err := adm.GetDefaultDomainConfigOptionWithResponse(t.Context(), "identity", "driver")
		expect(t, r, err, 200)
		if v, ok := r.JSON200.Config["driver"]; !ok || v != *defaults.Identity.Driver || len(r.JSON200.Config) != 1 {
			t.Errorf("driver default = %v", r.JSON200.Config)
		}
		r, err = adm.GetDefaultDomainConfigOptionWithResponse(t.Context(), "ldap", "user_tree_dn")
		expect(t, r, err, 200)
		if _, ok := r.JSON200.Config["user_tree_dn"]; !ok {
			t.Errorf("user_tree_dn default = %v", r.JSON200.Config)
		}
		for _, p := range [][2]string{{"ldap", "password"}, {"ldap", "nosuchoption"}, {"nosuchgroup", "url"}} {
			r, err = adm.GetDefaultDomainConfigOptionWithResponse(t.Context(), p[0], p[1])
			expectError(t, r, err, 403)
		}
	})

	// No configuration yet.
	g, err := adm.GetDomainConfigWithResponse(t.Context(), dom.ID)
	expectError(t, g, err, 404)
	g, err = adm.GetDomainConfigWithResponse(t.Context(), "no-such-domain")
	expectError(t, g, err, 404)

	url1, url2 := "ldap://ct-one.example.invalid", "ldap://ct-two.example.invalid"
	created := newDomainConfig(t, dom.ID, v3.DomainConfig{
		Identity: &v3.DomainConfigIdentity{Driver: ptr("ldap")},
		Ldap: &v3.DomainConfigLDAP{
			URL:        nullable.NewNullableWithValue(url1),
			UserTreeDn: nullable.NewNullableWithValue("ou=Users,dc=ct,dc=invalid"),
			Password:   nullable.NewNullableWithValue("ct-secret"),
			PageSize:   nullable.NewNullableWithValue(7),
		},
	})
	t.Run("createDomainConfig", func(t *testing.T) {
		if created.Identity == nil || *created.Identity.Driver != "ldap" || created.Ldap == nil || created.Ldap.URL.MustGet() != url1 ||
			created.Ldap.PageSize.MustGet() != 7 {
			t.Errorf("created %+v", created)
		}
		if created.Ldap != nil && created.Ldap.Password.IsSpecified() {
			t.Error("the password is returned")
		}
		// Replacing it: 200, and what is not sent is gone.
		r, err := adm.CreateDomainConfigWithResponse(t.Context(), dom.ID, v3.DomainConfigCreateRequest{Config: v3.DomainConfig{
			Identity: &v3.DomainConfigIdentity{Driver: ptr("ldap")},
			Ldap: &v3.DomainConfigLDAP{
				URL:        nullable.NewNullableWithValue(url1),
				UserTreeDn: nullable.NewNullableWithValue("ou=Users,dc=ct,dc=invalid"),
				Password:   nullable.NewNullableWithValue("ct-secret"),
			},
		}})
		expect(t, r, err, 200)
		if r.JSON200.Config.Ldap == nil || r.JSON200.Config.Ldap.PageSize.IsSpecified() || r.JSON200.Config.Ldap.URL.MustGet() != url1 {
			t.Errorf("replaced: %+v", r.JSON200.Config.Ldap)
		}

		for _, c := range []v3.DomainConfig{
			{}, // nothing to store
			{Ldap: &v3.DomainConfigLDAP{AdditionalProperties: map[string]interface{}{"nosuchoption": "x"}}},
			{Identity: &v3.DomainConfigIdentity{}}, // an empty group
		} {
			r, err = adm.CreateDomainConfigWithResponse(t.Context(), dom.ID, v3.DomainConfigCreateRequest{Config: c})
			expectError(t, r, err, 403)
		}
		// A group Keystone does not support (the spec lists only those it does).
		r, err = adm.CreateDomainConfigWithBodyWithResponse(invalid(t), dom.ID, "application/json",
			strings.NewReader(`{"config": {"nosuchgroup": {"x": "y"}}}`))
		expectError(t, r, err, 403)
		for _, b := range []string{`{"config": "x"}`, `[]`} {
			r, err = adm.CreateDomainConfigWithBodyWithResponse(invalid(t), dom.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		r, err = adm.CreateDomainConfigWithResponse(t.Context(), "no-such-domain", v3.DomainConfigCreateRequest{Config: created})
		expectError(t, r, err, 404)
		r, err = reader.CreateDomainConfigWithResponse(t.Context(), dom.ID, v3.DomainConfigCreateRequest{Config: created})
		expectError(t, r, err, 403)
	})

	t.Run("getDomainConfig", func(t *testing.T) {
		r, err := adm.GetDomainConfigWithResponse(t.Context(), dom.ID)
		expect(t, r, err, 200)
		c := r.JSON200.Config
		if c.Identity == nil || *c.Identity.Driver != "ldap" || c.Ldap == nil || c.Ldap.URL.MustGet() != url1 || c.Ldap.Password.IsSpecified() {
			t.Errorf("got %+v", c)
		}
		r, err = reader.GetDomainConfigWithResponse(t.Context(), dom.ID)
		expectError(t, r, err, 403)
	})

	t.Run("getDomainConfigGroup", func(t *testing.T) {
		r, err := adm.GetDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap")
		expect(t, r, err, 200)
		if c := r.JSON200.Config; c.Identity != nil || c.Ldap == nil || c.Ldap.UserTreeDn.MustGet() != "ou=Users,dc=ct,dc=invalid" {
			t.Errorf("ldap group = %+v", c)
		}
		r, err = adm.GetDomainConfigGroupWithResponse(t.Context(), dom.ID, "nosuchgroup")
		expectError(t, r, err, 403)
		// security_compliance: the default domain only, readable by anyone.
		r, err = reader.GetDomainConfigGroupWithResponse(t.Context(), ks.Domain, "security_compliance")
		expect(t, r, err, 200)
		if r.JSON200.Config.SecurityCompliance == nil || !r.JSON200.Config.SecurityCompliance.PasswordRegex.IsSpecified() {
			t.Errorf("security_compliance = %+v", r.JSON200.Config)
		}
		r, err = adm.GetDomainConfigGroupWithResponse(t.Context(), dom.ID, "security_compliance")
		expectError(t, r, err, 403)
	})

	t.Run("getDomainConfigOption", func(t *testing.T) {
		r, err := adm.GetDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "url")
		expect(t, r, err, 200)
		if r.JSON200.Config["url"] != url1 || len(r.JSON200.Config) != 1 {
			t.Errorf("url = %v", r.JSON200.Config)
		}
		r, err = reader.GetDomainConfigOptionWithResponse(t.Context(), ks.Domain, "security_compliance", "password_regex_description")
		expect(t, r, err, 200)
		if _, ok := r.JSON200.Config["password_regex_description"]; !ok {
			t.Errorf("password_regex_description = %v", r.JSON200.Config)
		}
		for _, o := range [][2]string{{"ldap", "password"}, {"ldap", "suffix"}} { // sensitive; not stored
			r, err = adm.GetDomainConfigOptionWithResponse(t.Context(), dom.ID, o[0], o[1])
			expectError(t, r, err, 404)
		}
		r, err = adm.GetDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "nosuchoption")
		expectError(t, r, err, 403)
		r, err = adm.GetDomainConfigOptionWithResponse(t.Context(), ks.Domain, "security_compliance", "lockout_duration")
		expectError(t, r, err, 403)
	})

	t.Run("updateDomainConfig", func(t *testing.T) {
		r, err := adm.UpdateDomainConfigWithResponse(t.Context(), dom.ID, v3.DomainConfigUpdateRequest{Config: v3.DomainConfig{
			Ldap: &v3.DomainConfigLDAP{Suffix: nullable.NewNullableWithValue("dc=ct,dc=invalid")},
		}})
		expect(t, r, err, 200)
		c := r.JSON200.Config
		if c.Identity == nil || c.Ldap == nil || c.Ldap.Suffix.MustGet() != "dc=ct,dc=invalid" || c.Ldap.URL.MustGet() != url1 {
			t.Errorf("merged = %+v", c)
		}
		r, err = adm.UpdateDomainConfigWithResponse(t.Context(), dom.ID, v3.DomainConfigUpdateRequest{Config: v3.DomainConfig{}})
		expectError(t, r, err, 403)
		r, err = adm.UpdateDomainConfigWithResponse(t.Context(), "no-such-domain", v3.DomainConfigUpdateRequest{Config: c})
		expectError(t, r, err, 404)
		r, err = reader.UpdateDomainConfigWithResponse(t.Context(), dom.ID, v3.DomainConfigUpdateRequest{Config: c})
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").UpdateDomainConfigWithResponse(t.Context(), dom.ID, v3.DomainConfigUpdateRequest{Config: c})
		expectError(t, r, err, 401)
	})

	t.Run("updateDomainConfigGroup", func(t *testing.T) {
		r, err := adm.UpdateDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap", v3.DomainConfigUpdateRequest{Config: v3.DomainConfig{
			Ldap: &v3.DomainConfigLDAP{URL: nullable.NewNullableWithValue(url2)},
		}})
		expect(t, r, err, 200)
		if c := r.JSON200.Config; c.Identity == nil || c.Ldap.URL.MustGet() != url2 || c.Ldap.Suffix.MustGet() != "dc=ct,dc=invalid" {
			t.Errorf("updated = %+v", c)
		}
		// The body must hold that group only.
		r, err = adm.UpdateDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap", v3.DomainConfigUpdateRequest{Config: v3.DomainConfig{
			Identity: &v3.DomainConfigIdentity{Driver: ptr("sql")},
		}})
		expectError(t, r, err, 403)
		r, err = adm.UpdateDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap", v3.DomainConfigUpdateRequest{Config: v3.DomainConfig{
			Identity: &v3.DomainConfigIdentity{Driver: ptr("ldap")}, Ldap: &v3.DomainConfigLDAP{URL: nullable.NewNullableWithValue(url1)},
		}})
		expectError(t, r, err, 403)
		r, err = adm.UpdateDomainConfigGroupWithResponse(t.Context(), "no-such-domain", "ldap", v3.DomainConfigUpdateRequest{Config: v3.DomainConfig{
			Ldap: &v3.DomainConfigLDAP{URL: nullable.NewNullableWithValue(url2)},
		}})
		expectError(t, r, err, 404)
	})

	t.Run("updateDomainConfigOption", func(t *testing.T) {
		r, err := adm.UpdateDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "url", v3.DomainConfigOptionUpdateRequest{
			Config: v3.DomainConfigOption{"url": url1},
		})
		expect(t, r, err, 200)
		if c := r.JSON200.Config; c.Identity == nil || c.Ldap == nil || c.Ldap.URL.MustGet() != url1 {
			t.Errorf("updated = %+v", c)
		}
		// The api-ref's sample body, without the config wrapper.
		b, err := adm.UpdateDomainConfigOptionWithBodyWithResponse(invalid(t), dom.ID, "ldap", "url", "application/json",
			strings.NewReader(`{"url": "ldap://ct-three.example.invalid"}`))
		expectError(t, b, err, 403)
		// Another option than the path's; an option not stored yet.
		r, err = adm.UpdateDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "url", v3.DomainConfigOptionUpdateRequest{
			Config: v3.DomainConfigOption{"user_tree_dn": "ou=x"},
		})
		expectError(t, r, err, 403)
		r, err = adm.UpdateDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "user", v3.DomainConfigOptionUpdateRequest{
			Config: v3.DomainConfigOption{"user": "cn=ct"},
		})
		expectError(t, r, err, 404)
		r, err = adm.UpdateDomainConfigOptionWithResponse(t.Context(), "no-such-domain", "ldap", "url", v3.DomainConfigOptionUpdateRequest{
			Config: v3.DomainConfigOption{"url": url1},
		})
		expectError(t, r, err, 404)
		r, err = reader.UpdateDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "url", v3.DomainConfigOptionUpdateRequest{
			Config: v3.DomainConfigOption{"url": url1},
		})
		expectError(t, r, err, 403)
	})

	t.Run("deleteDomainConfigOption", func(t *testing.T) {
		r, err := reader.DeleteDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "suffix")
		expectError(t, r, err, 403)
		r, err = adm.DeleteDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "suffix")
		expect(t, r, err, 204)
		g, err := adm.GetDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "suffix")
		expectError(t, g, err, 404)
		r, err = adm.DeleteDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "suffix")
		expectError(t, r, err, 404)
		r, err = adm.DeleteDomainConfigOptionWithResponse(t.Context(), dom.ID, "ldap", "nosuchoption")
		expectError(t, r, err, 403)
		r, err = adm.DeleteDomainConfigOptionWithResponse(t.Context(), "no-such-domain", "ldap", "url")
		expectError(t, r, err, 404)
	})

	t.Run("deleteDomainConfigGroup", func(t *testing.T) {
		r, err := adm.DeleteDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap")
		expect(t, r, err, 204)
		g, err := adm.GetDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap")
		expectError(t, g, err, 404)
		c, err := adm.GetDomainConfigWithResponse(t.Context(), dom.ID)
		expect(t, c, err, 200)
		if c.JSON200.Config.Ldap != nil || c.JSON200.Config.Identity == nil {
			t.Errorf("after deleting ldap: %+v", c.JSON200.Config)
		}
		// Updating a group that is not stored: 404.
		u, err := adm.UpdateDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap", v3.DomainConfigUpdateRequest{Config: v3.DomainConfig{
			Ldap: &v3.DomainConfigLDAP{URL: nullable.NewNullableWithValue(url2)},
		}})
		expectError(t, u, err, 404)
		r, err = adm.DeleteDomainConfigGroupWithResponse(t.Context(), dom.ID, "ldap")
		expectError(t, r, err, 404)
		r, err = adm.DeleteDomainConfigGroupWithResponse(t.Context(), dom.ID, "nosuchgroup")
		expectError(t, r, err, 403)
	})

	t.Run("deleteDomainConfig", func(t *testing.T) {
		r, err := reader.DeleteDomainConfigWithResponse(t.Context(), dom.ID)
		expectError(t, r, err, 403)
		r, err = adm.DeleteDomainConfigWithResponse(t.Context(), dom.ID)
		expect(t, r, err, 204)
		g, err := adm.GetDomainConfigWithResponse(t.Context(), dom.ID)
		expectError(t, g, err, 404)
		r, err = adm.DeleteDomainConfigWithResponse(t.Context(), dom.ID) // nothing left: still 204
		expect(t, r, err, 204)
		r, err = adm.DeleteDomainConfigWithResponse(t.Context(), "no-such-domain")
		expectError(t, r, err, 404)
	})
}

// newEC2Credential creates an EC2 credential for userID on projectID with
// client c and deletes it when t ends.
func newEC2Credential(t testing.TB, c *v3.ClientWithResponses, userID, projectID string) v3.EC2Credential {
	t.Helper()
	r, err := c.CreateUserEC2CredentialWithResponse(t.Context(), userID, v3.EC2CredentialCreateRequest{TenantID: projectID})
	expect(t, r, err, 201)
	cred := r.JSON201.Credential
	t.Cleanup(func() {
		deleteQuietly(t, "EC2 credential "+cred.Access, func() (response, error) {
			return adm.DeleteUserEC2CredentialWithResponse(cleanupCtx(), userID, cred.Access)
		})
	})
	return cred
}

// ec2UserOnProject creates a user with a password and the member role on a new
// project, and returns them with a client holding the user's project token.
func ec2UserOnProject(t testing.TB) (v3.User, v3.Project, *v3.ClientWithResponses, string) {
	t.Helper()
	password := uniq("pw")
	u := newUser(t, v3.UserCreate{Password: nullable.NewNullableWithValue(password)})
	p := newProject(t, v3.ProjectCreate{})
	g, err := adm.GrantProjectUserRoleWithResponse(t.Context(), p.ID, u.ID, roleID(t, "member"))
	expect(t, g, err, 204)
	token, _ := issue(t, passwordByID(u.ID, password, projectScopeByID(p.ID)))
	return u, p, newClient(token), token
}

func ec2AccessKeys(cs []v3.EC2Credential) []string {
	keys := make([]string, 0, len(cs))
	for _, c := range cs {
		keys = append(keys, c.Access)
	}
	return keys
}

func TestEC2Credentials(t *testing.T) {
	u, p, user, _ := ec2UserOnProject(t)
	own := newEC2Credential(t, user, u.ID, p.ID) // a user may create its own
	byAdmin := newEC2Credential(t, adm, u.ID, p.ID)
	adminCred := newEC2Credential(t, adm, adminUser, adminProj)

	t.Run("createUserEC2Credential", func(t *testing.T) {
		for _, c := range []v3.EC2Credential{own, byAdmin} {
			if c.UserID != u.ID || c.TenantID != p.ID || c.Access == "" || c.Secret.MustGet() == "" || !c.TrustID.IsNull() ||
				!strings.HasSuffix(c.Links.Self, "/v3/users/"+u.ID+"/credentials/OS-EC2/"+c.Access) {
				t.Errorf("created %+v", c)
			}
		}
		// The credentials API shows it as an ec2 credential whose ID hashes the access key.
		sum := sha256.Sum256([]byte(own.Access))
		g, err := adm.GetCredentialWithResponse(t.Context(), hex.EncodeToString(sum[:]))
		expect(t, g, err, 200)
		if g.JSON200.Credential.Type != "ec2" || g.JSON200.Credential.UserID != u.ID {
			t.Errorf("as a credential: %+v", g.JSON200.Credential)
		}

		r, err := user.CreateUserEC2CredentialWithResponse(t.Context(), adminUser, v3.EC2CredentialCreateRequest{TenantID: adminProj})
		expectError(t, r, err, 403)
		r, err = adm.CreateUserEC2CredentialWithResponse(t.Context(), u.ID, v3.EC2CredentialCreateRequest{TenantID: "no-such-project"})
		expectError(t, r, err, 404)
		r, err = adm.CreateUserEC2CredentialWithResponse(t.Context(), "no-such-user", v3.EC2CredentialCreateRequest{TenantID: p.ID})
		expectError(t, r, err, 404)
		// Without tenant_id (the spec requires it): Keystone looks for project None.
		r, err = adm.CreateUserEC2CredentialWithBodyWithResponse(invalid(t), u.ID, "application/json", strings.NewReader(`{}`))
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").CreateUserEC2CredentialWithResponse(t.Context(), u.ID, v3.EC2CredentialCreateRequest{TenantID: p.ID})
		expectError(t, r, err, 401)
	})

	t.Run("listUserEC2Credentials", func(t *testing.T) {
		for name, c := range map[string]*v3.ClientWithResponses{"admin": adm, "owner": user} {
			r, err := c.ListUserEC2CredentialsWithResponse(t.Context(), u.ID)
			expect(t, r, err, 200)
			checkIDs(t, name, ec2AccessKeys(r.JSON200.Credentials), []string{own.Access, byAdmin.Access}, []string{adminCred.Access})
			if r.JSON200.Links.Self == "" {
				t.Errorf("links = %+v", r.JSON200.Links)
			}
		}
		r, err := user.ListUserEC2CredentialsWithResponse(t.Context(), adminUser)
		expectError(t, r, err, 403)
		r, err = adm.ListUserEC2CredentialsWithResponse(t.Context(), "no-such-user")
		expectError(t, r, err, 404)
	})

	t.Run("getUserEC2Credential", func(t *testing.T) {
		r, err := user.GetUserEC2CredentialWithResponse(t.Context(), u.ID, byAdmin.Access)
		expect(t, r, err, 200)
		if got := r.JSON200.Credential; got.Access != byAdmin.Access || got.Secret.MustGet() != byAdmin.Secret.MustGet() || got.TenantID != p.ID {
			t.Errorf("got %+v", got)
		}
		// Keystone does not check that the credential is the path's user's.
		r, err = adm.GetUserEC2CredentialWithResponse(t.Context(), adminUser, own.Access)
		expect(t, r, err, 200)
		if r.JSON200.Credential.UserID != u.ID {
			t.Errorf("got %+v", r.JSON200.Credential)
		}
		r, err = user.GetUserEC2CredentialWithResponse(t.Context(), adminUser, adminCred.Access)
		expectError(t, r, err, 403)
		r, err = adm.GetUserEC2CredentialWithResponse(t.Context(), u.ID, "no-such-access-key")
		expectError(t, r, err, 404)
		r, err = adm.GetUserEC2CredentialWithResponse(t.Context(), "no-such-user", own.Access)
		expectError(t, r, err, 404)
	})

	t.Run("credentials that are not ec2", func(t *testing.T) {
		// An ec2 credential of the credentials API turned into a cert one keeps its ID.
		access := uniq("access")
		blob := `{"access": "` + access + `", "secret": "s"}`
		c, err := adm.CreateCredentialWithResponse(t.Context(), v3.CredentialCreateRequest{Credential: v3.CredentialCreate{
			Type: "ec2", UserID: u.ID, ProjectID: &p.ID, Blob: blob,
		}})
		expect(t, c, err, 201)
		id := c.JSON201.Credential.ID
		t.Cleanup(func() {
			deleteQuietly(t, "credential "+id, func() (response, error) { return adm.DeleteCredentialWithResponse(cleanupCtx(), id) })
		})
		// Listed with a null secret while it is ec2 without one.
		r, err := adm.GetUserEC2CredentialWithResponse(t.Context(), u.ID, access)
		expect(t, r, err, 200)
		noSecret, err := adm.CreateCredentialWithResponse(t.Context(), v3.CredentialCreateRequest{Credential: v3.CredentialCreate{
			Type: "ec2", UserID: u.ID, ProjectID: &p.ID, Blob: `{"access": "` + access + `-2"}`,
		}})
		expect(t, noSecret, err, 201)
		t.Cleanup(func() {
			deleteQuietly(t, "credential", func() (response, error) {
				return adm.DeleteCredentialWithResponse(cleanupCtx(), noSecret.JSON201.Credential.ID)
			})
		})
		r, err = adm.GetUserEC2CredentialWithResponse(t.Context(), u.ID, access+"-2")
		expect(t, r, err, 200)
		if !r.JSON200.Credential.Secret.IsNull() {
			t.Errorf("secret = %v", r.JSON200.Credential.Secret)
		}

		up, err := adm.UpdateCredentialWithResponse(t.Context(), id, v3.CredentialUpdateRequest{Credential: v3.CredentialUpdate{
			Type: ptr("cert"), Blob: &blob,
		}})
		expect(t, up, err, 200)
		r, err = adm.GetUserEC2CredentialWithResponse(t.Context(), u.ID, access)
		expectError(t, r, err, 401)
		d, err := adm.DeleteUserEC2CredentialWithResponse(t.Context(), u.ID, access)
		expectError(t, d, err, 401)
		if backend != "fake" { // the in-memory Keystone does not validate EC2 signatures
			v, err := adm.ValidateEC2TokenWithResponse(t.Context(), v3.EC2TokenRequest{Credentials: &v3.EC2TokenCredentials{
				Access: access, Signature: "x", Params: map[string]string{},
			}})
			expectError(t, v, err, 401)
		}
	})

	t.Run("deleteUserEC2Credential", func(t *testing.T) {
		c := newEC2Credential(t, user, u.ID, p.ID)
		d, err := user.DeleteUserEC2CredentialWithResponse(t.Context(), adminUser, adminCred.Access)
		expectError(t, d, err, 403)
		d, err = user.DeleteUserEC2CredentialWithResponse(t.Context(), u.ID, c.Access)
		expect(t, d, err, 204)
		g, err := adm.GetUserEC2CredentialWithResponse(t.Context(), u.ID, c.Access)
		expectError(t, g, err, 404)
		d, err = adm.DeleteUserEC2CredentialWithResponse(t.Context(), u.ID, c.Access)
		expectError(t, d, err, 404)
		d, err = adm.DeleteUserEC2CredentialWithResponse(t.Context(), "no-such-user", own.Access)
		expectError(t, d, err, 404)
	})
}

// AWS signatures, computed as an EC2 or S3 client does.

// awsQueryEscape percent-encodes s as AWS (and Keystone's Ec2Signer) do: only
// RFC 3986's unreserved characters stay as they are.
func awsQueryEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func awsCanonicalQuery(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, awsQueryEscape(k)+"="+awsQueryEscape(params[k]))
	}
	return strings.Join(pairs, "&")
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// ec2SignV2 returns the AWS signature version 2 (HmacSHA256) of a request.
func ec2SignV2(secret, verb, host, path string, params map[string]string) string {
	return base64.StdEncoding.EncodeToString(hmacSHA256([]byte(secret), verb+"\n"+host+"\n"+path+"\n"+awsCanonicalQuery(params)))
}

// aws4Key derives the AWS signature version 4 signing key.
func aws4Key(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// ec2SignedV4 returns the credentials of a GET request signed with AWS
// signature version 4 (headers Host and X-Amz-Date signed, empty body).
func ec2SignedV4(access, secret, host, path string, params map[string]string, now time.Time) v3.EC2TokenCredentials {
	amzDate := now.UTC().Format("20060102T150405Z")
	scope := amzDate[:8] + "/RegionOne/ec2/aws4_request"
	bodyHash := sha256.Sum256(nil)
	canonical := strings.Join([]string{
		"GET", path, awsCanonicalQuery(params),
		"host:" + host + "\nx-amz-date:" + amzDate + "\n",
		"host;x-amz-date", hex.EncodeToString(bodyHash[:]),
	}, "\n")
	crHash := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	sig := hex.EncodeToString(hmacSHA256(aws4Key(secret, amzDate[:8], "RegionOne", "ec2"), toSign))
	return v3.EC2TokenCredentials{
		Access: access, Signature: sig, Host: &host, Verb: ptr("GET"), Path: &path, Params: params,
		Headers: map[string]string{
			"Host": host, "X-Amz-Date": amzDate,
			"Authorization": "AWS4-HMAC-SHA256 Credential=" + access + "/" + scope + ", SignedHeaders=host;x-amz-date, Signature=" + sig,
		},
		BodyHash: ptr(hex.EncodeToString(bodyHash[:])),
	}
}

// ec2SignedV2 returns the credentials of a GET request signed with AWS
// signature version 2 at time now.
func ec2SignedV2(access, secret, host string, now time.Time) v3.EC2TokenCredentials {
	params := map[string]string{
		"Action": "DescribeInstances", "AWSAccessKeyId": access, "Version": "2016-11-15",
		"SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "Timestamp": now.UTC().Format("2006-01-02T15:04:05Z"),
	}
	return v3.EC2TokenCredentials{
		Access: access, Signature: ec2SignV2(secret, "GET", host, "/", params),
		Host: &host, Verb: ptr("GET"), Path: ptr("/"), Params: params,
	}
}

// checkEC2Token fails t unless tok is a token of the ec2credential method for
// user u scoped to project p.
func checkEC2Token(t testing.TB, tok v3.Token, userID, projectID string) {
	t.Helper()
	if !slices.Equal(tok.Methods, []string{"ec2credential"}) || tok.User.ID != userID || tok.Project == nil || tok.Project.ID != projectID {
		t.Errorf("token = methods %v, user %+v, project %+v", tok.Methods, tok.User, tok.Project)
	}
	if len(tok.Roles) == 0 {
		t.Errorf("no roles in %+v", tok)
	}
}

func TestEC2Tokens(t *testing.T) {
	u, p, user, _ := ec2UserOnProject(t)
	cred := newEC2Credential(t, adm, u.ID, p.ID)
	secret := cred.Secret.MustGet()
	host := "ec2.ct.invalid:8773"

	validate := func(c *v3.ClientWithResponses, creds v3.EC2TokenCredentials) (*v3.ValidateEC2TokenResponse, error) {
		return c.ValidateEC2TokenWithResponse(t.Context(), v3.EC2TokenRequest{Credentials: &creds})
	}

	t.Run("signature v2", func(t *testing.T) {
		r, err := validate(adm, ec2SignedV2(cred.Access, secret, host, time.Now()))
		expect(t, r, err, 200)
		checkEC2Token(t, r.JSON200.Token, u.ID, p.ID)
		// X-Subject-Token is a real token.
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: r.Headers200.XSubjectToken})
		expect(t, v, err, 200)
		if v.JSON200.Token.User.ID != u.ID {
			t.Errorf("validated %+v", v.JSON200.Token.User)
		}
		// The legacy body names are accepted too; so is a host signed without its port.
		creds := ec2SignedV2(cred.Access, secret, "ec2.ct.invalid", time.Now())
		creds.Host = &host
		for _, body := range []v3.EC2TokenRequest{{Credential: &creds}, {Ec2Credentials: &creds}} {
			r, err := adm.ValidateEC2TokenWithResponse(t.Context(), body)
			expect(t, r, err, 200)
			checkEC2Token(t, r.JSON200.Token, u.ID, p.ID)
		}
	})

	t.Run("signature v4", func(t *testing.T) {
		r, err := validate(adm, ec2SignedV4(cred.Access, secret, host, "/", map[string]string{"Action": "DescribeRegions"}, time.Now()))
		expect(t, r, err, 200)
		checkEC2Token(t, r.JSON200.Token, u.ID, p.ID)
		if r.Headers200.XSubjectToken == "" {
			t.Error("no X-Subject-Token")
		}
		bad := ec2SignedV4(cred.Access, secret, host, "/", map[string]string{"Action": "DescribeRegions"}, time.Now())
		bad.Params["Action"] = "RunInstances" // not what was signed
		r, err = validate(adm, bad)
		expectError(t, r, err, 401)
	})

	t.Run("errors", func(t *testing.T) {
		wrong := ec2SignedV2(cred.Access, secret+"x", host, time.Now())
		r, err := validate(adm, wrong)
		expectError(t, r, err, 401)
		// Signed long before [credential] auth_ttl (15 minutes).
		r, err = validate(adm, ec2SignedV2(cred.Access, secret, host, time.Now().Add(-time.Hour)))
		expectError(t, r, err, 401)
		r, err = validate(adm, ec2SignedV2("no-such-access-key", secret, host, time.Now()))
		expectError(t, r, err, 404)
		// A user without a role on the credential's project.
		stranger := newUser(t, v3.UserCreate{})
		sc := newEC2Credential(t, adm, stranger.ID, p.ID)
		r, err = validate(adm, ec2SignedV2(sc.Access, sc.Secret.MustGet(), host, time.Now()))
		expectError(t, r, err, 401)
		// A disabled user.
		off := newUser(t, v3.UserCreate{})
		g, err := adm.GrantProjectUserRoleWithResponse(t.Context(), p.ID, off.ID, roleID(t, "member"))
		expect(t, g, err, 204)
		oc := newEC2Credential(t, adm, off.ID, p.ID)
		up, err := adm.UpdateUserWithResponse(t.Context(), off.ID, v3.UserUpdateRequest{User: v3.UserUpdate{Enabled: ptr(false)}})
		expect(t, up, err, 200)
		r, err = validate(adm, ec2SignedV2(oc.Access, oc.Secret.MustGet(), host, time.Now()))
		expectError(t, r, err, 401)
		// Only administrators and service users may validate.
		r, err = validate(user, ec2SignedV2(cred.Access, secret, host, time.Now()))
		expectError(t, r, err, 403)
		r, err = validate(newClient("not-a-token"), ec2SignedV2(cred.Access, secret, host, time.Now()))
		expectError(t, r, err, 401)
		// Bodies the spec forbids, sent on purpose.
		for b, want := range map[string]int{
			`{}`:                                  400,
			`{"credentials": {"signature": "x"}}`: 401,
			// No signature (what Keystone signs must still be complete: else 500).
			`{"credentials": {"access": "` + cred.Access + `", "host": "h", "verb": "GET", "path": "/", "params": {"SignatureVersion": "2"}}}`: 401,
		} {
			r, err := adm.ValidateEC2TokenWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, r, err, want)
		}
	})
}

// s3Token returns the credentials for the S3 string to sign toSign, signed as
// Keystone checks it: AWS signature version 4 (hex) when toSign starts with
// AWS4, else base64(HMAC-SHA1).
func s3Token(access, secret, toSign string) v3.S3TokenCredentials {
	var sig string
	if strings.HasPrefix(toSign, "AWS4") {
		scope := strings.Split(strings.Split(toSign, "\n")[2], "/")
		sig = hex.EncodeToString(hmacSHA256(aws4Key(secret, scope[0], scope[1], scope[2]), toSign))
	} else {
		m := hmac.New(sha1.New, []byte(secret))
		m.Write([]byte(toSign))
		sig = base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	return v3.S3TokenCredentials{Access: access, Token: base64.URLEncoding.EncodeToString([]byte(toSign)), Signature: sig}
}

func TestS3Tokens(t *testing.T) {
	u, p, user, _ := ec2UserOnProject(t)
	cred := newEC2Credential(t, adm, u.ID, p.ID)
	secret := cred.Secret.MustGet()
	now := time.Now().UTC()
	v2 := "GET\n\n\n" + now.Format(http.TimeFormat) + "\n/ct-bucket/ct-object"
	canonical := sha256.Sum256([]byte("GET\n/ct-bucket/ct-object\n\nhost:s3.ct.invalid\n\nhost\nUNSIGNED-PAYLOAD"))
	v4 := func(service string) string {
		return "AWS4-HMAC-SHA256\n" + now.Format("20060102T150405Z") + "\n" + now.Format("20060102") + "/RegionOne/" + service +
			"/aws4_request\n" + hex.EncodeToString(canonical[:])
	}
	validate := func(c *v3.ClientWithResponses, creds v3.S3TokenCredentials) (*v3.ValidateS3TokenResponse, error) {
		return c.ValidateS3TokenWithResponse(t.Context(), v3.S3TokenRequest{Credentials: &creds})
	}

	t.Run("signature v1", func(t *testing.T) {
		r, err := validate(adm, s3Token(cred.Access, secret, v2))
		expect(t, r, err, 200)
		checkEC2Token(t, r.JSON200.Token, u.ID, p.ID)
		if h := r.HTTPResponse.Header.Get("X-Subject-Token"); h != "" {
			t.Errorf("X-Subject-Token sent: %q", h)
		}
	})

	t.Run("signature v4", func(t *testing.T) {
		for _, service := range []string{"s3", "sts"} {
			r, err := validate(adm, s3Token(cred.Access, secret, v4(service)))
			expect(t, r, err, 200)
			checkEC2Token(t, r.JSON200.Token, u.ID, p.ID)
		}
		r, err := adm.ValidateS3TokenWithResponse(t.Context(), v3.S3TokenRequest{Credential: ptr(s3Token(cred.Access, secret, v4("s3")))})
		expect(t, r, err, 200)
	})

	t.Run("errors", func(t *testing.T) {
		r, err := validate(adm, s3Token(cred.Access, secret+"x", v2))
		expectError(t, r, err, 401)
		r, err = validate(adm, s3Token(cred.Access, secret, v4("ec2"))) // not an S3 service
		expectError(t, r, err, 401)
		bad := s3Token(cred.Access, secret, v2)
		bad.Token = base64.URLEncoding.EncodeToString([]byte(v2 + "x")) // not what was signed
		r, err = validate(adm, bad)
		expectError(t, r, err, 401)
		r, err = validate(adm, s3Token("no-such-access-key", secret, v2))
		expectError(t, r, err, 404)
		r, err = validate(user, s3Token(cred.Access, secret, v2))
		expectError(t, r, err, 403)
		r, err = validate(newClient("not-a-token"), s3Token(cred.Access, secret, v2))
		expectError(t, r, err, 401)
		for b, want := range map[string]int{`{}`: 400, `{"credentials": {"token": "eA==", "signature": "x"}}`: 401} {
			r, err := adm.ValidateS3TokenWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, r, err, want)
		}
	})
}

// newOAuth2Client creates an application credential for a new user with the
// member role on a new project, and returns the user, the project and the
// application credential's ID and secret.
func newOAuth2Client(t testing.TB) (v3.User, v3.Project, string, string) {
	t.Helper()
	u, p, _, token := ec2UserOnProject(t)
	secret := uniq("secret")
	ac := newAppCred(t, newClient(token), u.ID, v3.ApplicationCredentialCreate{Secret: nullable.NewNullableWithValue(secret)})
	return u, p, ac.ID, secret
}

// basicAuth returns a request editor that authenticates with HTTP Basic.
func basicAuth(user, password string) v3.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.SetBasicAuth(user, password)
		return nil
	}
}

func TestOAuth2Token(t *testing.T) {
	u, p, id, secret := newOAuth2Client(t)
	grant := v3.OAuth2TokenRequest{GrantType: "client_credentials"}

	t.Run("issueOAuth2Token", func(t *testing.T) {
		r, err := anon.IssueOAuth2TokenWithFormdataBodyWithResponse(t.Context(), grant, basicAuth(id, secret))
		expect(t, r, err, 200)
		tok := r.JSON200
		if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.ExpiresIn <= 0 {
			t.Fatalf("got %+v", tok)
		}
		// The access token is a Keystone token of the application credential.
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: tok.AccessToken})
		expect(t, v, err, 200)
		vt := v.JSON200.Token
		if vt.User.ID != u.ID || vt.Project == nil || vt.Project.ID != p.ID || vt.ApplicationCredential == nil || vt.ApplicationCredential.ID != id ||
			!slices.Contains(vt.Methods, "application_credential") {
			t.Errorf("token = %+v", vt)
		}
		// client_id (mutual TLS, 2023.1) is ignored by Keystone 22.
		r, err = anon.IssueOAuth2TokenWithFormdataBodyWithResponse(t.Context(),
			v3.OAuth2TokenRequest{GrantType: "client_credentials", ClientID: ptr(u.ID)}, basicAuth(id, secret))
		expect(t, r, err, 200)
	})

	t.Run("errors", func(t *testing.T) {
		r, err := anon.IssueOAuth2TokenWithFormdataBodyWithResponse(t.Context(), grant, basicAuth(id, secret+"x"))
		expectError(t, r, err, 401)
		if r.JSON401.Error != "invalid_client" || r.HTTPResponse.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("401: %+v, %v", r.JSON401, r.HTTPResponse.Header)
		}
		r, err = anon.IssueOAuth2TokenWithFormdataBodyWithResponse(t.Context(), grant) // no Authorization
		expectError(t, r, err, 401)
		r, err = anon.IssueOAuth2TokenWithFormdataBodyWithResponse(t.Context(), grant, basicAuth(id, ""))
		expectError(t, r, err, 401)
		r, err = anon.IssueOAuth2TokenWithFormdataBodyWithResponse(t.Context(), v3.OAuth2TokenRequest{GrantType: "password"}, basicAuth(id, secret))
		expectError(t, r, err, 400)
		if r.JSON400.Error != "unsupported_grant_type" {
			t.Errorf("400: %+v", r.JSON400)
		}
		r, err = anon.IssueOAuth2TokenWithFormdataBodyWithResponse(t.Context(), grant, basicAuth("no-such-client", secret))
		expectError(t, r, err, 404)
		if r.JSON404.Error != "other_error" {
			t.Errorf("404: %+v", r.JSON404)
		}
		// Bodies the spec forbids, sent on purpose: no grant_type, a JSON body.
		for ct, b := range map[string]string{
			"application/x-www-form-urlencoded": "scope=x",
			"application/json":                  `{"grant_type": "client_credentials"}`,
		} {
			r, err := anon.IssueOAuth2TokenWithBodyWithResponse(invalid(t), ct, strings.NewReader(b), basicAuth(id, secret))
			expectError(t, r, err, 400)
			if r.JSON400.Error != "invalid_request" {
				t.Errorf("%s: %+v", ct, r.JSON400)
			}
		}
	})
}

func TestRevocationEvents(t *testing.T) {
	password := uniq("pw")
	u := newUser(t, v3.UserCreate{Password: nullable.NewNullableWithValue(password)})
	before := time.Now().UTC().Add(-time.Minute)
	token, tok := issue(t, passwordByID(u.ID, password, nil))
	r, err := adm.RevokeTokenWithResponse(t.Context(), &v3.RevokeTokenParams{XSubjectToken: token})
	expect(t, r, err, 204)
	audit := tok.AuditIds[0]

	events := func(c *v3.ClientWithResponses, p *v3.ListRevocationEventsParams) []v3.RevocationEvent {
		t.Helper()
		l, err := c.ListRevocationEventsWithResponse(t.Context(), p)
		expect(t, l, err, 200)
		if l.JSON200.Links.Self == "" {
			t.Errorf("links = %+v", l.JSON200.Links)
		}
		return l.JSON200.Events
	}
	find := func(es []v3.RevocationEvent) *v3.RevocationEvent {
		for _, e := range es {
			if e.AuditID != nil && *e.AuditID == audit {
				return &e
			}
		}
		return nil
	}

	t.Run("listRevocationEvents", func(t *testing.T) {
		e := find(events(adm, nil))
		if e == nil {
			t.Fatalf("no event for the revoked token's audit ID %s", audit)
		}
		if e.RevokedAt == nil || e.RevokedAt.Before(before) || e.IssuedBefore.Before(before) || e.UserID != nil {
			t.Errorf("event = %+v", e)
		}
		if find(events(adm, &v3.ListRevocationEventsParams{Since: ptr(before.Format(time.RFC3339))})) == nil {
			t.Errorf("since %s: event missing", before)
		}
		later := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05") // ISO 8601 without a zone
		if es := events(adm, &v3.ListRevocationEventsParams{Since: &later}); find(es) != nil {
			t.Errorf("since %s: event listed", later)
		}
	})

	t.Run("errors", func(t *testing.T) {
		l, err := adm.ListRevocationEventsWithResponse(t.Context(), &v3.ListRevocationEventsParams{Since: ptr(before.Format(http.TimeFormat))})
		expectError(t, l, err, 400)
		_, _, reader := userWithRole(t, "reader")
		l, err = reader.ListRevocationEventsWithResponse(t.Context(), nil)
		expectError(t, l, err, 403)
		l, err = newClient("not-a-token").ListRevocationEventsWithResponse(t.Context(), nil)
		expectError(t, l, err, 401)
	})
}

func TestPKIAndSimpleCert(t *testing.T) {
	for name, c := range map[string]*v3.ClientWithResponses{"no token": anon, "admin": adm} {
		t.Run(name, func(t *testing.T) {
			// [token] revoke_by_id is true by default: 403 (410 when false).
			p, err := c.ListRevokedPKITokensWithResponse(t.Context(), nil)
			expectError(t, p, err, 403)
			ca, err := c.GetSimpleCertCAWithResponse(t.Context())
			expectError(t, ca, err, 410)
			cs, err := c.GetSimpleCertCertificatesWithResponse(t.Context())
			expectError(t, cs, err, 410)
		})
	}
}
