// Package identityv2 is the typed client of the Identity API v2.0 (removed
// from Keystone in Queens, still run by some clouds): a manager per resource
// (Tenants, Users, Roles, Services, Endpoints, EC2Credentials, Tokens, …),
// generated from the spec in api/identity-v2.yaml, with plain Go types for
// what they take and return. Most of v2.0 is its admin API: make the client
// for the admin endpoint.
//
//	admin, err := identityv2.NewClient(ctx, session, keystone.EndpointFilter{Interfaces: []string{"admin"}})
//	t, err := admin.Tenants.Create(ctx, identityv2.TenantCreate{Name: "web"})
//	for t, err := range admin.Tenants.List(ctx, nil) { … }
//	t, err = admin.Tenants.Find(ctx, "web", nil) // by ID, else by name
//	ai, err := admin.Tokens.Validate(ctx, token, "") // a *keystone.AccessInfo
//
// Every manager speaks the same vocabulary: Create, Get, Update, Delete,
// List (an iter.Seq2 that follows the server's pages: keystone.Collect
// gathers it), Find (by ID, else by a unique name:
// keystone.ErrNoUniqueMatch), and List<Sub> for sub-collections
// (Tenants.ListUsers, Roles.ListForUser). Optional members are pointers
// (new("x") makes one); members an update should clear are named in the
// body's Null field; free-form members Keystone keeps (on tenants and
// users) are in Extra, both ways.
//
// Hand-written, because they return the core's *keystone.AccessInfo or
// reshape a body: Tokens.Validate, Check and Revoke,
// Users.ChangeOwnPassword, Extensions.List and Services.FindByType. A token
// is part of the URL of the token operations; the session's logs and
// errors show it as a digest.
//
// Types holding a secret (a password, an EC2 credential's secret) show it
// as "<redacted>" when printed, logged or JSON-encoded; the client sends
// the real value.
package identityv2
