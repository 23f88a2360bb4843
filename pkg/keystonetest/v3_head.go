package keystonetest

import (
	"context"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// The HEAD forms of check routes (python-keystoneclient checks with HEAD;
// Keystone serves HEAD on every GET route): each answers as its GET.

// HeadProjectTag is CheckProjectTag as HEAD.
func (s *v3) HeadProjectTag(ctx context.Context, req v3s.HeadProjectTagRequestObject) (v3s.HeadProjectTagResponseObject, error) {
	if _, err := s.CheckProjectTag(ctx, v3s.CheckProjectTagRequestObject{ProjectID: req.ProjectID, Tag: req.Tag}); err != nil {
		return nil, err
	}
	return v3s.HeadProjectTag204Response{}, nil
}

// HeadPolicyAssociationWithEndpoint is CheckPolicyAssociationWithEndpoint
// as HEAD.
func (s *v3) HeadPolicyAssociationWithEndpoint(ctx context.Context, req v3s.HeadPolicyAssociationWithEndpointRequestObject) (v3s.HeadPolicyAssociationWithEndpointResponseObject, error) {
	if _, err := s.CheckPolicyAssociationWithEndpoint(ctx, v3s.CheckPolicyAssociationWithEndpointRequestObject{PolicyID: req.PolicyID, EndpointID: req.EndpointID}); err != nil {
		return nil, err
	}
	return v3s.HeadPolicyAssociationWithEndpoint204Response{}, nil
}

// HeadPolicyAssociationWithService is CheckPolicyAssociationWithService as
// HEAD.
func (s *v3) HeadPolicyAssociationWithService(ctx context.Context, req v3s.HeadPolicyAssociationWithServiceRequestObject) (v3s.HeadPolicyAssociationWithServiceResponseObject, error) {
	if _, err := s.CheckPolicyAssociationWithService(ctx, v3s.CheckPolicyAssociationWithServiceRequestObject{PolicyID: req.PolicyID, ServiceID: req.ServiceID}); err != nil {
		return nil, err
	}
	return v3s.HeadPolicyAssociationWithService204Response{}, nil
}

// HeadPolicyAssociationWithServiceInRegion is
// CheckPolicyAssociationWithServiceInRegion as HEAD.
func (s *v3) HeadPolicyAssociationWithServiceInRegion(ctx context.Context, req v3s.HeadPolicyAssociationWithServiceInRegionRequestObject) (v3s.HeadPolicyAssociationWithServiceInRegionResponseObject, error) {
	if _, err := s.CheckPolicyAssociationWithServiceInRegion(ctx, v3s.CheckPolicyAssociationWithServiceInRegionRequestObject{
		PolicyID: req.PolicyID, ServiceID: req.ServiceID, RegionID: req.RegionID}); err != nil {
		return nil, err
	}
	return v3s.HeadPolicyAssociationWithServiceInRegion204Response{}, nil
}
