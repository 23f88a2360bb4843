// Package keystone is the hand-written façade of the gokeystone SDK over the
// generated Identity clients in gen/.
//
// A Session is the one place where HTTP happens: it authenticates requests
// with an AuthPlugin (see package authplugin), finds endpoints in the token's
// service catalog, discovers API versions, retries, logs with secrets redacted,
// and returns error statuses as *HTTPError. It is also the HttpRequestDoer of
// the generated clients, so that generated calls get all of that too:
//
//	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
//		AuthURL: "https://keystone.example.com/v3",
//		User:    authplugin.User{Name: "alice", DomainName: "Default"},
//		Password: password,
//		Scope:   authplugin.Scope{ProjectName: "demo", ProjectDomainName: "Default"},
//	})
//	session, _ := keystone.NewSession(keystone.WithAuth(auth))
//	identity, _ := session.IdentityV3(ctx, keystone.EndpointFilter{})
//	projects, err := identity.ListProjectsWithResponse(ctx, nil)
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
