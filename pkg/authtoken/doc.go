// Package authtoken is keystonemiddleware's auth_token for Go services: a
// net/http middleware that validates the Keystone token of every request
// (X-Auth-Token, and the X-Service-Token of a service acting for a user)
// and tells the handler who the caller is.
//
// For each request the middleware
//
//   - removes the identity headers the client sent (X-Identity-Status,
//     X-User-Id, X-Roles, X-Service-Catalog, …: see StrippedHeaders), so that
//     nobody can pass an identity of their own making;
//   - validates the tokens with GET /v3/auth/tokens, through the service's own
//     session (whose auth plugin must be allowed to validate other users'
//     tokens: the admin or service role);
//   - sets keystonemiddleware's headers (X-Identity-Status: Confirmed,
//     X-User-Id, X-User-Name, X-User-Domain-Id, X-User-Domain-Name,
//     X-Project-Id, X-Project-Name, X-Project-Domain-Id,
//     X-Project-Domain-Name, X-Domain-Id, X-Domain-Name, X-Roles,
//     X-Is-Admin-Project, OpenStack-System-Scope, X-Service-Catalog, and the
//     X-Service-* headers of a service token) and puts the caller's
//     *keystone.AccessInfo in the request's context (FromContext);
//   - answers 401 with WWW-Authenticate: Keystone uri="…" when the token is
//     missing or invalid (unless Options.DelayAuthDecision), and 503 when
//     Keystone cannot be reached.
//
// Validations are cached in memory (Options.CacheTTL, 300 seconds by
// default, and never past the token's expiry, checked again at every use),
// rejections too (Options.NegativeCacheTTL), and concurrent requests with the
// same token share one validation. Options.RevalidateEvery bounds how long a
// revoked token keeps working. Options.SharedCache shares the validations
// with the other instances of the service (memcached, Redis) under keyed
// digests, sealed with AES-GCM.
//
// Service tokens follow keystonemiddleware: a request with an X-Service-Token
// needs it valid (and, with Options.ServiceTokenRolesRequired, carrying one
// of Options.ServiceTokenRoles); a service token with one of those roles
// lets an expired user token through (Keystone's allow_expired), so that a
// long operation a user started can finish.
//
// No token is ever logged, put in an error, or given to a SharedCache.
package authtoken
