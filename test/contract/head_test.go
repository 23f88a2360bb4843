//go:build integration

package contract

import (
	"testing"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// TestEndpointPolicyHead checks the HEAD forms of the endpoint policy
// association checks, which python-keystoneclient sends: 204 for an
// association, 404 without one.
func TestEndpointPolicyHead(t *testing.T) {
	region := newRegion(t, v3.RegionCreate{})
	svc := newService(t, v3.ServiceCreate{})
	ep := newEndpoint(t, v3.EndpointCreate{ServiceID: svc.ID, Interface: v3.EndpointInterfacePublic, URL: "http://127.0.0.1:1/h", RegionID: &region.ID})
	pol := newPolicy(t)

	h, err := adm.HeadPolicyAssociationWithEndpointWithResponse(t.Context(), pol.ID, ep.ID)
	expectError(t, h, err, 404)
	r, err := adm.AssociatePolicyWithEndpointWithResponse(t.Context(), pol.ID, ep.ID)
	expect(t, r, err, 204)
	h, err = adm.HeadPolicyAssociationWithEndpointWithResponse(t.Context(), pol.ID, ep.ID)
	expect(t, h, err, 204)

	hs, err := adm.HeadPolicyAssociationWithServiceWithResponse(t.Context(), pol.ID, svc.ID)
	expectError(t, hs, err, 404)
	rs, err := adm.AssociatePolicyWithServiceWithResponse(t.Context(), pol.ID, svc.ID)
	expect(t, rs, err, 204)
	hs, err = adm.HeadPolicyAssociationWithServiceWithResponse(t.Context(), pol.ID, svc.ID)
	expect(t, hs, err, 204)

	hr, err := adm.HeadPolicyAssociationWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
	expectError(t, hr, err, 404)
	rr, err := adm.AssociatePolicyWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
	expect(t, rr, err, 204)
	hr, err = adm.HeadPolicyAssociationWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
	expect(t, hr, err, 204)
}
