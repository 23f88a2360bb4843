// Package keystonetest is an in-memory Keystone for tests and demos.
//
// It serves every operation of the Identity API v3 from the same OpenAPI
// spec as the SDK's generated client (oapi-codegen's strict server over
// api/identity-v3.yaml), with Keystone 22's behaviour as the contract suite
// (test/contract) observes it on the real server: version discovery; tokens
// (issue with password, token, application credential, TOTP, OAuth1 or a
// trust, scoped to a project, a domain or the system, or unscoped;
// multi-factor rules with auth receipts; validate, check, revoke; the
// catalog and what a token can be scoped to); projects (with tags and
// hierarchy), domains and their configuration, users, groups, roles
// (implied roles; grants on projects, domains and the system; inherited
// grants), role assignments, services, endpoints, regions, endpoint groups
// and the project/endpoint filter, endpoint policy, application credentials
// and access rules, credentials, policies, limits and registered limits
// (flat or strict_two_level, WithLimitModel), trusts, OAuth 1.0a and OAuth
// 2.0 client credentials, EC2/S3 signature validation, revocation events;
// federation: identity providers, protocols, mappings and service
// providers, the mapping engine (a mapped login reads the assertion from the
// request headers, as Keystone behind a web server reads its environment,
// and creates shadow users), WebSSO (WithTrustedDashboard), and Keystone as
// a SAML2 identity provider (signed assertions, ECP, metadata).
// State is real: a user you create can authenticate once you grant it a
// role, a password change revokes its tokens, deleting a project removes its
// grants. Errors are Keystone's: its status codes and its
// {"error": {"code", "title", "message"}} body.
//
// Authorization is Keystone 22's default policy (policy_keystone22.yaml,
// evaluated as oslo.policy does): the reader, member and admin personas on
// the system, a domain or a project, with Keystone's 403 messages.
//
// It serves Identity v2.0 too (api/identity-v2.yaml) over the same state, as
// Keystone did before Queens: tenants are the projects of the default domain,
// v2.0 users and roles are the default domain's users and the global roles, a
// v2.0 endpoint groups a service's v3 endpoints in one region, and v2.0 tokens
// carry the catalog with publicURL, internalURL and adminURL. OS-KSADM's
// global role grants (a role given to a user, not on a tenant) are kept and
// listed; v3 has no such grants, so they put no role in any token.
// Server.AuthURLV2 is its v2.0 URL. EC2 token validation (ec2tokens) is not
// served.
//
// Every exchange is validated against the spec (WithoutValidation turns this
// off): a request that does not conform is answered 400, as Keystone's schema
// validation would, and reported by Server.Failures; a response of the fake
// that does not conform fails the test.
//
// A new server is bootstrapped as `keystone-manage bootstrap` does: a
// "default" domain, an admin user with the admin role on the admin project and
// on the system, the roles admin, member and reader (admin implies member,
// which implies reader), and an identity service with public, internal and
// admin endpoints in RegionOne pointing at the server itself.
//
// Token lifetimes follow the server's clock, which tests can move on with
// Server.Advance (or replace with WithClock) to exercise expiry and refresh.
//
// Besides the API, tests can set the server up from Go: Server.AddService adds
// a service and its endpoints to the catalog, Server.RequireMFA gives a user
// multi-factor rules, Server.TOTPPasscode returns the passcode a user's TOTP
// credential yields now, Server.RevokeAllTokens revokes every token. They can
// see what clients sent (Server.RequestCount, Server.LastRequest,
// Server.TokenCount) and put faults in front of the server (Server.Intercept,
// FailFirst). WithTLS serves HTTPS.
//
//	func TestMyTool(t *testing.T) {
//		ks := keystonetest.NewServer(t)
//		auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
//			AuthURL:  ks.AuthURL(),
//			User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
//			Password: ks.AdminPassword,
//			Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
//		})
//		// … run the code under test against ks.AuthURL() …
//	}
//
// The fake is for tests: it keeps passwords in memory in clear.
package keystonetest

import "errors"

// errNotImplemented is returned by the operations the fake does not serve
// (of Identity v2.0: every v3 operation is served); the server answers them
// 501 with Keystone's error body.
var errNotImplemented = errors.New("keystonetest: operation not implemented by the in-memory Keystone")
