package keystonetest

import (
	"context"
	"net/http"
	"slices"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

func (st *state) roleRef(id string) v3s.RoleRef {
	r := st.roles.get(id)
	return v3s.RoleRef{ID: r.ID, Name: r.Name, Links: st.link("roles/" + r.ID)}
}

// impliedPair returns a 404 unless both roles exist.
func (st *state) impliedPair(prior, implied string) error {
	if st.roles.get(prior) == nil {
		return notFound("role", prior)
	}
	if st.roles.get(implied) == nil {
		return notFound("role", implied)
	}
	return nil
}

func (st *state) implication(prior, implied string) (v3s.ImpliedRoleEnvelope, error) {
	if err := st.impliedPair(prior, implied); err != nil {
		return v3s.ImpliedRoleEnvelope{}, err
	}
	if !slices.Contains(st.implies[prior], implied) {
		return v3s.ImpliedRoleEnvelope{}, errorf(http.StatusNotFound, "%s is not an implied role of %s", implied, prior)
	}
	return v3s.ImpliedRoleEnvelope{
		RoleInference: v3s.ImpliedRole{PriorRole: st.roleRef(prior), Implies: st.roleRef(implied)},
		Links:         st.link("roles/" + prior + "/implies/" + implied),
	}, nil
}

// CreateImpliedRole makes a role imply another.
func (s *v3) CreateImpliedRole(_ context.Context, req v3s.CreateImpliedRoleRequestObject) (v3s.CreateImpliedRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.impliedPair(req.PriorRoleID, req.ImpliesRoleID); err != nil {
		return nil, err
	}
	if _, ok := value(st.roles.get(req.ImpliesRoleID).DomainID); ok {
		return nil, errorf(http.StatusForbidden, "%s is a domain-specific role: it cannot be implied.", req.ImpliesRoleID)
	}
	if slices.Contains(st.implies[req.PriorRoleID], req.ImpliesRoleID) {
		return nil, conflict("implied_role", "prior_role_id", req.PriorRoleID)
	}
	if slices.Contains(st.expand([]string{req.ImpliesRoleID}), req.PriorRoleID) {
		return nil, errorf(http.StatusForbidden, "Creating this inference rule would create a loop.")
	}
	st.implies[req.PriorRoleID] = append(st.implies[req.PriorRoleID], req.ImpliesRoleID)
	env, err := st.implication(req.PriorRoleID, req.ImpliesRoleID)
	if err != nil {
		return nil, err
	}
	return v3s.CreateImpliedRole201JSONResponse(env), nil
}

// GetImpliedRole shows one inference rule.
func (s *v3) GetImpliedRole(_ context.Context, req v3s.GetImpliedRoleRequestObject) (v3s.GetImpliedRoleResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	env, err := s.state.implication(req.PriorRoleID, req.ImpliesRoleID)
	if err != nil {
		return nil, err
	}
	return v3s.GetImpliedRole200JSONResponse(env), nil
}

// CheckImpliedRole checks one inference rule.
func (s *v3) CheckImpliedRole(_ context.Context, req v3s.CheckImpliedRoleRequestObject) (v3s.CheckImpliedRoleResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if _, err := s.state.implication(req.PriorRoleID, req.ImpliesRoleID); err != nil {
		return nil, err
	}
	return v3s.CheckImpliedRole204Response{}, nil
}

// DeleteImpliedRole deletes one inference rule.
func (s *v3) DeleteImpliedRole(_ context.Context, req v3s.DeleteImpliedRoleRequestObject) (v3s.DeleteImpliedRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.implication(req.PriorRoleID, req.ImpliesRoleID); err != nil {
		return nil, err
	}
	st.implies[req.PriorRoleID] = slices.DeleteFunc(st.implies[req.PriorRoleID], func(s string) bool { return s == req.ImpliesRoleID })
	return v3s.DeleteImpliedRole204Response{}, nil
}

func (st *state) inference(prior string) v3s.RoleInference {
	inf := v3s.RoleInference{PriorRole: st.roleRef(prior), Implies: []v3s.RoleRef{}}
	for _, id := range st.implies[prior] {
		if st.roles.get(id) != nil {
			inf.Implies = append(inf.Implies, st.roleRef(id))
		}
	}
	return inf
}

// ListImpliedRoles lists the roles a role implies directly.
func (s *v3) ListImpliedRoles(_ context.Context, req v3s.ListImpliedRolesRequestObject) (v3s.ListImpliedRolesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.roles.get(req.PriorRoleID) == nil {
		return nil, notFound("role", req.PriorRoleID)
	}
	return v3s.ListImpliedRoles200JSONResponse{RoleInference: st.inference(req.PriorRoleID), Links: st.link("roles/" + req.PriorRoleID + "/implies")}, nil
}

// ListRoleInferences lists every inference rule.
func (s *v3) ListRoleInferences(context.Context, v3s.ListRoleInferencesRequestObject) (v3s.ListRoleInferencesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.RoleInference{}
	for _, r := range st.roles.all() {
		if len(st.implies[r.ID]) > 0 {
			out = append(out, st.inference(r.ID))
		}
	}
	return v3s.ListRoleInferences200JSONResponse{RoleInferences: out}, nil
}
