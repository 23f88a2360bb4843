// Package keystone is the hand-written façade of the gokeystone SDK over the
// generated Identity clients in gen/: sessions, token caching, service-catalog
// resolution, version discovery, errors and typed v3/v2 clients.
//
// The façade is being built; until it lands, use the generated client in
// github.com/gokeystone/keystone/gen/identityv3 directly (see examples/demo).
package keystone
