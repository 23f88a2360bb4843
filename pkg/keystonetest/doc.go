// Package keystonetest is an in-memory Keystone for tests and demos: it
// serves Identity v3 (the core: version discovery, tokens, catalog, projects,
// domains, users, groups, roles, grants, role assignments, services, endpoints,
// regions) from the same OpenAPI spec as the SDK's generated client, with real
// state, Keystone's error bodies and statuses, token expiry driven by an
// injectable clock, and optional validation of every exchange against the spec.
package keystonetest

import "errors"

// errNotImplemented is returned by the operations the fake does not serve;
// the server answers them 501 with Keystone's error body.
var errNotImplemented = errors.New("keystonetest: operation not implemented by the in-memory Keystone")
