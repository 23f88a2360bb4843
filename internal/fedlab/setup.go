// Package fedlab sets up and checks the federation lab
// (scripts/federation-lab.sh, docs/FEDLAB.md): a Keystone behind Apache and
// mod_auth_openidc that trusts the lab's OpenID Connect provider
// (internal/fedlab/oidcprovider). Setup goes through the SDK's own managers.
package fedlab

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// Options describe the lab.
type Options struct {
	KeystoneURL   string // the lab Keystone (behind Apache), root or /v3
	AdminUser     string
	AdminPassword string
	AdminProject  string
	Issuer        string // the OIDC provider's issuer (the IdP's remote ID)
	IdP           string // identity provider ID (lab-oidc)
	Protocol      string // protocol ID (openid)
	Mapping       string // mapping ID (default <idp>-mapping)
	Project       string // project the federated users get Role on (fed-project)
	Group         string // group of the federated users (fed-users)
	Role          string // role (member)
	Domain        string // domain of the project, the group and the ephemeral users (default)
	// ClaimPrefix is mod_auth_openidc's OIDCClaimPrefix: the claims reach
	// Keystone as request-environment variables named prefix+claim.
	ClaimPrefix string
	// ServiceClients are client IDs whose client_credentials tokens
	// (sub = client ID, no preferred_username) are mapped to a user named
	// after the client.
	ServiceClients []string
}

func (o *Options) defaults() error {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.AdminUser, "admin")
	def(&o.AdminProject, "admin")
	def(&o.IdP, "lab-oidc")
	def(&o.Protocol, "openid")
	def(&o.Mapping, o.IdP+"-mapping")
	def(&o.Project, "fed-project")
	def(&o.Group, "fed-users")
	def(&o.Role, "member")
	def(&o.Domain, "default")
	def(&o.ClaimPrefix, "OIDC-")
	if o.KeystoneURL == "" || o.AdminPassword == "" || o.Issuer == "" {
		return errors.New("fedlab: the Keystone URL, the admin password and the issuer are required")
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// Rules returns the mapping's rules: a user token (with preferred_username)
// maps to an ephemeral user of that name; a client_credentials token of one
// of the service clients (sub = client ID) to an ephemeral user named after
// the client. Both users are put in the group, which has the role on the
// project.
func Rules(o Options, groupID string) []identityv3.MappingRule {
	group := identityv3.MappingLocalRule{Group: &identityv3.MappingLocalGroup{ID: ptr(groupID)}}
	rules := []identityv3.MappingRule{{
		Remote: []identityv3.MappingRemoteRule{
			{Type: o.ClaimPrefix + "preferred_username"},
			{Type: o.ClaimPrefix + "iss", AnyOneOf: []string{o.Issuer}},
		},
		Local: []identityv3.MappingLocalRule{
			{User: &identityv3.MappingLocalUser{Name: ptr("{0}"), Type: ptr("ephemeral")}},
			group,
		},
	}}
	if len(o.ServiceClients) > 0 {
		rules = append(rules, identityv3.MappingRule{
			Remote: []identityv3.MappingRemoteRule{
				{Type: o.ClaimPrefix + "sub"},
				{Type: o.ClaimPrefix + "sub", AnyOneOf: o.ServiceClients},
				{Type: o.ClaimPrefix + "iss", AnyOneOf: []string{o.Issuer}},
			},
			Local: []identityv3.MappingLocalRule{
				{User: &identityv3.MappingLocalUser{Name: ptr("{0}"), Type: ptr("ephemeral")}},
				group,
			},
		})
	}
	return rules
}

// AdminClient returns an identity client authenticated as the lab's admin.
func AdminClient(ctx context.Context, o Options) (*identityv3.Client, error) {
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  o.KeystoneURL,
		User:     authplugin.User{Name: o.AdminUser, DomainID: "default"},
		Password: o.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: o.AdminProject, ProjectDomainID: "default"},
	})
	if err != nil {
		return nil, err
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		return nil, err
	}
	return identityv3.NewClientAt(s, o.KeystoneURL)
}

// Setup creates, or brings up to date, the identity provider, the mapping,
// the protocol, the project, the group and the group's role on the project.
// Running it again changes nothing.
func Setup(ctx context.Context, o Options, logf func(string, ...any)) error {
	if err := o.defaults(); err != nil {
		return err
	}
	c, err := AdminClient(ctx, o)
	if err != nil {
		return err
	}
	defer c.Session().CloseIdleConnections()

	project, err := c.Projects.Find(ctx, o.Project, &identityv3.ListProjectsOptions{DomainID: &o.Domain})
	if errors.Is(err, keystone.ErrNotFound) {
		project, err = c.Projects.Create(ctx, identityv3.ProjectCreate{Name: o.Project, DomainID: &o.Domain,
			Description: ptr("Federation lab: the federated users' project")})
		logf("created project %s (%s)", o.Project, idOf(project))
	}
	if err != nil {
		return fmt.Errorf("project %s: %w", o.Project, err)
	}

	group, err := c.Groups.Find(ctx, o.Group, &identityv3.ListGroupsOptions{DomainID: &o.Domain})
	if errors.Is(err, keystone.ErrNotFound) {
		group, err = c.Groups.Create(ctx, identityv3.GroupCreate{Name: o.Group, DomainID: &o.Domain,
			Description: ptr("Federation lab: the federated users")})
		logf("created group %s", o.Group)
	}
	if err != nil {
		return fmt.Errorf("group %s: %w", o.Group, err)
	}

	role, err := c.Roles.Find(ctx, o.Role, nil)
	if err != nil {
		return fmt.Errorf("role %s: %w", o.Role, err)
	}
	if err := c.Roles.Grant(ctx, role.ID, identityv3.GroupActor(group.ID), identityv3.OnProject(project.ID)); err != nil {
		return fmt.Errorf("grant %s to group %s on %s: %w", o.Role, o.Group, o.Project, err)
	}

	_, err = c.IdentityProviders.Get(ctx, o.IdP)
	switch {
	case errors.Is(err, keystone.ErrNotFound):
		_, err = c.IdentityProviders.Create(ctx, o.IdP, identityv3.IdentityProviderCreate{
			Enabled: ptr(true), RemoteIDs: []string{o.Issuer}, DomainID: &o.Domain,
			Description: ptr("Federation lab OpenID Connect provider")})
		logf("created identity provider %s (remote ID %s)", o.IdP, o.Issuer)
	case err == nil:
		_, err = c.IdentityProviders.Update(ctx, o.IdP, identityv3.IdentityProviderUpdate{
			Enabled: ptr(true), RemoteIDs: []string{o.Issuer}})
	}
	if err != nil {
		return fmt.Errorf("identity provider %s: %w", o.IdP, err)
	}

	rules := identityv3.MappingCreate{Rules: Rules(o, group.ID)}
	_, err = c.Mappings.Get(ctx, o.Mapping)
	switch {
	case errors.Is(err, keystone.ErrNotFound):
		_, err = c.Mappings.Create(ctx, o.Mapping, rules)
		logf("created mapping %s", o.Mapping)
	case err == nil:
		_, err = c.Mappings.Update(ctx, o.Mapping, rules)
	}
	if err != nil {
		return fmt.Errorf("mapping %s: %w", o.Mapping, err)
	}

	remoteID := o.ClaimPrefix + "iss"
	_, err = c.IdentityProviders.GetProtocol(ctx, o.IdP, o.Protocol)
	switch {
	case errors.Is(err, keystone.ErrNotFound):
		_, err = c.IdentityProviders.CreateProtocol(ctx, o.IdP, o.Protocol, identityv3.FederationProtocolCreate{
			MappingID: o.Mapping, RemoteIDAttribute: &remoteID})
		logf("created protocol %s of %s", o.Protocol, o.IdP)
	case err == nil:
		_, err = c.IdentityProviders.UpdateProtocol(ctx, o.IdP, o.Protocol, identityv3.FederationProtocolUpdate{
			MappingID: o.Mapping, RemoteIDAttribute: &remoteID})
	}
	if err != nil {
		return fmt.Errorf("protocol %s: %w", o.Protocol, err)
	}
	return nil
}

func idOf(p *identityv3.Project) string {
	if p == nil {
		return ""
	}
	return p.ID
}

// FederationAuthURL is the URL of the protocol's federated authentication.
func FederationAuthURL(keystoneURL, idp, protocol string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(keystoneURL, "/"), "/v3")
	return base + "/v3/OS-FEDERATION/identity_providers/" + idp + "/protocols/" + protocol + "/auth"
}
