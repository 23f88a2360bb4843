// Package keystone is the core of the gokeystone SDK: sessions, token
// caching, service-catalog lookup, version discovery, retries, redacted
// logging and typed errors. The resource managers of the Identity API are in
// packages of their own, generated from the spec: identityv3 and identityv2
// (pkg/keystone/identityv3, pkg/keystone/identityv2); the ways to log in are
// in pkg/authplugin.
//
// A Session is the one place where HTTP happens: it authenticates requests
// with an AuthPlugin (see package authplugin), finds endpoints in the token's
// service catalog, discovers API versions, retries, logs with secrets redacted,
// and returns error statuses as *HTTPError. The managers send every request
// through it, and so can any code (Session.Request, for any service):
//
//	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
//		AuthURL: "https://keystone.example.com/v3",
//		User:    authplugin.User{Name: "alice", DomainName: "Default"},
//		Password: password,
//		Scope:   authplugin.Scope{ProjectName: "demo", ProjectDomainName: "Default"},
//	})
//	session, _ := keystone.NewSession(keystone.WithAuth(auth))
//	identity, _ := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
//	projects, err := keystone.Collect(identity.Projects.List(ctx, nil))
//
// Tokens are kept by Auth: read without locks, refreshed two minutes before
// they expire (and once after the server rejects one), one refresh at a time
// however many goroutines wait, and, with WithTokenStore, shared with other
// processes so that they authenticate once between them.
//
// Errors are matched with errors.Is against the sentinels (ErrNotFound,
// ErrUnauthorized, ErrEndpointNotFound, ErrCannotReauthenticate, …) and
// inspected with errors.As (*HTTPError, *EndpointNotFoundError,
// *AuthReceiptError, …). No error and no log line contains a password, a
// secret or a token.
package keystone
