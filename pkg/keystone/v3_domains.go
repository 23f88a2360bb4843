package keystone

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// DomainsManager manages domains.
type DomainsManager struct{ c *V3Client }

// Create creates a domain.
func (m *DomainsManager) Create(ctx context.Context, domain identityv3.DomainCreate) (*identityv3.Domain, error) {
	e, err := call[identityv3.DomainEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateDomain(ctx, identityv3.DomainCreateRequest{Domain: domain})
	})
	if err != nil {
		return nil, err
	}
	return &e.Domain, nil
}

// Get returns a domain.
func (m *DomainsManager) Get(ctx context.Context, domainID string) (*identityv3.Domain, error) {
	e, err := call[identityv3.DomainEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetDomain(ctx, domainID) })
	if err != nil {
		return nil, err
	}
	return &e.Domain, nil
}

// Update changes a domain.
func (m *DomainsManager) Update(ctx context.Context, domainID string, domain identityv3.DomainUpdate) (*identityv3.Domain, error) {
	e, err := call[identityv3.DomainEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateDomain(ctx, domainID, identityv3.DomainUpdateRequest{Domain: domain})
	})
	if err != nil {
		return nil, err
	}
	return &e.Domain, nil
}

// Delete deletes a domain.
func (m *DomainsManager) Delete(ctx context.Context, domainID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteDomain(ctx, domainID) })
}

// ListAll collects List.
func (m *DomainsManager) ListAll(ctx context.Context, opts *identityv3.ListDomainsParams) ([]identityv3.Domain, error) {
	return Collect(m.List(ctx, opts))
}

// List lists domains, following the server's pages.
func (m *DomainsManager) List(ctx context.Context, opts *identityv3.ListDomainsParams) iter.Seq2[identityv3.Domain, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListDomains(ctx, opts) },
		func(l *identityv3.DomainList) ([]identityv3.Domain, *string) { return l.Domains, nextLink(l.Links) })
}

// DomainConfigsManager manages domain-specific configuration.
type DomainConfigsManager struct{ c *V3Client }

// Create sets (replaces) a domain's whole configuration.
func (m *DomainConfigsManager) Create(ctx context.Context, domainID string, config identityv3.DomainConfig) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateDomainConfig(ctx, domainID, identityv3.DomainConfigCreateRequest{Config: config})
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// Get returns a domain's configuration.
func (m *DomainConfigsManager) Get(ctx context.Context, domainID string) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetDomainConfig(ctx, domainID) })
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// Update merges settings into a domain's configuration.
func (m *DomainConfigsManager) Update(ctx context.Context, domainID string, config identityv3.DomainConfig) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateDomainConfig(ctx, domainID, identityv3.DomainConfigUpdateRequest{Config: config})
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// Delete removes a domain's configuration.
func (m *DomainConfigsManager) Delete(ctx context.Context, domainID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteDomainConfig(ctx, domainID) })
}

// GetGroup returns one group of a domain's configuration.
func (m *DomainConfigsManager) GetGroup(ctx context.Context, domainID string, group string) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetDomainConfigGroup(ctx, domainID, group)
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// UpdateGroup merges settings into one group of a domain's configuration.
func (m *DomainConfigsManager) UpdateGroup(ctx context.Context, domainID string, group string, config identityv3.DomainConfig) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateDomainConfigGroup(ctx, domainID, group, identityv3.DomainConfigUpdateRequest{Config: config})
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// DeleteGroup removes one group of a domain's configuration.
func (m *DomainConfigsManager) DeleteGroup(ctx context.Context, domainID string, group string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteDomainConfigGroup(ctx, domainID, group)
	})
}

// GetOption returns one option of a domain's configuration.
func (m *DomainConfigsManager) GetOption(ctx context.Context, domainID string, group string, option string) (*identityv3.DomainConfigOption, error) {
	e, err := call[identityv3.DomainConfigOptionEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetDomainConfigOption(ctx, domainID, group, option)
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// UpdateOption sets one option of a domain's configuration.
func (m *DomainConfigsManager) UpdateOption(ctx context.Context, domainID string, group string, option string, config identityv3.DomainConfigOption) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateDomainConfigOption(ctx, domainID, group, option, identityv3.DomainConfigOptionUpdateRequest{Config: config})
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// DeleteOption removes one option of a domain's configuration.
func (m *DomainConfigsManager) DeleteOption(ctx context.Context, domainID string, group string, option string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteDomainConfigOption(ctx, domainID, group, option)
	})
}

// Defaults returns the default configuration of domains.
func (m *DomainConfigsManager) Defaults(ctx context.Context) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetDefaultDomainConfig(ctx) })
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// DefaultGroup returns the defaults of one configuration group.
func (m *DomainConfigsManager) DefaultGroup(ctx context.Context, group string) (*identityv3.DomainConfig, error) {
	e, err := call[identityv3.DomainConfigEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetDefaultDomainConfigGroup(ctx, group)
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// DefaultOption returns the default of one configuration option.
func (m *DomainConfigsManager) DefaultOption(ctx context.Context, group string, option string) (*identityv3.DomainConfigOption, error) {
	e, err := call[identityv3.DomainConfigOptionEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetDefaultDomainConfigOption(ctx, group, option)
	})
	if err != nil {
		return nil, err
	}
	return &e.Config, nil
}

// LimitsManager manages project and domain limits.
type LimitsManager struct{ c *V3Client }

// Create creates project or domain limits (several at once).
func (m *LimitsManager) Create(ctx context.Context, limits []identityv3.LimitCreate) ([]identityv3.Limit, error) {
	e, err := call[identityv3.LimitCreatedList](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateLimits(ctx, identityv3.LimitCreateRequest{Limits: limits})
	})
	if err != nil {
		return nil, err
	}
	return e.Limits, nil
}

// Get returns a limit.
func (m *LimitsManager) Get(ctx context.Context, limitID string) (*identityv3.Limit, error) {
	e, err := call[identityv3.LimitEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetLimit(ctx, limitID) })
	if err != nil {
		return nil, err
	}
	return &e.Limit, nil
}

// Update changes a limit.
func (m *LimitsManager) Update(ctx context.Context, limitID string, limit identityv3.LimitUpdate) (*identityv3.Limit, error) {
	e, err := call[identityv3.LimitEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateLimit(ctx, limitID, identityv3.LimitUpdateRequest{Limit: limit})
	})
	if err != nil {
		return nil, err
	}
	return &e.Limit, nil
}

// Delete deletes a limit.
func (m *LimitsManager) Delete(ctx context.Context, limitID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteLimit(ctx, limitID) })
}

// ListAll collects List.
func (m *LimitsManager) ListAll(ctx context.Context, opts *identityv3.ListLimitsParams) ([]identityv3.Limit, error) {
	return Collect(m.List(ctx, opts))
}

// List lists limits (what a token sees depends on its scope), following the server's pages.
func (m *LimitsManager) List(ctx context.Context, opts *identityv3.ListLimitsParams) iter.Seq2[identityv3.Limit, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListLimits(ctx, opts) },
		func(l *identityv3.LimitList) ([]identityv3.Limit, *string) { return l.Limits, nextLink(l.Links) })
}

// Model returns the enforcement model in use (flat or strict_two_level).
func (m *LimitsManager) Model(ctx context.Context) (*identityv3.LimitModel, error) {
	e, err := call[identityv3.LimitModelEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetLimitModel(ctx) })
	if err != nil {
		return nil, err
	}
	return &e.Model, nil
}

// RegisteredLimitsManager manages registered limits.
type RegisteredLimitsManager struct{ c *V3Client }

// Create creates registered limits (several at once).
func (m *RegisteredLimitsManager) Create(ctx context.Context, registeredLimits []identityv3.RegisteredLimitCreate) ([]identityv3.RegisteredLimit, error) {
	e, err := call[identityv3.RegisteredLimitCreatedList](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateRegisteredLimits(ctx, identityv3.RegisteredLimitCreateRequest{RegisteredLimits: registeredLimits})
	})
	if err != nil {
		return nil, err
	}
	return e.RegisteredLimits, nil
}

// Get returns a registered limit.
func (m *RegisteredLimitsManager) Get(ctx context.Context, registeredLimitID string) (*identityv3.RegisteredLimit, error) {
	e, err := call[identityv3.RegisteredLimitEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetRegisteredLimit(ctx, registeredLimitID)
	})
	if err != nil {
		return nil, err
	}
	return &e.RegisteredLimit, nil
}

// Update changes a registered limit.
func (m *RegisteredLimitsManager) Update(ctx context.Context, registeredLimitID string, registeredLimit identityv3.RegisteredLimitUpdate) (*identityv3.RegisteredLimit, error) {
	e, err := call[identityv3.RegisteredLimitEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateRegisteredLimit(ctx, registeredLimitID, identityv3.RegisteredLimitUpdateRequest{RegisteredLimit: registeredLimit})
	})
	if err != nil {
		return nil, err
	}
	return &e.RegisteredLimit, nil
}

// Delete deletes a registered limit.
func (m *RegisteredLimitsManager) Delete(ctx context.Context, registeredLimitID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteRegisteredLimit(ctx, registeredLimitID)
	})
}

// ListAll collects List.
func (m *RegisteredLimitsManager) ListAll(ctx context.Context, opts *identityv3.ListRegisteredLimitsParams) ([]identityv3.RegisteredLimit, error) {
	return Collect(m.List(ctx, opts))
}

// List lists registered limits, following the server's pages.
func (m *RegisteredLimitsManager) List(ctx context.Context, opts *identityv3.ListRegisteredLimitsParams) iter.Seq2[identityv3.RegisteredLimit, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRegisteredLimits(ctx, opts) },
		func(l *identityv3.RegisteredLimitList) ([]identityv3.RegisteredLimit, *string) {
			return l.RegisteredLimits, nextLink(l.Links)
		})
}
