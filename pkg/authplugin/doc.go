// Package authplugin holds the authentication plugins of the gokeystone SDK,
// for Identity v3: password (NewPassword), token (NewToken), application
// credential (NewApplicationCredential), TOTP (NewTOTP), several methods at
// once with multi-factor auth receipts (NewMultiFactor), Keystone's
// admin_token bootstrap mode (NewAdminToken), a saved token (NewFromAccess)
// and a version-discovering plugin (NewGeneric).
//
// Each returns a *keystone.Auth, which caches and refreshes the token; the
// keystone.AuthOption values (WithExpiryMargin, WithTokenStore, WithClock)
// configure that. Every v3 plugin takes a Scope: a project by ID or by name
// with its domain, a domain, the system, a trust, or explicitly none.
//
// Option types and methods print their secrets masked.
package authplugin
