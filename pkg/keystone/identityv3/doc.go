// Package identityv3 is the typed client of the Identity API v3: a manager
// per resource (Projects, Users, Roles, …), generated from the spec in
// api/identity-v3.yaml, with plain Go types for what they take and return.
//
//	identity, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
//	p, err := identity.Projects.Create(ctx, identityv3.ProjectCreate{Name: "demo", DomainID: new("default")})
//	for p, err := range identity.Projects.List(ctx, nil) { … }
//	p, err = identity.Projects.Find(ctx, "demo", nil) // by ID, else by name
//
// Every manager speaks the same vocabulary: Create, Get, Update, Delete,
// List (an iter.Seq2 that follows the server's pages: keystone.Collect
// gathers it), Find (by ID, else by a unique name:
// keystone.ErrNoUniqueMatch), Has… for checks and List<Sub> for
// sub-collections. Optional members are pointers (new("x") makes one);
// members an update should clear are named in the body's Null field
// (UserUpdate{Null: []string{"default_project_id"}} sends
// "default_project_id": null); free-form members Keystone keeps are in
// Extra, both ways.
//
// Hand-written, because they say more than a request does: role grants
// (Roles.Grant with an Actor and a Target), token operations (Tokens),
// OAuth1 request signing (OAuth1) and federated logins (Federation).
//
// Types holding a secret (a password, an application credential's secret,
// a credential's blob) show it as "<redacted>" when printed, logged or
// JSON-encoded; the client sends the real value.
package identityv3
