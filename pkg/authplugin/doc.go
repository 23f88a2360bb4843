// Package authplugin holds the authentication plugins of the gokeystone SDK:
// password, token, application credential, TOTP, multi-factor, admin token and
// version-discovering plugins, for Identity v3 and v2.0.
//
// The plugins are being built; see package keystone.
package authplugin
