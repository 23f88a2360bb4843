package keystone

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// EndpointFilterManager manages project-endpoint associations (OS-EP-FILTER).
type EndpointFilterManager struct{ c *V3Client }

// AddEndpoint associates an endpoint with a project.
func (m *EndpointFilterManager) AddEndpoint(ctx context.Context, projectID string, endpointID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.AddEndpointToProject(ctx, projectID, endpointID)
	})
}

// HasEndpoint reports whether an endpoint is associated with a project.
func (m *EndpointFilterManager) HasEndpoint(ctx context.Context, projectID string, endpointID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckEndpointInProject(ctx, projectID, endpointID)
	})
}

// RemoveEndpoint removes the association of an endpoint with a project.
func (m *EndpointFilterManager) RemoveEndpoint(ctx context.Context, projectID string, endpointID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RemoveEndpointFromProject(ctx, projectID, endpointID)
	})
}

// EndpointsAll collects Endpoints.
func (m *EndpointFilterManager) EndpointsAll(ctx context.Context, projectID string) ([]identityv3.Endpoint, error) {
	return Collect(m.Endpoints(ctx, projectID))
}

// Endpoints lists the endpoints associated with a project, following the server's pages.
func (m *EndpointFilterManager) Endpoints(ctx context.Context, projectID string) iter.Seq2[identityv3.Endpoint, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListEndpointsForProject(ctx, projectID)
	},
		func(l *identityv3.EndpointList) ([]identityv3.Endpoint, *string) {
			return l.Endpoints, nextLink(l.Links)
		})
}

// ProjectsAll collects Projects.
func (m *EndpointFilterManager) ProjectsAll(ctx context.Context, endpointID string) ([]identityv3.Project, error) {
	return Collect(m.Projects(ctx, endpointID))
}

// Projects lists the projects an endpoint is associated with, following the server's pages.
func (m *EndpointFilterManager) Projects(ctx context.Context, endpointID string) iter.Seq2[identityv3.Project, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListProjectsForEndpoint(ctx, endpointID)
	},
		func(l *identityv3.ProjectList) ([]identityv3.Project, *string) { return l.Projects, nextLink(l.Links) })
}

// EndpointGroupsManager manages endpoint groups (OS-EP-FILTER).
type EndpointGroupsManager struct{ c *V3Client }

// Create creates an endpoint group.
func (m *EndpointGroupsManager) Create(ctx context.Context, endpointGroup identityv3.EndpointGroupCreate) (*identityv3.EndpointGroup, error) {
	e, err := call[identityv3.EndpointGroupEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateEndpointGroup(ctx, identityv3.EndpointGroupCreateRequest{EndpointGroup: endpointGroup})
	})
	if err != nil {
		return nil, err
	}
	return &e.EndpointGroup, nil
}

// Get returns an endpoint group.
func (m *EndpointGroupsManager) Get(ctx context.Context, endpointGroupID string) (*identityv3.EndpointGroup, error) {
	e, err := call[identityv3.EndpointGroupEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetEndpointGroup(ctx, endpointGroupID)
	})
	if err != nil {
		return nil, err
	}
	return &e.EndpointGroup, nil
}

// Exists reports whether an endpoint group exists.
func (m *EndpointGroupsManager) Exists(ctx context.Context, endpointGroupID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckEndpointGroup(ctx, endpointGroupID)
	})
}

// Update changes an endpoint group.
func (m *EndpointGroupsManager) Update(ctx context.Context, endpointGroupID string, endpointGroup identityv3.EndpointGroupUpdate) (*identityv3.EndpointGroup, error) {
	e, err := call[identityv3.EndpointGroupEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateEndpointGroup(ctx, endpointGroupID, identityv3.EndpointGroupUpdateRequest{EndpointGroup: endpointGroup})
	})
	if err != nil {
		return nil, err
	}
	return &e.EndpointGroup, nil
}

// Delete deletes an endpoint group.
func (m *EndpointGroupsManager) Delete(ctx context.Context, endpointGroupID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteEndpointGroup(ctx, endpointGroupID)
	})
}

// ListAll collects List.
func (m *EndpointGroupsManager) ListAll(ctx context.Context, opts *identityv3.ListEndpointGroupsParams) ([]identityv3.EndpointGroup, error) {
	return Collect(m.List(ctx, opts))
}

// List lists endpoint groups, following the server's pages.
func (m *EndpointGroupsManager) List(ctx context.Context, opts *identityv3.ListEndpointGroupsParams) iter.Seq2[identityv3.EndpointGroup, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListEndpointGroups(ctx, opts) },
		func(l *identityv3.EndpointGroupList) ([]identityv3.EndpointGroup, *string) {
			return l.EndpointGroups, nextLink(l.Links)
		})
}

// AddToProject associates an endpoint group with a project.
func (m *EndpointGroupsManager) AddToProject(ctx context.Context, endpointGroupID string, projectID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.AddEndpointGroupToProject(ctx, endpointGroupID, projectID)
	})
}

// GetProjectAssociation returns the association of an endpoint group with a project.
func (m *EndpointGroupsManager) GetProjectAssociation(ctx context.Context, endpointGroupID string, projectID string) (*identityv3.ProjectEndpointGroup, error) {
	e, err := call[identityv3.ProjectEndpointGroupEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetEndpointGroupInProject(ctx, endpointGroupID, projectID)
	})
	if err != nil {
		return nil, err
	}
	return &e.ProjectEndpointGroup, nil
}

// InProject reports whether an endpoint group is associated with a project.
func (m *EndpointGroupsManager) InProject(ctx context.Context, endpointGroupID string, projectID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckEndpointGroupInProject(ctx, endpointGroupID, projectID)
	})
}

// RemoveFromProject removes the association of an endpoint group with a project.
func (m *EndpointGroupsManager) RemoveFromProject(ctx context.Context, endpointGroupID string, projectID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RemoveEndpointGroupFromProject(ctx, endpointGroupID, projectID)
	})
}

// ProjectsAll collects Projects.
func (m *EndpointGroupsManager) ProjectsAll(ctx context.Context, endpointGroupID string) ([]identityv3.Project, error) {
	return Collect(m.Projects(ctx, endpointGroupID))
}

// Projects lists the projects associated with an endpoint group, following the server's pages.
func (m *EndpointGroupsManager) Projects(ctx context.Context, endpointGroupID string) iter.Seq2[identityv3.Project, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListProjectsForEndpointGroup(ctx, endpointGroupID)
	},
		func(l *identityv3.ProjectList) ([]identityv3.Project, *string) { return l.Projects, nextLink(l.Links) })
}

// EndpointsAll collects Endpoints.
func (m *EndpointGroupsManager) EndpointsAll(ctx context.Context, endpointGroupID string) ([]identityv3.Endpoint, error) {
	return Collect(m.Endpoints(ctx, endpointGroupID))
}

// Endpoints lists the endpoints an endpoint group selects, following the server's pages.
func (m *EndpointGroupsManager) Endpoints(ctx context.Context, endpointGroupID string) iter.Seq2[identityv3.Endpoint, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListEndpointsInEndpointGroup(ctx, endpointGroupID)
	},
		func(l *identityv3.EndpointList) ([]identityv3.Endpoint, *string) {
			return l.Endpoints, nextLink(l.Links)
		})
}

// ForProjectAll collects ForProject.
func (m *EndpointGroupsManager) ForProjectAll(ctx context.Context, projectID string) ([]identityv3.EndpointGroup, error) {
	return Collect(m.ForProject(ctx, projectID))
}

// ForProject lists the endpoint groups associated with a project, following the server's pages.
func (m *EndpointGroupsManager) ForProject(ctx context.Context, projectID string) iter.Seq2[identityv3.EndpointGroup, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListEndpointGroupsForProject(ctx, projectID)
	},
		func(l *identityv3.EndpointGroupList) ([]identityv3.EndpointGroup, *string) {
			return l.EndpointGroups, nextLink(l.Links)
		})
}

// EndpointPolicyManager manages policies associated with endpoints (OS-ENDPOINT-POLICY).
type EndpointPolicyManager struct{ c *V3Client }

// AssociateWithEndpoint associates a policy with an endpoint.
func (m *EndpointPolicyManager) AssociateWithEndpoint(ctx context.Context, policyID string, endpointID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.AssociatePolicyWithEndpoint(ctx, policyID, endpointID)
	})
}

// IsAssociatedWithEndpoint reports whether a policy is associated with an endpoint.
func (m *EndpointPolicyManager) IsAssociatedWithEndpoint(ctx context.Context, policyID string, endpointID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckPolicyAssociationWithEndpoint(ctx, policyID, endpointID)
	})
}

// RemoveFromEndpoint removes the association of a policy with an endpoint.
func (m *EndpointPolicyManager) RemoveFromEndpoint(ctx context.Context, policyID string, endpointID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RemovePolicyAssociationWithEndpoint(ctx, policyID, endpointID)
	})
}

// AssociateWithService associates a policy with every endpoint of a service.
func (m *EndpointPolicyManager) AssociateWithService(ctx context.Context, policyID string, serviceID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.AssociatePolicyWithService(ctx, policyID, serviceID)
	})
}

// IsAssociatedWithService reports whether a policy is associated with a service.
func (m *EndpointPolicyManager) IsAssociatedWithService(ctx context.Context, policyID string, serviceID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckPolicyAssociationWithService(ctx, policyID, serviceID)
	})
}

// RemoveFromService removes the association of a policy with a service.
func (m *EndpointPolicyManager) RemoveFromService(ctx context.Context, policyID string, serviceID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RemovePolicyAssociationWithService(ctx, policyID, serviceID)
	})
}

// AssociateWithServiceInRegion associates a policy with the endpoints of a service in a region.
func (m *EndpointPolicyManager) AssociateWithServiceInRegion(ctx context.Context, policyID string, serviceID string, regionID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.AssociatePolicyWithServiceInRegion(ctx, policyID, serviceID, regionID)
	})
}

// IsAssociatedWithServiceInRegion reports whether a policy is associated with a service in a region.
func (m *EndpointPolicyManager) IsAssociatedWithServiceInRegion(ctx context.Context, policyID string, serviceID string, regionID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckPolicyAssociationWithServiceInRegion(ctx, policyID, serviceID, regionID)
	})
}

// RemoveFromServiceInRegion removes the association of a policy with a service in a region.
func (m *EndpointPolicyManager) RemoveFromServiceInRegion(ctx context.Context, policyID string, serviceID string, regionID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RemovePolicyAssociationWithServiceInRegion(ctx, policyID, serviceID, regionID)
	})
}

// EndpointsAll collects Endpoints.
func (m *EndpointPolicyManager) EndpointsAll(ctx context.Context, policyID string) ([]identityv3.Endpoint, error) {
	return Collect(m.Endpoints(ctx, policyID))
}

// Endpoints lists the endpoints a policy applies to, following the server's pages.
func (m *EndpointPolicyManager) Endpoints(ctx context.Context, policyID string) iter.Seq2[identityv3.Endpoint, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListEndpointsForPolicy(ctx, policyID)
	},
		func(l *identityv3.EndpointList) ([]identityv3.Endpoint, *string) {
			return l.Endpoints, nextLink(l.Links)
		})
}

// ForEndpoint returns the policy effective for an endpoint.
func (m *EndpointPolicyManager) ForEndpoint(ctx context.Context, endpointID string) (*identityv3.Policy, error) {
	e, err := call[identityv3.PolicyEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetPolicyForEndpoint(ctx, endpointID)
	})
	if err != nil {
		return nil, err
	}
	return &e.Policy, nil
}

// IdentityProvidersManager manages identity providers and their protocols.
type IdentityProvidersManager struct{ c *V3Client }

// Create registers an identity provider under the given ID.
func (m *IdentityProvidersManager) Create(ctx context.Context, idpID string, identityProvider identityv3.IdentityProviderCreate) (*identityv3.IdentityProvider, error) {
	e, err := call[identityv3.IdentityProviderEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateIdentityProvider(ctx, idpID, identityv3.IdentityProviderCreateRequest{IdentityProvider: identityProvider})
	})
	if err != nil {
		return nil, err
	}
	return &e.IdentityProvider, nil
}

// Get returns an identity provider.
func (m *IdentityProvidersManager) Get(ctx context.Context, idpID string) (*identityv3.IdentityProvider, error) {
	e, err := call[identityv3.IdentityProviderEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetIdentityProvider(ctx, idpID) })
	if err != nil {
		return nil, err
	}
	return &e.IdentityProvider, nil
}

// Update changes an identity provider.
func (m *IdentityProvidersManager) Update(ctx context.Context, idpID string, identityProvider identityv3.IdentityProviderUpdate) (*identityv3.IdentityProvider, error) {
	e, err := call[identityv3.IdentityProviderEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateIdentityProvider(ctx, idpID, identityv3.IdentityProviderUpdateRequest{IdentityProvider: identityProvider})
	})
	if err != nil {
		return nil, err
	}
	return &e.IdentityProvider, nil
}

// Delete deletes an identity provider and its protocols.
func (m *IdentityProvidersManager) Delete(ctx context.Context, idpID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteIdentityProvider(ctx, idpID) })
}

// ListAll collects List.
func (m *IdentityProvidersManager) ListAll(ctx context.Context, opts *identityv3.ListIdentityProvidersParams) ([]identityv3.IdentityProvider, error) {
	return Collect(m.List(ctx, opts))
}

// List lists identity providers, following the server's pages.
func (m *IdentityProvidersManager) List(ctx context.Context, opts *identityv3.ListIdentityProvidersParams) iter.Seq2[identityv3.IdentityProvider, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListIdentityProviders(ctx, opts) },
		func(l *identityv3.IdentityProviderList) ([]identityv3.IdentityProvider, *string) {
			return l.IdentityProviders, nextLink(l.Links)
		})
}

// CreateProtocol adds a federation protocol to an identity provider.
func (m *IdentityProvidersManager) CreateProtocol(ctx context.Context, idpID string, protocolID string, protocol identityv3.FederationProtocolCreate) (*identityv3.FederationProtocol, error) {
	e, err := call[identityv3.FederationProtocolEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateIdentityProviderProtocol(ctx, idpID, protocolID, identityv3.FederationProtocolCreateRequest{Protocol: protocol})
	})
	if err != nil {
		return nil, err
	}
	return &e.Protocol, nil
}

// GetProtocol returns a federation protocol of an identity provider.
func (m *IdentityProvidersManager) GetProtocol(ctx context.Context, idpID string, protocolID string) (*identityv3.FederationProtocol, error) {
	e, err := call[identityv3.FederationProtocolEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetIdentityProviderProtocol(ctx, idpID, protocolID)
	})
	if err != nil {
		return nil, err
	}
	return &e.Protocol, nil
}

// UpdateProtocol changes a federation protocol of an identity provider.
func (m *IdentityProvidersManager) UpdateProtocol(ctx context.Context, idpID string, protocolID string, protocol identityv3.FederationProtocolUpdate) (*identityv3.FederationProtocol, error) {
	e, err := call[identityv3.FederationProtocolEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateIdentityProviderProtocol(ctx, idpID, protocolID, identityv3.FederationProtocolUpdateRequest{Protocol: protocol})
	})
	if err != nil {
		return nil, err
	}
	return &e.Protocol, nil
}

// DeleteProtocol removes a federation protocol from an identity provider.
func (m *IdentityProvidersManager) DeleteProtocol(ctx context.Context, idpID string, protocolID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteIdentityProviderProtocol(ctx, idpID, protocolID)
	})
}

// ListProtocolsAll collects ListProtocols.
func (m *IdentityProvidersManager) ListProtocolsAll(ctx context.Context, idpID string) ([]identityv3.FederationProtocol, error) {
	return Collect(m.ListProtocols(ctx, idpID))
}

// ListProtocols lists the federation protocols of an identity provider, following the server's pages.
func (m *IdentityProvidersManager) ListProtocols(ctx context.Context, idpID string) iter.Seq2[identityv3.FederationProtocol, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListIdentityProviderProtocols(ctx, idpID)
	},
		func(l *identityv3.FederationProtocolList) ([]identityv3.FederationProtocol, *string) {
			return l.Protocols, nextLink(l.Links)
		})
}

// MappingsManager manages federation mappings.
type MappingsManager struct{ c *V3Client }

// Create creates a federation mapping under the given ID.
func (m *MappingsManager) Create(ctx context.Context, mappingID string, mapping identityv3.MappingCreate) (*identityv3.Mapping, error) {
	e, err := call[identityv3.MappingEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateMapping(ctx, mappingID, identityv3.MappingCreateRequest{Mapping: mapping})
	})
	if err != nil {
		return nil, err
	}
	return &e.Mapping, nil
}

// Get returns a federation mapping.
func (m *MappingsManager) Get(ctx context.Context, mappingID string) (*identityv3.Mapping, error) {
	e, err := call[identityv3.MappingEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetMapping(ctx, mappingID) })
	if err != nil {
		return nil, err
	}
	return &e.Mapping, nil
}

// Update changes a federation mapping.
func (m *MappingsManager) Update(ctx context.Context, mappingID string, mapping identityv3.MappingCreate) (*identityv3.Mapping, error) {
	e, err := call[identityv3.MappingEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateMapping(ctx, mappingID, identityv3.MappingUpdateRequest{Mapping: mapping})
	})
	if err != nil {
		return nil, err
	}
	return &e.Mapping, nil
}

// Delete deletes a federation mapping.
func (m *MappingsManager) Delete(ctx context.Context, mappingID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteMapping(ctx, mappingID) })
}

// ListAll collects List.
func (m *MappingsManager) ListAll(ctx context.Context) ([]identityv3.Mapping, error) {
	return Collect(m.List(ctx))
}

// List lists federation mappings, following the server's pages.
func (m *MappingsManager) List(ctx context.Context) iter.Seq2[identityv3.Mapping, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListMappings(ctx) },
		func(l *identityv3.MappingList) ([]identityv3.Mapping, *string) { return l.Mappings, nextLink(l.Links) })
}

// ServiceProvidersManager manages service providers.
type ServiceProvidersManager struct{ c *V3Client }

// Create registers a Keystone-to-Keystone service provider under the given ID.
func (m *ServiceProvidersManager) Create(ctx context.Context, spID string, serviceProvider identityv3.ServiceProviderCreate) (*identityv3.ServiceProvider, error) {
	e, err := call[identityv3.ServiceProviderEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateServiceProvider(ctx, spID, identityv3.ServiceProviderCreateRequest{ServiceProvider: serviceProvider})
	})
	if err != nil {
		return nil, err
	}
	return &e.ServiceProvider, nil
}

// Get returns a service provider.
func (m *ServiceProvidersManager) Get(ctx context.Context, spID string) (*identityv3.ServiceProvider, error) {
	e, err := call[identityv3.ServiceProviderEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetServiceProvider(ctx, spID) })
	if err != nil {
		return nil, err
	}
	return &e.ServiceProvider, nil
}

// Update changes a service provider.
func (m *ServiceProvidersManager) Update(ctx context.Context, spID string, serviceProvider identityv3.ServiceProviderUpdate) (*identityv3.ServiceProvider, error) {
	e, err := call[identityv3.ServiceProviderEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateServiceProvider(ctx, spID, identityv3.ServiceProviderUpdateRequest{ServiceProvider: serviceProvider})
	})
	if err != nil {
		return nil, err
	}
	return &e.ServiceProvider, nil
}

// Delete deletes a service provider.
func (m *ServiceProvidersManager) Delete(ctx context.Context, spID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteServiceProvider(ctx, spID) })
}

// ListAll collects List.
func (m *ServiceProvidersManager) ListAll(ctx context.Context, opts *identityv3.ListServiceProvidersParams) ([]identityv3.ServiceProvider, error) {
	return Collect(m.List(ctx, opts))
}

// List lists service providers, following the server's pages.
func (m *ServiceProvidersManager) List(ctx context.Context, opts *identityv3.ListServiceProvidersParams) iter.Seq2[identityv3.ServiceProvider, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListServiceProviders(ctx, opts) },
		func(l *identityv3.ServiceProviderList) ([]identityv3.ServiceProvider, *string) {
			return l.ServiceProviders, nextLink(l.Links)
		})
}

// FederationManager manages federated authentication, WebSSO, SAML2 and ECP assertions.
type FederationManager struct{ c *V3Client }

// Authenticate authenticates through a federation protocol (the web server in front of Keystone supplies the assertion) and returns the unscoped token body.
func (m *FederationManager) Authenticate(ctx context.Context, idpID string, protocolID string) (*AccessInfo, error) {
	resp, err := m.c.gen.AuthenticateFederated(ctx, idpID, protocolID)
	if err != nil {
		return nil, err
	}
	data, err := ReadBody(resp, 0)
	if err != nil {
		return nil, err
	}
	return NewAccessInfoV3(resp.Header.Get("X-Subject-Token"), data)
}

// AuthenticatePost is Authenticate with POST.
func (m *FederationManager) AuthenticatePost(ctx context.Context, idpID string, protocolID string) (*AccessInfo, error) {
	resp, err := m.c.gen.AuthenticateFederatedPost(ctx, idpID, protocolID)
	if err != nil {
		return nil, err
	}
	data, err := ReadBody(resp, 0)
	if err != nil {
		return nil, err
	}
	return NewAccessInfoV3(resp.Header.Get("X-Subject-Token"), data)
}

// WebSSO returns the WebSSO page that posts a token to origin.
func (m *FederationManager) WebSSO(ctx context.Context, protocolID string, opts *identityv3.WebSSOParams) ([]byte, error) {
	resp, err := m.c.gen.WebSSO(ctx, protocolID, opts)
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// WebSSOPost is WebSSO with POST.
func (m *FederationManager) WebSSOPost(ctx context.Context, protocolID string, opts *identityv3.WebSSOPostParams) ([]byte, error) {
	resp, err := m.c.gen.WebSSOPost(ctx, protocolID, opts)
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// WebSSOForIdentityProvider returns the WebSSO page for one identity provider.
func (m *FederationManager) WebSSOForIdentityProvider(ctx context.Context, idpID string, protocolID string, opts *identityv3.WebSSOForIdentityProviderParams) ([]byte, error) {
	resp, err := m.c.gen.WebSSOForIdentityProvider(ctx, idpID, protocolID, opts)
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// WebSSOForIdentityProviderPost is WebSSOForIdentityProvider with POST.
func (m *FederationManager) WebSSOForIdentityProviderPost(ctx context.Context, idpID string, protocolID string, opts *identityv3.WebSSOForIdentityProviderPostParams) ([]byte, error) {
	resp, err := m.c.gen.WebSSOForIdentityProviderPost(ctx, idpID, protocolID, opts)
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// SAML2Assertion returns a signed SAML2 assertion for a service provider (XML).
func (m *FederationManager) SAML2Assertion(ctx context.Context, auth identityv3.SAMLAssertionAuth) ([]byte, error) {
	resp, err := m.c.gen.CreateSAML2Assertion(ctx, identityv3.SAMLAssertionRequest{Auth: auth})
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// ECPAssertion returns a SAML2 ECP envelope for a service provider (XML).
func (m *FederationManager) ECPAssertion(ctx context.Context, auth identityv3.SAMLAssertionAuth) ([]byte, error) {
	resp, err := m.c.gen.CreateECPAssertion(ctx, identityv3.SAMLAssertionRequest{Auth: auth})
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// Metadata returns Keystone's SAML2 identity provider metadata (XML).
func (m *FederationManager) Metadata(ctx context.Context) ([]byte, error) {
	resp, err := m.c.gen.GetSAML2Metadata(ctx)
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// ProjectsAll collects Projects.
func (m *FederationManager) ProjectsAll(ctx context.Context) ([]identityv3.Project, error) {
	return Collect(m.Projects(ctx))
}

// Projects lists the projects a federated token can be scoped to (deprecated: Auth.Projects).
func (m *FederationManager) Projects(ctx context.Context) iter.Seq2[identityv3.Project, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListFederatedProjects(ctx) },
		func(l *identityv3.ProjectList) ([]identityv3.Project, *string) { return l.Projects, nextLink(l.Links) })
}

// DomainsAll collects Domains.
func (m *FederationManager) DomainsAll(ctx context.Context) ([]identityv3.Domain, error) {
	return Collect(m.Domains(ctx))
}

// Domains lists the domains a federated token can be scoped to (deprecated: Auth.Domains).
func (m *FederationManager) Domains(ctx context.Context) iter.Seq2[identityv3.Domain, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListFederatedDomains(ctx) },
		func(l *identityv3.DomainList) ([]identityv3.Domain, *string) { return l.Domains, nextLink(l.Links) })
}
