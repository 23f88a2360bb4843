// Package api embeds the OpenAPI documents that are this SDK's contract with
// Keystone, so that programs and tests can validate traffic against them without
// reading files at run time.
package api

import _ "embed"

// IdentityV3 is the OpenAPI 3.0 document of the Identity API v3 (identity-v3.yaml).
//
//go:embed identity-v3.yaml
var IdentityV3 []byte

// IdentityV2 is the OpenAPI 3.0 document of the Identity API v2.0 (identity-v2.yaml).
//
//go:embed identity-v2.yaml
var IdentityV2 []byte
