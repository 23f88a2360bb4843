package keystonetest

import (
	"context"
	"net/http"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// --- services

// ListServices lists services.
func (s *v3) ListServices(_ context.Context, req v3s.ListServicesRequestObject) (v3s.ListServicesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.Service{}
	for _, svc := range st.services.all() {
		if (req.Params.Name != nil && svc.Name != *req.Params.Name) || (req.Params.Type != nil && svc.Type != *req.Params.Type) {
			continue
		}
		out = append(out, *svc)
	}
	return v3s.ListServices200JSONResponse{Services: out, Links: st.collection("services")}, nil
}

// CreateService creates a service.
func (s *v3) CreateService(_ context.Context, req v3s.CreateServiceRequestObject) (v3s.CreateServiceResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find service in request body.")
	}
	in := req.Body.Service
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	svc := &v3s.Service{ID: id, Type: in.Type, Enabled: in.Enabled == nil || *in.Enabled, Links: st.link("services/" + id),
		AdditionalProperties: in.AdditionalProperties}
	if in.Name != nil {
		svc.Name = *in.Name
	}
	if in.Description.IsSpecified() {
		svc.Description = in.Description
	}
	st.services.put(id, svc)
	return v3s.CreateService201JSONResponse{Service: *svc}, nil
}

// GetService shows a service.
func (s *v3) GetService(_ context.Context, req v3s.GetServiceRequestObject) (v3s.GetServiceResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	svc := st.services.get(req.ServiceID)
	if svc == nil {
		return nil, notFound("service", req.ServiceID)
	}
	return v3s.GetService200JSONResponse{Service: *svc}, nil
}

// UpdateService updates a service.
func (s *v3) UpdateService(_ context.Context, req v3s.UpdateServiceRequestObject) (v3s.UpdateServiceResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find service in request body.")
	}
	in := req.Body.Service
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	svc := st.services.get(req.ServiceID)
	if svc == nil {
		return nil, notFound("service", req.ServiceID)
	}
	if in.Name != nil {
		svc.Name = *in.Name
	}
	if in.Type != nil {
		svc.Type = *in.Type
	}
	if in.Enabled != nil {
		svc.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		svc.Description = in.Description
	}
	mergeExtras(&svc.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdateService200JSONResponse{Service: *svc}, nil
}

// DeleteService deletes a service and its endpoints.
func (s *v3) DeleteService(_ context.Context, req v3s.DeleteServiceRequestObject) (v3s.DeleteServiceResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.services.get(req.ServiceID) == nil {
		return nil, notFound("service", req.ServiceID)
	}
	for _, ep := range st.endpoints.all() {
		if ep.ServiceID == req.ServiceID {
			st.endpoints.del(ep.ID)
		}
	}
	st.services.del(req.ServiceID)
	return v3s.DeleteService204Response{}, nil
}

// --- endpoints

// ListEndpoints lists endpoints.
func (s *v3) ListEndpoints(_ context.Context, req v3s.ListEndpointsRequestObject) (v3s.ListEndpointsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := req.Params
	out := []v3s.Endpoint{}
	for _, ep := range st.endpoints.all() {
		region, _ := value(ep.RegionID)
		if (p.Interface != nil && ep.Interface != *p.Interface) || (p.ServiceID != nil && ep.ServiceID != *p.ServiceID) ||
			(p.RegionID != nil && region != *p.RegionID) {
			continue
		}
		out = append(out, *ep)
	}
	return v3s.ListEndpoints200JSONResponse{Endpoints: out, Links: st.collection("endpoints")}, nil
}

func validInterface(i v3s.EndpointInterface) error {
	switch i {
	case v3s.EndpointInterfacePublic, v3s.EndpointInterfaceInternal, v3s.EndpointInterfaceAdmin:
		return nil
	}
	return badRequest("Invalid input for field 'interface': %q is not one of ['public', 'internal', 'admin'].", string(i))
}

// regionOf resolves region_id, or the legacy region, of an endpoint request.
func (st *state) regionOf(regionID, region *string) (string, error) {
	id := regionID
	if id == nil {
		id = region
	}
	if id == nil {
		return "", nil
	}
	if st.regions.get(*id) == nil {
		return "", badRequest("Region %s not found", *id)
	}
	return *id, nil
}

// CreateEndpoint creates an endpoint.
func (s *v3) CreateEndpoint(_ context.Context, req v3s.CreateEndpointRequestObject) (v3s.CreateEndpointResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find endpoint in request body.")
	}
	in := req.Body.Endpoint
	if err := validInterface(in.Interface); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.services.get(in.ServiceID) == nil {
		return nil, badRequest("Service %s not found", in.ServiceID)
	}
	region, err := st.regionOf(in.RegionID, in.Region)
	if err != nil {
		return nil, err
	}
	id := newID()
	ep := &v3s.Endpoint{ID: id, Interface: in.Interface, ServiceID: in.ServiceID, URL: in.URL,
		Enabled: in.Enabled == nil || *in.Enabled, Region: null[string](), RegionID: null[string](),
		Links: st.link("endpoints/" + id), AdditionalProperties: in.AdditionalProperties}
	if region != "" {
		ep.Region, ep.RegionID = some(region), some(region)
	}
	if in.Description.IsSpecified() {
		ep.Description = in.Description
	}
	if in.Name.IsSpecified() {
		ep.Name = in.Name
	}
	st.endpoints.put(id, ep)
	return v3s.CreateEndpoint201JSONResponse{Endpoint: *ep}, nil
}

// GetEndpoint shows an endpoint.
func (s *v3) GetEndpoint(_ context.Context, req v3s.GetEndpointRequestObject) (v3s.GetEndpointResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	ep := st.endpoints.get(req.EndpointID)
	if ep == nil {
		return nil, notFound("endpoint", req.EndpointID)
	}
	return v3s.GetEndpoint200JSONResponse{Endpoint: *ep}, nil
}

// UpdateEndpoint updates an endpoint.
func (s *v3) UpdateEndpoint(_ context.Context, req v3s.UpdateEndpointRequestObject) (v3s.UpdateEndpointResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find endpoint in request body.")
	}
	in := req.Body.Endpoint
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	ep := st.endpoints.get(req.EndpointID)
	if ep == nil {
		return nil, notFound("endpoint", req.EndpointID)
	}
	if in.Interface != nil {
		if err := validInterface(*in.Interface); err != nil {
			return nil, err
		}
		ep.Interface = *in.Interface
	}
	if in.ServiceID != nil {
		if st.services.get(*in.ServiceID) == nil {
			return nil, badRequest("Service %s not found", *in.ServiceID)
		}
		ep.ServiceID = *in.ServiceID
	}
	if in.RegionID != nil || in.Region != nil {
		region, err := st.regionOf(in.RegionID, in.Region)
		if err != nil {
			return nil, err
		}
		ep.Region, ep.RegionID = some(region), some(region)
	}
	if in.URL != nil {
		ep.URL = *in.URL
	}
	if in.Enabled != nil {
		ep.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		ep.Description = in.Description
	}
	if in.Name.IsSpecified() {
		ep.Name = in.Name
	}
	mergeExtras(&ep.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdateEndpoint200JSONResponse{Endpoint: *ep}, nil
}

// DeleteEndpoint deletes an endpoint.
func (s *v3) DeleteEndpoint(_ context.Context, req v3s.DeleteEndpointRequestObject) (v3s.DeleteEndpointResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.endpoints.get(req.EndpointID) == nil {
		return nil, notFound("endpoint", req.EndpointID)
	}
	st.epArea.dropEndpoint(req.EndpointID) // OS-EP-FILTER associations (v3_epfilter.go)
	st.endpoints.del(req.EndpointID)
	return v3s.DeleteEndpoint204Response{}, nil
}

// --- regions

// ListRegions lists regions.
func (s *v3) ListRegions(_ context.Context, req v3s.ListRegionsRequestObject) (v3s.ListRegionsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.Region{}
	for _, r := range st.regions.all() {
		if parent, _ := value(r.ParentRegionID); req.Params.ParentRegionID != nil && parent != *req.Params.ParentRegionID {
			continue
		}
		out = append(out, *r)
	}
	return v3s.ListRegions200JSONResponse{Regions: out, Links: st.collection("regions")}, nil
}

// CreateRegion creates a region, with a random ID unless one is given.
func (s *v3) CreateRegion(_ context.Context, req v3s.CreateRegionRequestObject) (v3s.CreateRegionResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find region in request body.")
	}
	in := req.Body.Region
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	if in.ID != nil {
		id = *in.ID
	}
	if st.regions.get(id) != nil {
		return nil, conflict("region", "id", id)
	}
	r := &v3s.Region{ID: id, ParentRegionID: null[string](), Links: st.link("regions/" + id), AdditionalProperties: in.AdditionalProperties}
	if parent, ok := value(in.ParentRegionID); ok {
		if st.regions.get(parent) == nil {
			return nil, notFound("region", parent)
		}
		r.ParentRegionID = some(parent)
	}
	r.Description, _ = value(in.Description)
	st.regions.put(id, r)
	return v3s.CreateRegion201JSONResponse{Region: *r}, nil
}

// GetRegion shows a region.
func (s *v3) GetRegion(_ context.Context, req v3s.GetRegionRequestObject) (v3s.GetRegionResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.regions.get(req.RegionID)
	if r == nil {
		return nil, notFound("region", req.RegionID)
	}
	return v3s.GetRegion200JSONResponse{Region: *r}, nil
}

// UpdateRegion updates a region.
func (s *v3) UpdateRegion(_ context.Context, req v3s.UpdateRegionRequestObject) (v3s.UpdateRegionResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find region in request body.")
	}
	in := req.Body.Region
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.regions.get(req.RegionID)
	if r == nil {
		return nil, notFound("region", req.RegionID)
	}
	if in.ID != nil && *in.ID != r.ID {
		return nil, badRequest("Cannot change region ID.")
	}
	if in.ParentRegionID.IsSpecified() {
		parent, ok := value(in.ParentRegionID)
		if ok {
			if parent == r.ID {
				return nil, badRequest("Circular reference or a repeated entry found in region tree - %s.", r.ID)
			}
			if st.regions.get(parent) == nil {
				return nil, notFound("region", parent)
			}
		}
		r.ParentRegionID = in.ParentRegionID
	}
	if in.Description.IsSpecified() {
		r.Description, _ = value(in.Description)
	}
	mergeExtras(&r.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdateRegion200JSONResponse{Region: *r}, nil
}

// DeleteRegion deletes a region without children.
func (s *v3) DeleteRegion(_ context.Context, req v3s.DeleteRegionRequestObject) (v3s.DeleteRegionResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.regions.get(req.RegionID) == nil {
		return nil, notFound("region", req.RegionID)
	}
	for _, r := range st.regions.all() {
		if parent, _ := value(r.ParentRegionID); parent == req.RegionID {
			return nil, errorf(http.StatusForbidden, "Unable to delete region %s because it or its child regions have associated endpoints.", req.RegionID)
		}
	}
	for _, ep := range st.endpoints.all() {
		if region, _ := value(ep.RegionID); region == req.RegionID {
			return nil, errorf(http.StatusForbidden, "Unable to delete region %s because it or its child regions have associated endpoints.", req.RegionID)
		}
	}
	st.regions.del(req.RegionID)
	return v3s.DeleteRegion204Response{}, nil
}
