package keystone

// RegionsManager manages regions.
type RegionsManager struct{ c *V3Client }

// ServicesManager manages services of the catalog.
type ServicesManager struct{ c *V3Client }

// EndpointsManager manages endpoints of the catalog.
type EndpointsManager struct{ c *V3Client }

// PoliciesManager manages policy blobs.
type PoliciesManager struct{ c *V3Client }

// CredentialsManager manages credentials.
type CredentialsManager struct{ c *V3Client }
