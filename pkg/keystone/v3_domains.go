package keystone

// DomainsManager manages domains.
type DomainsManager struct{ c *V3Client }

// DomainConfigsManager manages domain-specific configuration.
type DomainConfigsManager struct{ c *V3Client }

// LimitsManager manages project and domain limits.
type LimitsManager struct{ c *V3Client }

// RegisteredLimitsManager manages registered limits.
type RegisteredLimitsManager struct{ c *V3Client }
