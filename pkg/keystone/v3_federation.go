package keystone

// EndpointFilterManager manages project-endpoint associations.
type EndpointFilterManager struct{ c *V3Client }

// EndpointGroupsManager manages endpoint groups.
type EndpointGroupsManager struct{ c *V3Client }

// EndpointPolicyManager manages policies associated with endpoints.
type EndpointPolicyManager struct{ c *V3Client }

// IdentityProvidersManager manages identity providers and their protocols.
type IdentityProvidersManager struct{ c *V3Client }

// MappingsManager manages federation mappings.
type MappingsManager struct{ c *V3Client }

// ServiceProvidersManager manages service providers.
type ServiceProvidersManager struct{ c *V3Client }

// FederationManager manages federated authentication, WebSSO, SAML2 and ECP assertions.
type FederationManager struct{ c *V3Client }
