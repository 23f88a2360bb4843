package keystonetest

import (
	"context"
	"net/http"
	"slices"
	"time"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
	"github.com/gokeystone/keystone/internal/specvalidate"
)

// OS-TRUST: trusts (Keystone's api/trusts.py, trust/core.py and its SQL
// backend) and trust-scoped tokens (auth/core.py, models/token_model.py,
// common/render_token.py).

// maxRedelegationCount is Keystone's [trust] max_redelegation_count default.
const maxRedelegationCount = 3

// trustState holds the trusts and which tokens were issued through them.
type trustState struct {
	// trusts, in creation order; deleted ones stay (with deleted set), as
	// Keystone soft-deletes them and still counts them in its duplicate
	// constraint.
	trusts table[trustRec]
	// tokens maps the ID of a trust-scoped token to its trust's.
	tokens map[string]string
}

// trustRec is a trust as Keystone stores it: the rendered members without the
// roles, the IDs of its roles, and whether it is deleted.
type trustRec struct {
	v3s.Trust
	roleIDs []string
	deleted bool
}

func init() {
	// Keystone checks its policy (the caller is the body's trustor) before
	// the body's schema: CreateTrust checks the spec's verdict itself.
	unvalidatedBodies["createTrust"] = true
}

// --- hooks of other files (v3_auth.go, state.go)

// trustScopeID returns the trust ID of an OS-TRUST:trust scope.
func trustScopeID(req *v3s.AuthScopeRequest) (string, bool) {
	if req == nil {
		return "", false
	}
	sc, err := req.AsAuthScope()
	if err != nil || sc.OSTRUSTTrust == nil {
		return "", false
	}
	return sc.OSTRUSTTrust.ID, true
}

// issueTrustToken issues a trust-scoped token to userID, who authenticated
// with methods (IssueToken's OS-TRUST hook).
func (st *state) issueTrustToken(trustID, userID string, methods []string, fromToken *token, appCredID string,
	withCatalog bool) (v3s.IssueTokenResponseObject, error) {
	if appCredID != "" {
		return nil, unauthorized()
	}
	tr, err := st.usableTrust(trustID)
	if err != nil {
		if err.Code == http.StatusNotFound {
			return nil, unauthorized() // Keystone answers TrustNotFound with a 401 here
		}
		return nil, err
	}
	var scope target
	if p, ok := value(tr.ProjectID); ok {
		if pr := st.projects.get(p); pr == nil || !pr.Enabled {
			return nil, unauthorized()
		}
		scope = target{project: p}
	}
	if userID != tr.TrusteeUserID {
		return nil, errorf(http.StatusForbidden, "User is not a trustee.")
	}
	if u := st.users.get(tr.TrustorUserID); u == nil || !u.Enabled {
		return nil, errorf(http.StatusForbidden, "Trustor is disabled.")
	}
	if _, err := st.trustRoles(tr); err != nil {
		return nil, err
	}
	tokenUser := userID
	if tr.Impersonation {
		tokenUser = tr.TrustorUserID
	}
	now := st.now()
	t := &token{
		id: newTokenID(), userID: tokenUser, methods: methods, scope: scope,
		issued: now.Truncate(time.Microsecond), expires: now.Add(st.lifetime).Truncate(time.Microsecond),
		auditIDs: []string{newAuditID()},
	}
	if fromToken != nil {
		t.expires = fromToken.expires
		t.auditIDs = append(t.auditIDs, fromToken.auditIDs[len(fromToken.auditIDs)-1])
	}
	// A use is consumed once the token is issued.
	if n, ok := value(tr.RemainingUses); ok {
		tr.RemainingUses = some(n - 1)
	}
	if st.trustArea.tokens == nil {
		st.trustArea.tokens = map[string]string{}
	}
	st.trustArea.tokens[t.id] = tr.ID
	st.tokens[t.id] = t
	st.nIssued++
	return v3s.IssueToken201JSONResponse{
		Body:    v3s.TokenEnvelope{Token: st.tokenBody(t, withCatalog)},
		Headers: v3s.IssueToken201ResponseHeaders{XSubjectToken: t.id},
	}, nil
}

// isTrustToken reports whether t was issued through a trust.
func (st *state) isTrustToken(t *token) bool { return st.trustArea.tokens[t.id] != "" }

// tokenTrust returns the trust of a trust-scoped token, or nil.
func (st *state) tokenTrust(t *token) *trustRec {
	id := st.trustArea.tokens[t.id]
	if id == "" {
		return nil
	}
	return st.trustArea.trusts.get(id)
}

// checkTrustToken refuses a trust-scoped token whose trust can no longer be
// used (deleted, expired, its chain broken, its trustor disabled or without
// the delegated roles), as Keystone's validation does. Its tokens outlive a
// used-up trust: remaining_uses counts the tokens issued (Keystone 22 with
// its token cache, as the contract suite's runs; without the cache,
// Keystone would refuse them).
func (st *state) checkTrustToken(t *token) error {
	id := st.trustArea.tokens[t.id]
	if id == "" {
		return nil
	}
	tr, err := st.trustWithUses(id, false)
	if err != nil {
		return err
	}
	if u := st.users.get(tr.TrustorUserID); u == nil || !u.Enabled {
		return forbidden()
	}
	if u := st.users.get(tr.TrusteeUserID); u == nil || !u.Enabled {
		return forbidden()
	}
	if _, err := st.trustRoles(tr); err != nil {
		return err
	}
	return nil
}

// trustTokenRoles lists the effective roles of a trust-scoped token.
func (st *state) trustTokenRoles(tr *trustRec) []string {
	roles, _ := st.trustRoles(tr)
	return roles
}

// addTrustToToken adds the OS-TRUST:trust member of a trust-scoped token.
func (st *state) addTrustToToken(t *token, body *v3s.Token) {
	tr := st.tokenTrust(t)
	if tr == nil {
		return
	}
	body.OSTRUSTTrust = &v3s.TokenTrust{ID: tr.ID, Impersonation: tr.Impersonation,
		TrustorUser: v3s.IDRef{ID: tr.TrustorUserID}, TrusteeUser: v3s.IDRef{ID: tr.TrusteeUserID}}
	body.IsDomain = nil // Keystone's trust branch renders no is_domain
	if body.Roles == nil {
		body.Roles = []v3s.TokenRole{}
	}
}

// --- trusts

// usableTrust returns a trust as Keystone's trust_api.get_trust does: 404
// when it is deleted (or its trustor, trustee or project is: Keystone deletes
// their trusts), expired or used up; 403 when its redelegation chain is no
// longer valid.
func (st *state) usableTrust(id string) (*trustRec, *Error) { return st.trustWithUses(id, true) }

// trustWithUses is usableTrust, used-up trusts included unless countUses.
func (st *state) trustWithUses(id string, countUses bool) (*trustRec, *Error) {
	tr := st.liveTrust(id)
	if tr == nil {
		return nil, notFound("trust", id)
	}
	if exp, ok := value(tr.ExpiresAt); ok && st.now().After(exp) {
		return nil, notFound("trust", id)
	}
	if n, ok := value(tr.RemainingUses); ok && n <= 0 && countUses {
		return nil, notFound("trust", id)
	}
	if _, ok := value(tr.RedelegatedTrustID); ok {
		chain, err := st.trustPedigree(id)
		if err != nil {
			return nil, err
		}
		for i := 1; i < len(chain); i++ {
			if err := validateRedelegation(chain[i], &chain[i-1].Trust, chain[i-1].roleIDs); err != nil {
				return nil, err
			}
			if u := st.users.get(chain[i].TrusteeUserID); u == nil || !u.Enabled {
				return nil, errorf(http.StatusForbidden, "One of the trust agents is disabled or deleted")
			}
		}
	}
	return tr, nil
}

// liveTrust returns a trust that is not deleted (nor its trustor, trustee or
// project), whatever its expiry and uses, or nil.
func (st *state) liveTrust(id string) *trustRec {
	tr := st.trustArea.trusts.get(id)
	if tr == nil || tr.deleted || st.users.get(tr.TrustorUserID) == nil || st.users.get(tr.TrusteeUserID) == nil {
		return nil
	}
	if p, ok := value(tr.ProjectID); ok && st.projects.get(p) == nil {
		return nil
	}
	return tr
}

// trustPedigree returns the trust and those it was redelegated from, in turn
// (Keystone's get_trust_pedigree, 404 when one cannot be used).
func (st *state) trustPedigree(id string) ([]*trustRec, *Error) {
	var chain []*trustRec
	for id != "" {
		tr := st.liveTrust(id)
		if tr == nil {
			return nil, notFound("trust", id)
		}
		if exp, ok := value(tr.ExpiresAt); ok && st.now().After(exp) {
			return nil, notFound("trust", id)
		}
		if n, ok := value(tr.RemainingUses); ok && n <= 0 {
			return nil, notFound("trust", id)
		}
		chain = append(chain, tr)
		id, _ = value(tr.RedelegatedTrustID)
		if len(chain) > 64 {
			break
		}
	}
	return chain, nil
}

// validateRedelegation checks a trust (child, with roles childRoles) against
// one it is redelegated from, as Keystone's _validate_redelegation. A child
// without an expiry takes the parent's.
func validateRedelegation(parent *trustRec, child *v3s.Trust, childRoles []string) *Error {
	depth, _ := value(parent.RedelegationCount)
	if depth <= 0 || depth > maxRedelegationCount {
		return errorf(http.StatusForbidden, "Remaining redelegation depth of %d out of allowed range of [0..%d]", depth, maxRedelegationCount)
	}
	if n, ok := value(child.RemainingUses); ok {
		return errorf(http.StatusForbidden, "Field \"remaining_uses\" is set to %d while it must not be set in order to redelegate a trust", n)
	}
	if exp, ok := value(child.ExpiresAt); ok {
		if pexp, ok := value(parent.ExpiresAt); ok && pexp.Before(exp) {
			return errorf(http.StatusForbidden, "Requested expiration time is more than redelegated trust can provide")
		}
	} else {
		child.ExpiresAt = parent.ExpiresAt
	}
	for _, r := range childRoles {
		if !slices.Contains(parent.roleIDs, r) {
			return errorf(http.StatusForbidden, "Some of requested roles are not in redelegated trust")
		}
	}
	if !parent.Impersonation && child.Impersonation {
		return errorf(http.StatusForbidden, "Impersonation is not allowed because redelegated trust does not specify impersonation. Redelegated trust id: %s", parent.ID)
	}
	return nil
}

// trustRoles returns the effective roles of a trust's tokens: its roles and
// those they imply, all of which the original trustor must still have on the
// project (403 otherwise); domain-specific roles are left out.
func (st *state) trustRoles(tr *trustRec) ([]string, *Error) {
	trustor := tr.TrustorUserID
	if _, ok := value(tr.RedelegatedTrustID); ok {
		if chain, err := st.trustPedigree(tr.ID); err == nil {
			trustor = chain[len(chain)-1].TrustorUserID
		}
	}
	p, _ := value(tr.ProjectID)
	var held []string
	if p != "" {
		held = st.expand(st.directRoles(trustor, target{project: p}))
	}
	var out []string
	for _, r := range st.expand(tr.roleIDs) {
		if !slices.Contains(held, r) {
			return nil, errorf(http.StatusForbidden, "Trustee has no delegated roles.")
		}
		if role := st.roles.get(r); role != nil {
			if _, specific := value(role.DomainID); !specific {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// renderTrust returns the trust as getTrust and createTrust show it (withRoles)
// or as listTrusts does.
func (st *state) renderTrust(tr *trustRec, withRoles bool) v3s.Trust {
	out := tr.Trust
	out.AdditionalProperties = map[string]any{}
	for k, v := range tr.AdditionalProperties {
		out.AdditionalProperties[k] = v
	}
	if withRoles {
		out.Roles = st.trustRoleList(tr)
		out.RolesLinks = &v3s.TrustRolesLinks{Self: st.root + "/v3/" + tr.ID + "/roles", Next: null[string](), Previous: null[string]()}
	}
	return out
}

// trustRoleList lists the trust's roles that still exist.
func (st *state) trustRoleList(tr *trustRec) []v3s.Role {
	out := []v3s.Role{}
	for _, id := range tr.roleIDs {
		if r := st.roles.get(id); r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// trustCaller returns the caller's user, whether it is an administrator and
// whether it is a system reader.
func (st *state) trustCaller(ctx context.Context) (user string, admin, systemReader bool) {
	c := callerFrom(ctx)
	return c.tok.userID, c.admin, c.tok.scope.system && st.hasRoleNamed(c.tok, "reader")
}

// trustForRead returns the trust for getTrust and its roles: 404 first, then
// Keystone's policy (admin, system reader, trustor or trustee).
func (s *v3) trustForRead(ctx context.Context, id string) (*trustRec, error) {
	st := s.state
	tr, err := st.usableTrust(id)
	if err != nil {
		return nil, err
	}
	user, admin, sysReader := st.trustCaller(ctx)
	if !admin && !sysReader && user != tr.TrustorUserID && user != tr.TrusteeUserID {
		return nil, forbidden()
	}
	return tr, nil
}

// CreateTrust creates a trust whose trustor is the caller; from a
// trust-scoped token, it redelegates the token's trust.
func (s *v3) CreateTrust(ctx context.Context, req v3s.CreateTrustRequestObject) (v3s.CreateTrustResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c := callerFrom(ctx)
	var in v3s.TrustCreate
	if req.Body != nil {
		in = req.Body.Trust
	}
	// identity:create_trust: the caller is the trustor (admins included).
	if in.TrustorUserID == "" || in.TrustorUserID != c.tok.userID {
		return nil, forbidden()
	}
	// Then the schema.
	if f := specvalidate.RequestFailure((&http.Request{}).WithContext(ctx)); f != nil {
		return nil, badRequest("Invalid input for field/attribute: %v", f.Err)
	}
	if in.TrusteeUserID == "" {
		return nil, badRequest("Invalid input for field/attribute: 'trustee_user_id' is a required property")
	}
	if n, ok := value(in.RemainingUses); ok && n < 1 {
		return nil, badRequest("Invalid input for field/attribute remaining_uses: %d is less than the minimum of 1", n)
	}
	if n, ok := value(in.RedelegationCount); ok && n < 0 {
		return nil, badRequest("Invalid input for field/attribute redelegation_count: %d is less than the minimum of 0", n)
	}
	for _, r := range in.Roles {
		if (r.ID == nil) == (r.Name == nil) {
			return nil, badRequest("Invalid input for field/attribute roles: a role is given by exactly one of id and name")
		}
	}
	if ac := st.appcreds.get(c.tok.appCredID); ac != nil && ac.restricted {
		return nil, errorf(http.StatusForbidden, "Using method 'application_credential' is not allowed for managing trusts.")
	}
	project, hasProject := value(in.ProjectID)
	if hasProject && len(in.Roles) == 0 {
		return nil, errorf(http.StatusForbidden, "At least one role should be specified")
	}
	if st.users.get(in.TrusteeUserID) == nil {
		return nil, notFound("user", in.TrusteeUserID)
	}
	var roleIDs []string
	for _, r := range in.Roles {
		id := ""
		if r.ID != nil {
			id = *r.ID
		} else {
			for _, role := range st.roles.all() {
				if _, specific := value(role.DomainID); role.Name == *r.Name && !specific {
					id = role.ID
				}
			}
			if id == "" {
				return nil, notFound("role", *r.Name)
			}
		}
		if !slices.Contains(roleIDs, id) {
			roleIDs = append(roleIDs, id)
		}
	}
	var held []string
	if hasProject {
		if st.projects.get(project) == nil {
			return nil, notFound("project", project)
		}
		held = st.expand(st.directRoles(in.TrustorUserID, target{project: project}))
	}
	for _, r := range roleIDs {
		if !slices.Contains(held, r) {
			return nil, notFound("role", r)
		}
	}
	if exp, ok := value(in.ExpiresAt); ok && !exp.After(st.now()) {
		return nil, badRequest("The 'expires_at' must not be before now.")
	}
	// A trust-scoped token redelegates its trust.
	var parent *trustRec
	if id := st.trustArea.tokens[c.tok.id]; id != "" {
		p, err := st.usableTrust(id)
		if err != nil {
			return nil, err
		}
		parent = p
	}

	tr := v3s.Trust{
		ID: newID(), TrustorUserID: in.TrustorUserID, TrusteeUserID: in.TrusteeUserID, Impersonation: in.Impersonation,
		ProjectID: null[string](), ExpiresAt: null[time.Time](), RemainingUses: null[int](),
		RedelegatedTrustID: null[string](), DeletedAt: null[string](),
	}
	if hasProject {
		tr.ProjectID = some(project)
	}
	if exp, ok := value(in.ExpiresAt); ok {
		tr.ExpiresAt = some(exp.UTC().Truncate(time.Microsecond))
	}
	if n, ok := value(in.RemainingUses); ok {
		tr.RemainingUses = some(n)
	}
	tr.Links = st.link("OS-TRUST/trusts/" + tr.ID)
	for k, v := range in.AdditionalProperties {
		if k == "allow_redelegation" {
			continue
		}
		if tr.AdditionalProperties == nil {
			tr.AdditionalProperties = map[string]any{}
		}
		tr.AdditionalProperties[k] = v
	}

	// Keystone's trust_api.create_trust.
	allow, _ := value(in.AllowRedelegation)
	requested, countSet := value(in.RedelegationCount)
	countGiven := in.RedelegationCount.IsSpecified() // null included
	redelegatable := allow && !(countSet && requested == 0)
	count := some(maxRedelegationCount) // the default of a first trust
	switch {
	case !redelegatable:
		count, countGiven = some(0), true
	case countSet && requested > maxRedelegationCount:
		return nil, errorf(http.StatusForbidden, "Requested redelegation depth of %d is greater than allowed %d", requested, maxRedelegationCount)
	case tr.RemainingUses.IsSpecified() && !tr.RemainingUses.IsNull():
		return nil, badRequest("remaining_uses must not be set if redelegation is allowed")
	case countGiven:
		count = in.RedelegationCount
		if !countSet {
			count = null[int]()
		}
	}
	if parent != nil {
		tr.RedelegatedTrustID = some(parent.ID)
		remaining := -1
		if n, ok := value(parent.RedelegationCount); ok {
			remaining = n - 1
		}
		if redelegatable && countSet && requested != 0 && requested != remaining {
			return nil, errorf(http.StatusForbidden, "Modifying \"redelegation_count\" upon redelegation is forbidden. Omitting this parameter is advised.")
		}
		if !countGiven {
			count, countGiven = some(remaining), true
		}
		chain, err := st.trustPedigree(parent.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range chain {
			if err := validateRedelegation(p, &tr, roleIDs); err != nil {
				return nil, err
			}
		}
	}
	tr.RedelegationCount = count
	// The duplicate_trust_constraint (NULLs never collide), deleted trusts
	// included.
	if p, ok := value(tr.ProjectID); ok {
		if exp, ok := value(tr.ExpiresAt); ok {
			for _, o := range st.trustArea.trusts.all() {
				op, _ := value(o.ProjectID)
				oexp, ok := value(o.ExpiresAt)
				if o.TrustorUserID == tr.TrustorUserID && o.TrusteeUserID == tr.TrusteeUserID && op == p &&
					o.Impersonation == tr.Impersonation && ok && oexp.Equal(exp) {
					return nil, errorf(http.StatusConflict, "Conflict occurred attempting to store trust - Duplicate entry.")
				}
			}
		}
	}
	rec := &trustRec{Trust: tr, roleIDs: roleIDs}
	st.trustArea.trusts.put(tr.ID, rec)
	return v3s.CreateTrust201JSONResponse{Trust: st.renderTrust(rec, true)}, nil
}

// GetTrust shows a trust to its trustor, its trustee, an administrator or a
// system reader.
func (s *v3) GetTrust(ctx context.Context, req v3s.GetTrustRequestObject) (v3s.GetTrustResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	tr, err := s.trustForRead(ctx, req.TrustID)
	if err != nil {
		return nil, err
	}
	return v3s.GetTrust200JSONResponse{Trust: s.state.renderTrust(tr, true)}, nil
}

// ListTrusts lists all trusts (administrators and system readers), or those
// of a trustor or of a trustee (also to that user), without their roles;
// expired and used-up trusts included.
func (s *v3) ListTrusts(ctx context.Context, req v3s.ListTrustsRequestObject) (v3s.ListTrustsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	user, admin, sysReader := st.trustCaller(ctx)
	trustor, trustee := "", ""
	if p := req.Params.TrustorUserID; p != nil {
		trustor = *p
	}
	if p := req.Params.TrusteeUserID; p != nil {
		trustee = *p
	}
	switch {
	case admin || sysReader:
	case trustor != "":
		if user != trustor {
			return nil, forbidden()
		}
	case trustee != "":
		if user != trustee {
			return nil, forbidden()
		}
	default:
		return nil, forbidden()
	}
	all := trustor == "" && trustee == "" && req.Params.TrustorUserID == nil && req.Params.TrusteeUserID == nil
	out := []v3s.Trust{}
	for _, tr := range st.trustArea.trusts.all() {
		if st.liveTrust(tr.ID) == nil {
			continue
		}
		switch {
		case all:
		case trustor != "":
			if tr.TrustorUserID != trustor {
				continue
			}
		case trustee != "":
			if tr.TrusteeUserID != trustee {
				continue
			}
		default:
			continue // an empty filter: Keystone lists nothing
		}
		out = append(out, st.renderTrust(tr, false))
	}
	return v3s.ListTrusts200JSONResponse{Trusts: out, Links: st.collection("OS-TRUST/trusts")}, nil
}

// DeleteTrust deletes a trust (its trustor or an administrator), and the
// trusts its trustor redelegated from it; their tokens stop validating.
func (s *v3) DeleteTrust(ctx context.Context, req v3s.DeleteTrustRequestObject) (v3s.DeleteTrustResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	tr, err := st.usableTrust(req.TrustID)
	if err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	if !c.admin && c.tok.userID != tr.TrustorUserID {
		return nil, forbidden()
	}
	if ac := st.appcreds.get(c.tok.appCredID); ac != nil && ac.restricted && !c.admin {
		return nil, errorf(http.StatusForbidden, "Using method 'application_credential' is not allowed for managing trusts.")
	}
	st.deleteTrust(tr)
	return v3s.DeleteTrust204Response{}, nil
}

func (st *state) deleteTrust(tr *trustRec) {
	for _, o := range st.trustArea.trusts.all() {
		if p, _ := value(o.RedelegatedTrustID); p == tr.ID && !o.deleted && o.TrustorUserID == tr.TrustorUserID {
			st.deleteTrust(o)
		}
	}
	tr.deleted = true
}

// ListTrustRoles lists a trust's roles.
func (s *v3) ListTrustRoles(ctx context.Context, req v3s.ListTrustRolesRequestObject) (v3s.ListTrustRolesResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	tr, err := s.trustForRead(ctx, req.TrustID)
	if err != nil {
		return nil, err
	}
	return v3s.ListTrustRoles200JSONResponse{Roles: s.state.trustRoleList(tr),
		Links: v3s.CollectionLinks{Self: s.state.root + "/v3/" + tr.ID + "/roles", Next: null[string](), Previous: null[string]()}}, nil
}

// trustRole returns a role delegated by a trust (not one it implies).
func (s *v3) trustRole(ctx context.Context, trustID, roleID string) (*v3s.Role, error) {
	tr, err := s.trustForRead(ctx, trustID)
	if err != nil {
		return nil, err
	}
	r := s.state.roles.get(roleID)
	if !slices.Contains(tr.roleIDs, roleID) || r == nil {
		return nil, notFound("role", roleID)
	}
	return r, nil
}

// GetTrustRole shows a role delegated by a trust.
func (s *v3) GetTrustRole(ctx context.Context, req v3s.GetTrustRoleRequestObject) (v3s.GetTrustRoleResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	r, err := s.trustRole(ctx, req.TrustID, req.RoleID)
	if err != nil {
		return nil, err
	}
	return v3s.GetTrustRole200JSONResponse{Role: *r}, nil
}

// CheckTrustRole checks that a trust delegates a role (HEAD).
func (s *v3) CheckTrustRole(ctx context.Context, req v3s.CheckTrustRoleRequestObject) (v3s.CheckTrustRoleResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if _, err := s.trustRole(ctx, req.TrustID, req.RoleID); err != nil {
		return nil, err
	}
	return v3s.CheckTrustRole200Response{}, nil
}
