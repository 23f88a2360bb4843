package keystonetest

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// Unified limits (registered limits, project and domain limits, the limit
// model) as Keystone 22 serves them: keystone/api/limits.py,
// keystone/api/registered_limits.py, keystone/limit/core.py,
// keystone/limit/backends/sql.py, and the enforcement models of
// keystone/limit/models (flat by default, strict_two_level with
// WithLimitModel).

// limitState holds limits and registered limits.
type limitState struct {
	registered table[v3s.RegisteredLimit]
	limits     table[limitRec]
	// model is `[unified_limit] enforcement_model`: limitModelFlat or
	// limitModelStrict ("" is flat).
	model string
}

// limitRec is a project or domain limit and the registered limit it refers
// to (Keystone stores the reference, not the service, region and resource).
type limitRec struct {
	id, projectID, domainID string
	registeredID            string
	resourceLimit           int
	description             *string
}

// Reading registered limits and the model is open to any token
// (identity:get_registered_limit, list_registered_limits and get_limit_model
// are ""), so is listing limits (list_limits is "", what a token sees depends
// on its scope); get_limit lets a project's or domain's users read theirs.
// The handlers check the rest.
const (
	maxLimit = 0x7FFFFFFF
	// The enforcement models of Keystone 22 (keystone/limit/models).
	limitModelFlat   = "flat"
	limitModelStrict = "strict_two_level"
	// maxProjectTreeDepth is Keystone's `[DEFAULT] max_project_tree_depth`.
	maxProjectTreeDepth = 5
	// strictTwoLevelDepth is the strict_two_level model's
	// MAX_PROJECT_TREE_DEPTH (the flat model has none).
	strictTwoLevelDepth = 2
)

// limitModelDescriptions are the DESCRIPTION of each model, as GET
// /v3/limits/model shows it.
var limitModelDescriptions = map[string]string{
	limitModelFlat:   "Limit enforcement and validation does not take project hierarchy into consideration.",
	limitModelStrict: "This model requires project hierarchy never exceeds a depth of two",
}

// WithLimitModel sets Keystone's `[unified_limit] enforcement_model`: "flat"
// (the default) or "strict_two_level". With strict_two_level, projects are at
// most two levels under their domain, a project's limit may not exceed its
// parent domain's (or, without one, the registered default), and a domain's
// limit may not be below its projects'. Start fails on another name, as
// Keystone does not start with one.
func WithLimitModel(name string) Option { return func(c *config) { c.limitModel = name } }

// setLimitModel sets the enforcement model ("" for flat), or tells why it
// cannot, as oslo.config refuses a value outside the option's choices.
func (st *state) setLimitModel(name string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch name {
	case "", limitModelFlat:
		st.limitArea.model = limitModelFlat
	case limitModelStrict:
		st.limitArea.model = limitModelStrict
	default:
		return fmt.Errorf("keystonetest: [unified_limit] enforcement_model: valid values are [%s, %s], but found %q",
			limitModelFlat, limitModelStrict, name)
	}
	return nil
}

// limitModel returns the enforcement model's name.
func (ls *limitState) limitModel() string {
	if ls.model == "" {
		return limitModelFlat
	}
	return ls.model
}

// modelDepth is the model's MAX_PROJECT_TREE_DEPTH, 0 for none.
func (ls *limitState) modelDepth() int {
	if ls.limitModel() == limitModelStrict {
		return strictTwoLevelDepth
	}
	return 0
}

// checkProjectDepth refuses a new project under parent (a project, or its
// domain for a top-level project) that would be too deep, as Keystone's
// resource manager does (_assert_max_hierarchy_depth): the new project's
// depth counts the domain (a top-level project is at depth 2) and may not
// exceed max_project_tree_depth + 1, nor the model's depth + 1. So the flat
// model allows five levels of projects under a domain, strict_two_level two.
// Called with st.mu held.
func (st *state) checkProjectDepth(parent string) *Error {
	maxDepth := maxProjectTreeDepth + 1
	if d := st.limitArea.modelDepth(); d != 0 {
		maxDepth = min(maxDepth, d+1)
	}
	// The parents of the new project: the parent, its parents, the domain.
	parents, seen := 1, map[string]bool{}
	for id := parent; ; {
		p := st.projects.get(id)
		if p == nil || seen[id] {
			break
		}
		seen[id] = true
		parents++
		id, _ = value(p.ParentID)
	}
	if parents+1 > maxDepth {
		return errorf(http.StatusForbidden, "Max hierarchy depth reached for %s branch.", parent)
	}
	return nil
}

// tooDeepProjects returns, with the strict_two_level model, the projects
// whose tree under their domain is deeper than the model allows (those at its
// depth + 1, the domain being at depth 1), as Keystone's check_project_depth
// finds them when it starts; nil otherwise. (Keystone refuses to start then,
// although its API lets a project have a child: its start check counts the
// domain, the API's does not.)
func (ls *limitState) tooDeepProjects(projects []*v3s.Project) []string {
	depth := ls.modelDepth()
	if depth == 0 {
		return nil
	}
	byID := map[string]*v3s.Project{}
	for _, p := range projects {
		byID[p.ID] = p
	}
	var out []string
	for _, p := range projects {
		// p's depth: 1 for its domain, plus one per project up to it.
		n, q := 1, p
		for q != nil && n <= depth+1 {
			n++
			parent, _ := value(q.ParentID)
			q = byID[parent]
		}
		if n == depth+1 {
			out = append(out, p.ID)
		}
	}
	return out
}

// limitTreeExceeded is Keystone's LimitTreeExceedError.
func limitTreeExceeded(ids []string, depth int) error {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + id + "'"
	}
	return fmt.Errorf("Keystone cannot start due to project hierarchical depth in the current deployment (project_ids: [%s]) exceeds the enforcement model's maximum limit of %d. Please use a different enforcement model to correct the issue.",
		strings.Join(quoted, ", "), depth)
}

// modelLimit is a limit as the enforcement model checks it: a new one, or an
// existing one with its update applied.
type modelLimit struct {
	project, domain           string
	service, region, resource string
	value                     int
}

// checkLimitModel checks limits, a creation's batch or an update, against
// the enforcement model: the flat model accepts everything; the
// strict_two_level one (StrictTwoLevelModel.check_limit) refuses the first
// limit, in order, that breaks the tree of its domain. Called with st.mu held.
func (st *state) checkLimitModel(batch []modelLimit) *Error {
	if st.limitArea.limitModel() != limitModelStrict {
		return nil
	}
	for _, l := range batch {
		if st.strictLimitOK(l, batch) {
			continue
		}
		level, id, region := "project_id", l.project, l.region
		if l.project == "" {
			level, id = "domain_id", l.domain
		}
		if region == "" {
			region = "None" // Python's None
		}
		// InvalidLimit, whatever the rule broken: Keystone replaces each
		// reason by this one.
		return errorf(http.StatusForbidden, "Invalid resource limit: The resource limit (%s: %s, resource_name: %s, resource_limit: %d, service_id: %s, region_id: %s) doesn't satisfy current hierarchy model..",
			level, id, l.resource, l.value, l.service, region)
	}
	return nil
}

// strictLimitOK applies strict_two_level's rules to l. A project's limit may
// not exceed its parent's: the parent domain's limit in the same batch if
// there is one, else the stored one, else (for a project under a domain, or
// under a project, which Keystone looks up as a domain and never finds) the
// registered limit's default. A domain's limit may not be below any stored
// limit of a project of its subtree (the batch's own project limits are not
// looked at). As in Keystone, a value of 0 (false in Python) is never
// compared, and -1 (unlimited) is compared as a number.
func (st *state) strictLimitOK(l modelLimit, batch []modelLimit) bool {
	same := func(o modelLimit) bool {
		return o.service == l.service && o.region == l.region && o.resource == l.resource
	}
	if l.project != "" {
		parent := ""
		if p := st.projects.get(l.project); p != nil {
			parent, _ = value(p.ParentID)
		}
		for _, o := range batch {
			if o.project == "" && o.domain == parent && same(o) {
				return l.value <= o.value
			}
		}
		v, ok := st.specifiedLimit(l, "", parent)
		return !ok || v == 0 || l.value <= v
	}
	for _, sub := range st.descendants(l.domain) {
		if v, ok := st.specifiedLimit(l, sub.ID, ""); ok && v != 0 && l.value < v {
			return false
		}
	}
	return true
}

// specifiedLimit returns the stored limit value of project (or, with project
// "", of domain) for l's service, region and resource name; for a domain
// without one, the registered limit's default (Keystone's
// _get_specified_limit_value). It reports false when there is neither.
func (st *state) specifiedLimit(l modelLimit, project, domain string) (int, bool) {
	ls := &st.limitArea
	rl := ls.findRegistered(l.service, l.region, l.resource)
	if rl != nil {
		for _, o := range ls.limits.all() {
			if o.registeredID == rl.ID && o.projectID == project && (project != "" || o.domainID == domain) {
				return o.resourceLimit, true
			}
		}
	}
	if project == "" && domain != "" && rl != nil {
		return rl.DefaultLimit, true
	}
	return 0, false
}

// limitValidation is Keystone's ValidationError for a reference to a missing
// service, region, project or domain.
func limitValidation(attribute, target string) *Error {
	return badRequest("Expecting to find %s in %s. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.", attribute, target)
}

func limitConflict(kind string) *Error {
	return errorf(http.StatusConflict, "Conflict occurred attempting to store %s - Duplicate entry.", kind)
}

func noLimitReference() *Error {
	return errorf(http.StatusForbidden, "Unable to create a limit that has no corresponding registered limit.")
}

func registeredLimitInUse(id string) *Error {
	return errorf(http.StatusForbidden, "Unable to update or delete registered limit %s because there are project limits associated with it.", id)
}

func registeredLimitNotFound(id string) *Error {
	return errorf(http.StatusNotFound, "Could not find registered limit for %s.", id)
}

func limitNotFound(id string) *Error {
	return errorf(http.StatusNotFound, "Could not find limit for %s.", id)
}

// checkLimitValue checks a default_limit or resource_limit as Keystone's
// schema does.
func checkLimitValue(field string, v int) error {
	if v < -1 || v > maxLimit {
		return badRequest("Invalid input for field '%s': %d is not in [-1, %d].", field, v, maxLimit)
	}
	return nil
}

func checkResourceName(name string) error {
	if name == "" || len(name) > 255 {
		return badRequest("Invalid input for field 'resource_name': %q is too short or too long.", name)
	}
	return nil
}

// purgeLimits drops the limits of deleted projects, as Keystone does when it
// deletes a project (delete_limits_for_project). Domain limits stay.
func (st *state) purgeLimits() {
	ls := &st.limitArea
	for _, l := range ls.limits.all() {
		if l.projectID != "" && st.projects.get(l.projectID) == nil {
			ls.limits.del(l.id)
		}
	}
}

// sameRegion reports whether a registered limit's region is region ("" for
// none).
func sameRegion(rl *v3s.RegisteredLimit, region string) bool {
	r, _ := value(rl.RegionID)
	return r == region
}

// findRegistered returns the registered limit of service, region ("" for
// none) and resource name, or nil.
func (ls *limitState) findRegistered(service, region, resource string) *v3s.RegisteredLimit {
	for _, rl := range ls.registered.all() {
		if rl.ServiceID == service && rl.ResourceName == resource && sameRegion(rl, region) {
			return rl
		}
	}
	return nil
}

// referenced reports whether a limit refers to registered limit id.
func (ls *limitState) referenced(id string) bool {
	for _, l := range ls.limits.all() {
		if l.registeredID == id {
			return true
		}
	}
	return false
}

// renderLimit renders a limit with its registered limit's service, region
// and resource name.
func (st *state) renderLimit(l *limitRec) v3s.Limit {
	out := v3s.Limit{
		ID: l.id, ProjectID: null[string](), DomainID: null[string](), RegionID: null[string](),
		ResourceLimit: l.resourceLimit, Description: null[string](), Links: st.link("limits/" + l.id),
	}
	if l.projectID != "" {
		out.ProjectID = some(l.projectID)
	} else {
		out.DomainID = some(l.domainID)
	}
	if l.description != nil {
		out.Description = some(*l.description)
	}
	if rl := st.limitArea.registered.get(l.registeredID); rl != nil {
		out.ServiceID, out.ResourceName, out.RegionID = rl.ServiceID, rl.ResourceName, rl.RegionID
	}
	return out
}

// --- limit model

// GetLimitModel shows the enforcement model: flat (Keystone 22's default) or
// the one of WithLimitModel.
func (s *v3) GetLimitModel(context.Context, v3s.GetLimitModelRequestObject) (v3s.GetLimitModelResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	name := st.limitArea.limitModel()
	return v3s.GetLimitModel200JSONResponse{Model: v3s.LimitModel{Name: name, Description: limitModelDescriptions[name]}}, nil
}

// --- registered limits

// ListRegisteredLimits lists registered limits.
func (s *v3) ListRegisteredLimits(_ context.Context, req v3s.ListRegisteredLimitsRequestObject) (v3s.ListRegisteredLimitsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := req.Params
	out := []v3s.RegisteredLimit{}
	for _, rl := range st.limitArea.registered.all() {
		region, _ := value(rl.RegionID)
		if (p.ServiceID != nil && rl.ServiceID != *p.ServiceID) || (p.RegionID != nil && region != *p.RegionID) ||
			(p.ResourceName != nil && rl.ResourceName != *p.ResourceName) {
			continue
		}
		out = append(out, *rl)
	}
	return v3s.ListRegisteredLimits200JSONResponse{RegisteredLimits: out, Links: st.collection("registered_limits")}, nil
}

// CreateRegisteredLimits creates registered limits, all or none.
func (s *v3) CreateRegisteredLimits(_ context.Context, req v3s.CreateRegisteredLimitsRequestObject) (v3s.CreateRegisteredLimitsResponseObject, error) {
	if req.Body == nil || len(req.Body.RegisteredLimits) == 0 {
		return nil, badRequest("Invalid input for field/attribute registered_limits: a non-empty list is required.")
	}
	for _, in := range req.Body.RegisteredLimits {
		if err := checkResourceName(in.ResourceName); err != nil {
			return nil, err
		}
		if err := checkLimitValue("default_limit", in.DefaultLimit); err != nil {
			return nil, err
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	ls := &st.limitArea
	// Every reference first (the manager), then uniqueness (the driver).
	for _, in := range req.Body.RegisteredLimits {
		if st.services.get(in.ServiceID) == nil {
			return nil, limitValidation("service_id", "registered_limit")
		}
		if r, ok := value(in.RegionID); ok && st.regions.get(r) == nil {
			return nil, limitValidation("region_id", "registered_limit")
		}
	}
	created := make([]*v3s.RegisteredLimit, 0, len(req.Body.RegisteredLimits))
	for _, in := range req.Body.RegisteredLimits {
		region, _ := value(in.RegionID)
		dup := ls.findRegistered(in.ServiceID, region, in.ResourceName) != nil
		for _, c := range created {
			dup = dup || (c.ServiceID == in.ServiceID && c.ResourceName == in.ResourceName && sameRegion(c, region))
		}
		if dup {
			return nil, limitConflict("registered_limit")
		}
		id := newID()
		rl := &v3s.RegisteredLimit{
			ID: id, ServiceID: in.ServiceID, ResourceName: in.ResourceName, DefaultLimit: in.DefaultLimit,
			RegionID: null[string](), Description: null[string](), Links: st.link("registered_limits/" + id),
		}
		if region != "" {
			rl.RegionID = some(region)
		}
		if d, ok := value(in.Description); ok {
			rl.Description = some(d)
		}
		created = append(created, rl)
	}
	out := make([]v3s.RegisteredLimit, 0, len(created))
	for _, rl := range created {
		ls.registered.put(rl.ID, rl)
		out = append(out, *rl)
	}
	return v3s.CreateRegisteredLimits201JSONResponse{RegisteredLimits: out}, nil
}

// GetRegisteredLimit shows a registered limit.
func (s *v3) GetRegisteredLimit(_ context.Context, req v3s.GetRegisteredLimitRequestObject) (v3s.GetRegisteredLimitResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	rl := st.limitArea.registered.get(req.RegisteredLimitID)
	if rl == nil {
		return nil, registeredLimitNotFound(req.RegisteredLimitID)
	}
	return v3s.GetRegisteredLimit200JSONResponse{RegisteredLimit: *rl}, nil
}

// UpdateRegisteredLimit updates a registered limit no limit refers to. No
// model checks it (Keystone's update_registered_limit does not call the
// model): with strict_two_level, the default it sets is the parent value of
// the limits created after.
func (s *v3) UpdateRegisteredLimit(_ context.Context, req v3s.UpdateRegisteredLimitRequestObject) (v3s.UpdateRegisteredLimitResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find registered_limit in request body.")
	}
	in := req.Body.RegisteredLimit
	if in.ResourceName != nil {
		if err := checkResourceName(*in.ResourceName); err != nil {
			return nil, err
		}
	}
	if in.DefaultLimit != nil {
		if err := checkLimitValue("default_limit", *in.DefaultLimit); err != nil {
			return nil, err
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	ls := &st.limitArea
	// The references of the body, then the registered limit, then its use,
	// then uniqueness: Keystone's order.
	if in.ServiceID != nil && st.services.get(*in.ServiceID) == nil {
		return nil, limitValidation("service_id", "registered_limit")
	}
	if r, ok := value(in.RegionID); ok && st.regions.get(r) == nil {
		return nil, limitValidation("region_id", "registered_limit")
	}
	rl := ls.registered.get(req.RegisteredLimitID)
	if rl == nil {
		return nil, registeredLimitNotFound(req.RegisteredLimitID)
	}
	if ls.referenced(rl.ID) {
		return nil, registeredLimitInUse(rl.ID)
	}
	upd := *rl
	if in.ServiceID != nil {
		upd.ServiceID = *in.ServiceID
	}
	if in.ResourceName != nil {
		upd.ResourceName = *in.ResourceName
	}
	if in.RegionID.IsSpecified() {
		upd.RegionID = null[string]()
		if r, ok := value(in.RegionID); ok {
			upd.RegionID = some(r)
		}
	}
	if in.DefaultLimit != nil {
		upd.DefaultLimit = *in.DefaultLimit
	}
	if in.Description.IsSpecified() {
		upd.Description = null[string]()
		if d, ok := value(in.Description); ok {
			upd.Description = some(d)
		}
	}
	// Keystone checks uniqueness when service_id or resource_name is given
	// (and not empty) or region_id is, against every registered limit, this
	// one included: restating its own key is a 409 there too.
	if (in.ServiceID != nil && *in.ServiceID != "") || in.RegionID.IsSpecified() || (in.ResourceName != nil && *in.ResourceName != "") {
		region, _ := value(upd.RegionID)
		if ls.findRegistered(upd.ServiceID, region, upd.ResourceName) != nil {
			return nil, limitConflict("registered_limit")
		}
	}
	*rl = upd
	return v3s.UpdateRegisteredLimit200JSONResponse{RegisteredLimit: *rl}, nil
}

// DeleteRegisteredLimit deletes a registered limit no limit refers to.
func (s *v3) DeleteRegisteredLimit(_ context.Context, req v3s.DeleteRegisteredLimitRequestObject) (v3s.DeleteRegisteredLimitResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	ls := &st.limitArea
	if ls.registered.get(req.RegisteredLimitID) == nil {
		return nil, registeredLimitNotFound(req.RegisteredLimitID)
	}
	if ls.referenced(req.RegisteredLimitID) {
		return nil, registeredLimitInUse(req.RegisteredLimitID)
	}
	ls.registered.del(req.RegisteredLimitID)
	return v3s.DeleteRegisteredLimit204Response{}, nil
}

// --- limits

// hasRoleNamed reports whether a token holds the role called name.
func (st *state) hasRoleNamed(t *token, name string) bool {
	for _, r := range st.tokenRoles(t) {
		if role := st.roles.get(r); role != nil && role.Name == name {
			return true
		}
	}
	return false
}

// projectDomain returns the domain of project id, or "".
func (st *state) projectDomain(id string) string {
	if p := st.projects.get(id); p != nil {
		d, _ := value(p.DomainID)
		return d
	}
	return ""
}

// ListLimits lists the limits the caller's scope sees: every limit with a
// system scope, the domain's and its projects' with a domain scope, the
// project's with a project scope (whatever the roles), none unscoped.
func (s *v3) ListLimits(ctx context.Context, req v3s.ListLimitsRequestObject) (v3s.ListLimitsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	var scope target
	if c := callerFrom(ctx); c != nil {
		scope = c.tok.scope
	}
	p := req.Params
	out := []v3s.Limit{}
	for _, l := range st.limitArea.limits.all() {
		switch {
		case scope.system:
		case scope.domain != "":
			if !(l.domainID == scope.domain || (l.projectID != "" && st.projectDomain(l.projectID) == scope.domain)) {
				continue
			}
		case scope.project != "":
			if l.projectID != scope.project {
				continue
			}
		default:
			continue
		}
		v := st.renderLimit(l)
		region, _ := value(v.RegionID)
		if (p.ServiceID != nil && v.ServiceID != *p.ServiceID) || (p.RegionID != nil && region != *p.RegionID) ||
			(p.ResourceName != nil && v.ResourceName != *p.ResourceName) ||
			(p.ProjectID != nil && l.projectID != *p.ProjectID) || (p.DomainID != nil && l.domainID != *p.DomainID) {
			continue
		}
		out = append(out, v)
	}
	return v3s.ListLimits200JSONResponse{Limits: out, Links: st.collection("limits")}, nil
}

// CreateLimits creates project and domain limits, all or none.
func (s *v3) CreateLimits(_ context.Context, req v3s.CreateLimitsRequestObject) (v3s.CreateLimitsResponseObject, error) {
	if req.Body == nil || len(req.Body.Limits) == 0 {
		return nil, badRequest("Invalid input for field/attribute limits: a non-empty list is required.")
	}
	for _, in := range req.Body.Limits {
		if (in.ProjectID == nil) == (in.DomainID == nil) {
			return nil, badRequest("Invalid input for field/attribute limits: exactly one of project_id and domain_id is required.")
		}
		if err := checkResourceName(in.ResourceName); err != nil {
			return nil, err
		}
		if err := checkLimitValue("resource_limit", in.ResourceLimit); err != nil {
			return nil, err
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	ls := &st.limitArea
	// Every reference first (the manager): a project acting as a domain
	// makes a domain limit.
	type pending struct {
		in                v3s.LimitCreate
		project, domain   string
		region            string
		registeredLimitID string
	}
	todo := make([]pending, 0, len(req.Body.Limits))
	for _, in := range req.Body.Limits {
		pd := pending{in: in}
		if st.services.get(in.ServiceID) == nil {
			return nil, limitValidation("service_id", "limit")
		}
		if in.RegionID != nil {
			if st.regions.get(*in.RegionID) == nil {
				return nil, limitValidation("region_id", "limit")
			}
			pd.region = *in.RegionID
		}
		if in.ProjectID != nil {
			switch {
			case st.projects.get(*in.ProjectID) != nil:
				pd.project = *in.ProjectID
			case st.domains.get(*in.ProjectID) != nil:
				pd.domain = *in.ProjectID
			default:
				return nil, limitValidation("project_id", "limit")
			}
		}
		if in.DomainID != nil {
			if st.domains.get(*in.DomainID) == nil {
				return nil, limitValidation("domain_id", "limit")
			}
			pd.domain = *in.DomainID
		}
		todo = append(todo, pd)
	}
	// Then the model, on the whole batch.
	batch := make([]modelLimit, 0, len(todo))
	for _, pd := range todo {
		batch = append(batch, modelLimit{project: pd.project, domain: pd.domain, service: pd.in.ServiceID,
			region: pd.region, resource: pd.in.ResourceName, value: pd.in.ResourceLimit})
	}
	if err := st.checkLimitModel(batch); err != nil {
		return nil, err
	}
	// Then the driver: a registered limit must exist, and the limit must be
	// new.
	created := make([]*limitRec, 0, len(todo))
	for _, pd := range todo {
		rl := ls.findRegistered(pd.in.ServiceID, pd.region, pd.in.ResourceName)
		if rl == nil {
			return nil, noLimitReference()
		}
		same := func(l *limitRec) bool {
			return l.registeredID == rl.ID && l.projectID == pd.project && l.domainID == pd.domain
		}
		dup := false
		for _, l := range ls.limits.all() {
			dup = dup || same(l)
		}
		for _, l := range created {
			dup = dup || same(l)
		}
		if dup {
			return nil, limitConflict("limit")
		}
		l := &limitRec{id: newID(), projectID: pd.project, domainID: pd.domain, registeredID: rl.ID, resourceLimit: pd.in.ResourceLimit}
		if d, ok := value(pd.in.Description); ok {
			l.description = &d
		}
		created = append(created, l)
	}
	out := make([]v3s.Limit, 0, len(created))
	for _, l := range created {
		ls.limits.put(l.id, l)
		out = append(out, st.renderLimit(l))
	}
	return v3s.CreateLimits201JSONResponse{Limits: out}, nil
}

// GetLimit shows a limit to an administrator, a system reader, or a user of
// the limit's project or domain (or of its project's domain).
func (s *v3) GetLimit(ctx context.Context, req v3s.GetLimitRequestObject) (v3s.GetLimitResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	l := st.limitArea.limits.get(req.LimitID)
	c := callerFrom(ctx)
	allowed := c == nil || c.admin || (c.tok.scope.system && st.hasRoleNamed(c.tok, "reader"))
	if !allowed && l != nil {
		sc := c.tok.scope
		switch {
		case sc.domain != "":
			allowed = l.domainID == sc.domain || (l.projectID != "" && st.projectDomain(l.projectID) == sc.domain)
		case sc.project != "":
			allowed = l.projectID != "" && l.projectID == sc.project
		}
	}
	// Without the limit, the policy has no target to match: 403.
	if !allowed {
		return nil, forbidden()
	}
	if l == nil {
		return nil, limitNotFound(req.LimitID)
	}
	return v3s.GetLimit200JSONResponse{Limit: st.renderLimit(l)}, nil
}

// UpdateLimit updates a limit's value or description. Keystone 22 ignores a
// resource_limit of 0 and a null or empty description.
func (s *v3) UpdateLimit(_ context.Context, req v3s.UpdateLimitRequestObject) (v3s.UpdateLimitResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find limit in request body.")
	}
	in := req.Body.Limit
	if in.ResourceLimit != nil {
		if err := checkLimitValue("resource_limit", *in.ResourceLimit); err != nil {
			return nil, err
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	l := st.limitArea.limits.get(req.LimitID)
	if l == nil {
		return nil, limitNotFound(req.LimitID)
	}
	// The model checks the limit with the body applied (a resource_limit of
	// 0 included, which the driver then ignores).
	ml := modelLimit{project: l.projectID, domain: l.domainID, value: l.resourceLimit}
	if rl := st.limitArea.registered.get(l.registeredID); rl != nil {
		ml.service, ml.resource = rl.ServiceID, rl.ResourceName
		ml.region, _ = value(rl.RegionID)
	}
	if in.ResourceLimit != nil {
		ml.value = *in.ResourceLimit
	}
	if err := st.checkLimitModel([]modelLimit{ml}); err != nil {
		return nil, err
	}
	if in.ResourceLimit != nil && *in.ResourceLimit != 0 {
		l.resourceLimit = *in.ResourceLimit
	}
	if d, ok := value(in.Description); ok && d != "" {
		l.description = &d
	}
	return v3s.UpdateLimit200JSONResponse{Limit: st.renderLimit(l)}, nil
}

// DeleteLimit deletes a limit.
func (s *v3) DeleteLimit(_ context.Context, req v3s.DeleteLimitRequestObject) (v3s.DeleteLimitResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	if st.limitArea.limits.get(req.LimitID) == nil {
		return nil, limitNotFound(req.LimitID)
	}
	st.limitArea.limits.del(req.LimitID)
	return v3s.DeleteLimit204Response{}, nil
}
