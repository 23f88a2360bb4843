package fedlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// K2KOptions describe the lab's optional Keystone-to-Keystone federation:
// a second Keystone (the identity provider) issues SAML2 ECP assertions for
// the lab Keystone, whose saml2 protocol endpoint mod_shib protects.
type K2KOptions struct {
	// SP is the lab Keystone (the service provider) and its admin; its
	// Project, Group, Role and Domain are reused.
	SP Options
	// IdPKeystoneURL is the identity provider Keystone; the same admin user,
	// password and project as the SP's.
	IdPKeystoneURL string
	IdPEntityID    string // default <IdPKeystoneURL>/v3/OS-FEDERATION/saml2/idp
	IdP            string // the identity provider's ID in the lab Keystone (lab-k2k)
	Protocol       string // saml2
	// ServiceProvider is the lab Keystone's ID in the identity provider (lab-sp).
	ServiceProvider string
	// SPURL is where the ECP assertion goes: mod_shib's PAOS endpoint
	// (default <SP Keystone>/Shibboleth.sso/SAML2/ECP).
	SPURL string
}

func (k *K2KOptions) defaults() error {
	if err := k.SP.defaults(); err != nil {
		return err
	}
	if k.IdPKeystoneURL == "" {
		return errors.New("fedlab: the identity provider Keystone's URL is required")
	}
	root := func(u string) string { return strings.TrimSuffix(strings.TrimSuffix(u, "/"), "/v3") }
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&k.IdPEntityID, root(k.IdPKeystoneURL)+"/v3/OS-FEDERATION/saml2/idp")
	def(&k.IdP, "lab-k2k")
	def(&k.Protocol, "saml2")
	def(&k.ServiceProvider, "lab-sp")
	def(&k.SPURL, root(k.SP.KeystoneURL)+"/Shibboleth.sso/SAML2/ECP")
	return nil
}

// K2KRules maps the assertion's openstack_user (as mod_shib passes it) to
// an ephemeral user in the group.
func K2KRules(k K2KOptions, groupID string) []identityv3.MappingRule {
	return []identityv3.MappingRule{{
		Remote: []identityv3.MappingRemoteRule{
			{Type: "openstack_user"},
			{Type: "Shib-Identity-Provider", AnyOneOf: []string{k.IdPEntityID}},
		},
		Local: []identityv3.MappingLocalRule{
			{User: &identityv3.MappingLocalUser{Name: ptr("{0}"), Type: ptr("ephemeral")}},
			{Group: &identityv3.MappingLocalGroup{ID: ptr(groupID)}},
		},
	}}
}

// SetupK2K registers the lab Keystone as a service provider of the identity
// provider Keystone, and the identity provider (its own domain), the mapping
// and the saml2 protocol in the lab Keystone. Run Setup first (the group).
func SetupK2K(ctx context.Context, k K2KOptions, logf func(string, ...any)) error {
	if err := k.defaults(); err != nil {
		return err
	}
	idpOpts := k.SP
	idpOpts.KeystoneURL = k.IdPKeystoneURL
	idp, err := AdminClient(ctx, idpOpts)
	if err != nil {
		return err
	}
	defer idp.Session().CloseIdleConnections()
	authURL := FederationAuthURL(k.SP.KeystoneURL, k.IdP, k.Protocol)
	_, err = idp.ServiceProviders.Get(ctx, k.ServiceProvider)
	switch {
	case errors.Is(err, keystone.ErrNotFound):
		_, err = idp.ServiceProviders.Create(ctx, k.ServiceProvider, identityv3.ServiceProviderCreate{
			AuthURL: authURL, SPURL: k.SPURL, Enabled: ptr(true), Description: ptr("Federation lab Keystone (mod_shib)")})
		logf("created service provider %s in the identity provider Keystone", k.ServiceProvider)
	case err == nil:
		_, err = idp.ServiceProviders.Update(ctx, k.ServiceProvider, identityv3.ServiceProviderUpdate{
			AuthURL: &authURL, SPURL: &k.SPURL, Enabled: ptr(true)})
	}
	if err != nil {
		return fmt.Errorf("service provider %s: %w", k.ServiceProvider, err)
	}

	sp, err := AdminClient(ctx, k.SP)
	if err != nil {
		return err
	}
	defer sp.Session().CloseIdleConnections()
	group, err := sp.Groups.Find(ctx, k.SP.Group, &identityv3.ListGroupsOptions{DomainID: &k.SP.Domain})
	if err != nil {
		return fmt.Errorf("group %s (run setup first): %w", k.SP.Group, err)
	}
	return registerSAMLIdP(ctx, sp, k.IdP, k.IdPEntityID, "Federation lab: Keystone as SAML2 IdP", k.Protocol, K2KRules(k, group.ID), logf)
}

// registerSAMLIdP creates, or brings up to date, in the lab Keystone an
// identity provider (no domain: Keystone makes one for it, so that its users
// never meet local ones) with one remote ID (its SAML2 entity ID), the
// mapping <idp>-mapping with rules, and the protocol (mod_shib's
// Shib-Identity-Provider as remote ID attribute).
func registerSAMLIdP(ctx context.Context, sp *identityv3.Client, idp, entityID, description, protocol string,
	rules []identityv3.MappingRule, logf func(string, ...any)) error {
	_, err := sp.IdentityProviders.Get(ctx, idp)
	switch {
	case errors.Is(err, keystone.ErrNotFound):
		_, err = sp.IdentityProviders.Create(ctx, idp, identityv3.IdentityProviderCreate{
			Enabled: ptr(true), RemoteIDs: []string{entityID}, Description: ptr(description)})
		logf("created identity provider %s (remote ID %s)", idp, entityID)
	case err == nil:
		_, err = sp.IdentityProviders.Update(ctx, idp, identityv3.IdentityProviderUpdate{Enabled: ptr(true), RemoteIDs: []string{entityID}})
	}
	if err != nil {
		return fmt.Errorf("identity provider %s: %w", idp, err)
	}
	mapping := idp + "-mapping"
	m := identityv3.MappingCreate{Rules: rules}
	if _, err = sp.Mappings.Get(ctx, mapping); errors.Is(err, keystone.ErrNotFound) {
		_, err = sp.Mappings.Create(ctx, mapping, m)
		logf("created mapping %s", mapping)
	} else if err == nil {
		_, err = sp.Mappings.Update(ctx, mapping, m)
	}
	if err != nil {
		return fmt.Errorf("mapping %s: %w", mapping, err)
	}
	remoteID := "Shib-Identity-Provider"
	if _, err = sp.IdentityProviders.GetProtocol(ctx, idp, protocol); errors.Is(err, keystone.ErrNotFound) {
		_, err = sp.IdentityProviders.CreateProtocol(ctx, idp, protocol, identityv3.FederationProtocolCreate{MappingID: mapping, RemoteIDAttribute: &remoteID})
		logf("created protocol %s of %s", protocol, idp)
	} else if err == nil {
		_, err = sp.IdentityProviders.UpdateProtocol(ctx, idp, protocol, identityv3.FederationProtocolUpdate{MappingID: mapping, RemoteIDAttribute: &remoteID})
	}
	if err != nil {
		return fmt.Errorf("protocol %s: %w", protocol, err)
	}
	return nil
}

// VerifyK2K does what a Keystone-to-Keystone client does: a token from the
// identity provider Keystone, an ECP assertion for the service provider
// (through the SDK), the assertion posted to mod_shib's PAOS endpoint (a
// Shibboleth session cookie), the saml2 federated authentication with that
// cookie (an unscoped token), and a rescope to the project.
func VerifyK2K(ctx context.Context, k K2KOptions) (*Result, error) {
	if err := k.defaults(); err != nil {
		return nil, err
	}
	idpOpts := k.SP
	idpOpts.KeystoneURL = k.IdPKeystoneURL
	idp, err := AdminClient(ctx, idpOpts)
	if err != nil {
		return nil, err
	}
	defer idp.Session().CloseIdleConnections()
	tok, err := idp.Session().Auth().Token(ctx, idp.Session())
	if err != nil {
		return nil, fmt.Errorf("identity provider token: %w", err)
	}
	ecp, err := idp.Federation.ECPAssertion(ctx, k.ServiceProvider, tok)
	if err != nil {
		return nil, fmt.Errorf("ECP assertion: %w", err)
	}

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.SPURL, strings.NewReader(ecp))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/vnd.paos+xml")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("POST %s: %d: %s", k.SPURL, resp.StatusCode, snippet(b))
	}

	res := &Result{Subject: k.SP.AdminUser}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, FederationAuthURL(k.SP.KeystoneURL, k.IdP, k.Protocol), nil)
	if err != nil {
		return nil, err
	}
	var unscoped tokenBody
	h, status, err := do(hc, req, http.StatusCreated, &unscoped)
	res.UnscopedStatus = status
	if err != nil {
		return res, fmt.Errorf("federated authentication: %w", err)
	}
	res.UnscopedToken, res.UnscopedUser = h.Get("X-Subject-Token"), unscoped.Token.User.Name
	return res, rescope(ctx, hc, k.SP, res)
}
