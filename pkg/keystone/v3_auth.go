package keystone

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// AuthManager manages what the current token can be scoped to, and its catalog.
type AuthManager struct{ c *V3Client }

// CatalogAll collects Catalog.
func (m *AuthManager) CatalogAll(ctx context.Context) ([]identityv3.CatalogService, error) {
	return Collect(m.Catalog(ctx))
}

// Catalog returns the service catalog of the request's token.
func (m *AuthManager) Catalog(ctx context.Context) iter.Seq2[identityv3.CatalogService, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetAuthCatalog(ctx) },
		func(l *identityv3.AuthCatalog) ([]identityv3.CatalogService, *string) {
			return l.Catalog, nextLink(l.Links)
		})
}

// ProjectsAll collects Projects.
func (m *AuthManager) ProjectsAll(ctx context.Context) ([]identityv3.Project, error) {
	return Collect(m.Projects(ctx))
}

// Projects lists the projects the request's token can be scoped to, following the server's pages.
func (m *AuthManager) Projects(ctx context.Context) iter.Seq2[identityv3.Project, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListAuthProjects(ctx) },
		func(l *identityv3.ProjectList) ([]identityv3.Project, *string) { return l.Projects, nextLink(l.Links) })
}

// DomainsAll collects Domains.
func (m *AuthManager) DomainsAll(ctx context.Context) ([]identityv3.Domain, error) {
	return Collect(m.Domains(ctx))
}

// Domains lists the domains the request's token can be scoped to, following the server's pages.
func (m *AuthManager) Domains(ctx context.Context) iter.Seq2[identityv3.Domain, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListAuthDomains(ctx) },
		func(l *identityv3.DomainList) ([]identityv3.Domain, *string) { return l.Domains, nextLink(l.Links) })
}

// SystemAll collects System.
func (m *AuthManager) SystemAll(ctx context.Context) ([]identityv3.SystemScope, error) {
	return Collect(m.System(ctx))
}

// System lists the system scopes the request's token can be scoped to.
func (m *AuthManager) System(ctx context.Context) iter.Seq2[identityv3.SystemScope, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListAuthSystem(ctx) },
		func(l *identityv3.AuthSystemList) ([]identityv3.SystemScope, *string) {
			return l.System, nextLink(l.Links)
		})
}

// ApplicationCredentialsManager manages application credentials.
type ApplicationCredentialsManager struct{ c *V3Client }

// Create creates an application credential for a user (its secret is returned only now).
func (m *ApplicationCredentialsManager) Create(ctx context.Context, userID string, applicationCredential identityv3.ApplicationCredentialCreate) (*identityv3.ApplicationCredential, error) {
	e, err := call[identityv3.ApplicationCredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateApplicationCredential(ctx, userID, identityv3.ApplicationCredentialCreateRequest{ApplicationCredential: applicationCredential})
	})
	if err != nil {
		return nil, err
	}
	return &e.ApplicationCredential, nil
}

// Get returns a user's application credential.
func (m *ApplicationCredentialsManager) Get(ctx context.Context, userID string, applicationCredentialID string) (*identityv3.ApplicationCredential, error) {
	e, err := call[identityv3.ApplicationCredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetApplicationCredential(ctx, userID, applicationCredentialID)
	})
	if err != nil {
		return nil, err
	}
	return &e.ApplicationCredential, nil
}

// Delete deletes a user's application credential.
func (m *ApplicationCredentialsManager) Delete(ctx context.Context, userID string, applicationCredentialID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteApplicationCredential(ctx, userID, applicationCredentialID)
	})
}

// ListAll collects List.
func (m *ApplicationCredentialsManager) ListAll(ctx context.Context, userID string, opts *identityv3.ListApplicationCredentialsParams) ([]identityv3.ApplicationCredential, error) {
	return Collect(m.List(ctx, userID, opts))
}

// List lists a user's application credentials, following the server's pages.
func (m *ApplicationCredentialsManager) List(ctx context.Context, userID string, opts *identityv3.ListApplicationCredentialsParams) iter.Seq2[identityv3.ApplicationCredential, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListApplicationCredentials(ctx, userID, opts)
	},
		func(l *identityv3.ApplicationCredentialList) ([]identityv3.ApplicationCredential, *string) {
			return l.ApplicationCredentials, nextLink(l.Links)
		})
}

// AccessRulesManager manages access rules of application credentials.
type AccessRulesManager struct{ c *V3Client }

// Get returns an access rule of a user.
func (m *AccessRulesManager) Get(ctx context.Context, userID string, accessRuleID string) (*identityv3.AccessRule, error) {
	e, err := call[identityv3.AccessRuleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetAccessRule(ctx, userID, accessRuleID)
	})
	if err != nil {
		return nil, err
	}
	return &e.AccessRule, nil
}

// Delete deletes an access rule of a user (one no credential uses).
func (m *AccessRulesManager) Delete(ctx context.Context, userID string, accessRuleID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteAccessRule(ctx, userID, accessRuleID)
	})
}

// ListAll collects List.
func (m *AccessRulesManager) ListAll(ctx context.Context, userID string, opts *identityv3.ListAccessRulesParams) ([]identityv3.AccessRule, error) {
	return Collect(m.List(ctx, userID, opts))
}

// List lists the access rules of a user, following the server's pages.
func (m *AccessRulesManager) List(ctx context.Context, userID string, opts *identityv3.ListAccessRulesParams) iter.Seq2[identityv3.AccessRule, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListAccessRules(ctx, userID, opts) },
		func(l *identityv3.AccessRuleList) ([]identityv3.AccessRule, *string) {
			return l.AccessRules, nextLink(l.Links)
		})
}

// TrustsManager manages trusts.
type TrustsManager struct{ c *V3Client }

// Create creates a trust.
func (m *TrustsManager) Create(ctx context.Context, trust identityv3.TrustCreate) (*identityv3.Trust, error) {
	e, err := call[identityv3.TrustEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateTrust(ctx, identityv3.TrustCreateRequest{Trust: trust})
	})
	if err != nil {
		return nil, err
	}
	return &e.Trust, nil
}

// Get returns a trust.
func (m *TrustsManager) Get(ctx context.Context, trustID string) (*identityv3.Trust, error) {
	e, err := call[identityv3.TrustEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetTrust(ctx, trustID) })
	if err != nil {
		return nil, err
	}
	return &e.Trust, nil
}

// Delete deletes a trust (and revokes its tokens).
func (m *TrustsManager) Delete(ctx context.Context, trustID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteTrust(ctx, trustID) })
}

// ListAll collects List.
func (m *TrustsManager) ListAll(ctx context.Context, opts *identityv3.ListTrustsParams) ([]identityv3.Trust, error) {
	return Collect(m.List(ctx, opts))
}

// List lists trusts (filter by trustor or trustee), following the server's pages.
func (m *TrustsManager) List(ctx context.Context, opts *identityv3.ListTrustsParams) iter.Seq2[identityv3.Trust, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListTrusts(ctx, opts) },
		func(l *identityv3.TrustList) ([]identityv3.Trust, *string) { return l.Trusts, nextLink(l.Links) })
}

// RolesAll collects Roles.
func (m *TrustsManager) RolesAll(ctx context.Context, trustID string) ([]identityv3.Role, error) {
	return Collect(m.Roles(ctx, trustID))
}

// Roles lists the roles a trust delegates, following the server's pages.
func (m *TrustsManager) Roles(ctx context.Context, trustID string) iter.Seq2[identityv3.Role, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListTrustRoles(ctx, trustID) },
		func(l *identityv3.RoleList) ([]identityv3.Role, *string) { return l.Roles, nextLink(l.Links) })
}

// GetRole returns a role a trust delegates.
func (m *TrustsManager) GetRole(ctx context.Context, trustID string, roleID string) (*identityv3.Role, error) {
	e, err := call[identityv3.RoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetTrustRole(ctx, trustID, roleID) })
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}

// HasRole reports whether a trust delegates a role.
func (m *TrustsManager) HasRole(ctx context.Context, trustID string, roleID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.CheckTrustRole(ctx, trustID, roleID) })
}

// EC2CredentialsManager manages a user's EC2 credentials and EC2/S3 signature validation.
type EC2CredentialsManager struct{ c *V3Client }

// Create creates an EC2 credential for a user on a project.
func (m *EC2CredentialsManager) Create(ctx context.Context, userID string, tenantID string) (*identityv3.EC2Credential, error) {
	e, err := call[identityv3.EC2CredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateUserEC2Credential(ctx, userID, identityv3.EC2CredentialCreateRequest{TenantID: tenantID})
	})
	if err != nil {
		return nil, err
	}
	return &e.Credential, nil
}

// Get returns a user's EC2 credential.
func (m *EC2CredentialsManager) Get(ctx context.Context, userID string, credentialID string) (*identityv3.EC2Credential, error) {
	e, err := call[identityv3.EC2CredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetUserEC2Credential(ctx, userID, credentialID)
	})
	if err != nil {
		return nil, err
	}
	return &e.Credential, nil
}

// Delete deletes a user's EC2 credential.
func (m *EC2CredentialsManager) Delete(ctx context.Context, userID string, credentialID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteUserEC2Credential(ctx, userID, credentialID)
	})
}

// ListAll collects List.
func (m *EC2CredentialsManager) ListAll(ctx context.Context, userID string) ([]identityv3.EC2Credential, error) {
	return Collect(m.List(ctx, userID))
}

// List lists a user's EC2 credentials, following the server's pages.
func (m *EC2CredentialsManager) List(ctx context.Context, userID string) iter.Seq2[identityv3.EC2Credential, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListUserEC2Credentials(ctx, userID) },
		func(l *identityv3.EC2CredentialList) ([]identityv3.EC2Credential, *string) {
			return l.Credentials, nextLink(l.Links)
		})
}

// Validate validates an EC2 signature and returns the token Keystone issues for it (an admin or service caller).
func (m *EC2CredentialsManager) Validate(ctx context.Context, body identityv3.EC2TokenRequest) (*AccessInfo, error) {
	resp, err := m.c.gen.ValidateEC2Token(ctx, body)
	if err != nil {
		return nil, err
	}
	data, err := ReadBody(resp, 0)
	if err != nil {
		return nil, err
	}
	return NewAccessInfoV3(resp.Header.Get("X-Subject-Token"), data)
}

// ValidateS3 validates an S3 signature (an admin or service caller).
func (m *EC2CredentialsManager) ValidateS3(ctx context.Context, body identityv3.S3TokenRequest) (*AccessInfo, error) {
	resp, err := m.c.gen.ValidateS3Token(ctx, body)
	if err != nil {
		return nil, err
	}
	data, err := ReadBody(resp, 0)
	if err != nil {
		return nil, err
	}
	return NewAccessInfoV3(resp.Header.Get("X-Subject-Token"), data)
}

// RevocationEventsManager manages token revocation events.
type RevocationEventsManager struct{ c *V3Client }

// ListAll collects List.
func (m *RevocationEventsManager) ListAll(ctx context.Context, opts *identityv3.ListRevocationEventsParams) ([]identityv3.RevocationEvent, error) {
	return Collect(m.List(ctx, opts))
}

// List lists token revocation events (since a time), following the server's pages.
func (m *RevocationEventsManager) List(ctx context.Context, opts *identityv3.ListRevocationEventsParams) iter.Seq2[identityv3.RevocationEvent, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRevocationEvents(ctx, opts) },
		func(l *identityv3.RevocationEventList) ([]identityv3.RevocationEvent, *string) {
			return l.Events, nextLink(l.Links)
		})
}

// SimpleCertManager manages the PKI certificates (deprecated).
type SimpleCertManager struct{ c *V3Client }

// CA returns the CA certificate of PKI tokens (Keystone 22 answers 410).
func (m *SimpleCertManager) CA(ctx context.Context) ([]byte, error) {
	resp, err := m.c.gen.GetSimpleCertCA(ctx)
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// Certificates returns the signing certificates of PKI tokens (Keystone 22 answers 410).
func (m *SimpleCertManager) Certificates(ctx context.Context) ([]byte, error) {
	resp, err := m.c.gen.GetSimpleCertCertificates(ctx)
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}
