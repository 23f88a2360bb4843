package keystone

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// RegionsManager manages regions.
type RegionsManager struct{ c *V3Client }

// Create creates a region.
func (m *RegionsManager) Create(ctx context.Context, region identityv3.RegionCreate) (*identityv3.Region, error) {
	e, err := call[identityv3.RegionEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateRegion(ctx, identityv3.RegionCreateRequest{Region: region})
	})
	if err != nil {
		return nil, err
	}
	return &e.Region, nil
}

// Get returns a region.
func (m *RegionsManager) Get(ctx context.Context, regionID string) (*identityv3.Region, error) {
	e, err := call[identityv3.RegionEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetRegion(ctx, regionID) })
	if err != nil {
		return nil, err
	}
	return &e.Region, nil
}

// Update changes a region.
func (m *RegionsManager) Update(ctx context.Context, regionID string, region identityv3.RegionUpdate) (*identityv3.Region, error) {
	e, err := call[identityv3.RegionEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateRegion(ctx, regionID, identityv3.RegionUpdateRequest{Region: region})
	})
	if err != nil {
		return nil, err
	}
	return &e.Region, nil
}

// Delete deletes a region.
func (m *RegionsManager) Delete(ctx context.Context, regionID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteRegion(ctx, regionID) })
}

// ListAll collects List.
func (m *RegionsManager) ListAll(ctx context.Context, opts *identityv3.ListRegionsParams) ([]identityv3.Region, error) {
	return Collect(m.List(ctx, opts))
}

// List lists regions, following the server's pages.
func (m *RegionsManager) List(ctx context.Context, opts *identityv3.ListRegionsParams) iter.Seq2[identityv3.Region, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRegions(ctx, opts) },
		func(l *identityv3.RegionList) ([]identityv3.Region, *string) { return l.Regions, nextLink(l.Links) })
}

// ServicesManager manages services of the catalog.
type ServicesManager struct{ c *V3Client }

// Create creates a service.
func (m *ServicesManager) Create(ctx context.Context, service identityv3.ServiceCreate) (*identityv3.Service, error) {
	e, err := call[identityv3.ServiceEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateService(ctx, identityv3.ServiceCreateRequest{Service: service})
	})
	if err != nil {
		return nil, err
	}
	return &e.Service, nil
}

// Get returns a service.
func (m *ServicesManager) Get(ctx context.Context, serviceID string) (*identityv3.Service, error) {
	e, err := call[identityv3.ServiceEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetService(ctx, serviceID) })
	if err != nil {
		return nil, err
	}
	return &e.Service, nil
}

// Update changes a service.
func (m *ServicesManager) Update(ctx context.Context, serviceID string, service identityv3.ServiceUpdate) (*identityv3.Service, error) {
	e, err := call[identityv3.ServiceEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateService(ctx, serviceID, identityv3.ServiceUpdateRequest{Service: service})
	})
	if err != nil {
		return nil, err
	}
	return &e.Service, nil
}

// Delete deletes a service.
func (m *ServicesManager) Delete(ctx context.Context, serviceID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteService(ctx, serviceID) })
}

// ListAll collects List.
func (m *ServicesManager) ListAll(ctx context.Context, opts *identityv3.ListServicesParams) ([]identityv3.Service, error) {
	return Collect(m.List(ctx, opts))
}

// List lists services, following the server's pages.
func (m *ServicesManager) List(ctx context.Context, opts *identityv3.ListServicesParams) iter.Seq2[identityv3.Service, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListServices(ctx, opts) },
		func(l *identityv3.ServiceList) ([]identityv3.Service, *string) { return l.Services, nextLink(l.Links) })
}

// EndpointsManager manages endpoints of the catalog.
type EndpointsManager struct{ c *V3Client }

// Create creates a endpoint.
func (m *EndpointsManager) Create(ctx context.Context, endpoint identityv3.EndpointCreate) (*identityv3.Endpoint, error) {
	e, err := call[identityv3.EndpointEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateEndpoint(ctx, identityv3.EndpointCreateRequest{Endpoint: endpoint})
	})
	if err != nil {
		return nil, err
	}
	return &e.Endpoint, nil
}

// Get returns a endpoint.
func (m *EndpointsManager) Get(ctx context.Context, endpointID string) (*identityv3.Endpoint, error) {
	e, err := call[identityv3.EndpointEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetEndpoint(ctx, endpointID) })
	if err != nil {
		return nil, err
	}
	return &e.Endpoint, nil
}

// Update changes a endpoint.
func (m *EndpointsManager) Update(ctx context.Context, endpointID string, endpoint identityv3.EndpointUpdate) (*identityv3.Endpoint, error) {
	e, err := call[identityv3.EndpointEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateEndpoint(ctx, endpointID, identityv3.EndpointUpdateRequest{Endpoint: endpoint})
	})
	if err != nil {
		return nil, err
	}
	return &e.Endpoint, nil
}

// Delete deletes a endpoint.
func (m *EndpointsManager) Delete(ctx context.Context, endpointID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteEndpoint(ctx, endpointID) })
}

// ListAll collects List.
func (m *EndpointsManager) ListAll(ctx context.Context, opts *identityv3.ListEndpointsParams) ([]identityv3.Endpoint, error) {
	return Collect(m.List(ctx, opts))
}

// List lists endpoints, following the server's pages.
func (m *EndpointsManager) List(ctx context.Context, opts *identityv3.ListEndpointsParams) iter.Seq2[identityv3.Endpoint, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListEndpoints(ctx, opts) },
		func(l *identityv3.EndpointList) ([]identityv3.Endpoint, *string) {
			return l.Endpoints, nextLink(l.Links)
		})
}

// Policy returns the policy effective for an endpoint (OS-ENDPOINT-POLICY).
func (m *EndpointsManager) Policy(ctx context.Context, endpointID string) (*identityv3.Policy, error) {
	e, err := call[identityv3.PolicyEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetPolicyForEndpoint(ctx, endpointID)
	})
	if err != nil {
		return nil, err
	}
	return &e.Policy, nil
}

// PoliciesManager manages policy blobs.
type PoliciesManager struct{ c *V3Client }

// Create creates a policy.
func (m *PoliciesManager) Create(ctx context.Context, policy identityv3.PolicyCreate) (*identityv3.Policy, error) {
	e, err := call[identityv3.PolicyEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreatePolicy(ctx, identityv3.PolicyCreateRequest{Policy: policy})
	})
	if err != nil {
		return nil, err
	}
	return &e.Policy, nil
}

// Get returns a policy.
func (m *PoliciesManager) Get(ctx context.Context, policyID string) (*identityv3.Policy, error) {
	e, err := call[identityv3.PolicyEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetPolicy(ctx, policyID) })
	if err != nil {
		return nil, err
	}
	return &e.Policy, nil
}

// Update changes a policy.
func (m *PoliciesManager) Update(ctx context.Context, policyID string, policy identityv3.PolicyUpdate) (*identityv3.Policy, error) {
	e, err := call[identityv3.PolicyEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdatePolicy(ctx, policyID, identityv3.PolicyUpdateRequest{Policy: policy})
	})
	if err != nil {
		return nil, err
	}
	return &e.Policy, nil
}

// Delete deletes a policy.
func (m *PoliciesManager) Delete(ctx context.Context, policyID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeletePolicy(ctx, policyID) })
}

// ListAll collects List.
func (m *PoliciesManager) ListAll(ctx context.Context, opts *identityv3.ListPoliciesParams) ([]identityv3.Policy, error) {
	return Collect(m.List(ctx, opts))
}

// List lists policies, following the server's pages.
func (m *PoliciesManager) List(ctx context.Context, opts *identityv3.ListPoliciesParams) iter.Seq2[identityv3.Policy, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListPolicies(ctx, opts) },
		func(l *identityv3.PolicyList) ([]identityv3.Policy, *string) { return l.Policies, nextLink(l.Links) })
}

// CredentialsManager manages credentials.
type CredentialsManager struct{ c *V3Client }

// Create creates a credential.
func (m *CredentialsManager) Create(ctx context.Context, credential identityv3.CredentialCreate) (*identityv3.Credential, error) {
	e, err := call[identityv3.CredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateCredential(ctx, identityv3.CredentialCreateRequest{Credential: credential})
	})
	if err != nil {
		return nil, err
	}
	return &e.Credential, nil
}

// Get returns a credential.
func (m *CredentialsManager) Get(ctx context.Context, credentialID string) (*identityv3.Credential, error) {
	e, err := call[identityv3.CredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetCredential(ctx, credentialID) })
	if err != nil {
		return nil, err
	}
	return &e.Credential, nil
}

// Update changes a credential.
func (m *CredentialsManager) Update(ctx context.Context, credentialID string, credential identityv3.CredentialUpdate) (*identityv3.Credential, error) {
	e, err := call[identityv3.CredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateCredential(ctx, credentialID, identityv3.CredentialUpdateRequest{Credential: credential})
	})
	if err != nil {
		return nil, err
	}
	return &e.Credential, nil
}

// Delete deletes a credential.
func (m *CredentialsManager) Delete(ctx context.Context, credentialID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteCredential(ctx, credentialID) })
}

// ListAll collects List.
func (m *CredentialsManager) ListAll(ctx context.Context, opts *identityv3.ListCredentialsParams) ([]identityv3.Credential, error) {
	return Collect(m.List(ctx, opts))
}

// List lists credentials, following the server's pages.
func (m *CredentialsManager) List(ctx context.Context, opts *identityv3.ListCredentialsParams) iter.Seq2[identityv3.Credential, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListCredentials(ctx, opts) },
		func(l *identityv3.CredentialList) ([]identityv3.Credential, *string) {
			return l.Credentials, nextLink(l.Links)
		})
}
