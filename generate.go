// Package keystone is the root of the gokeystone module. It holds only the
// go:generate directives that produce the code in gen/ from the specs in api/.
// The SDK is elsewhere: its core in pkg/keystone, its authentication plugins
// in pkg/authplugin.
package keystone

// Regenerate with `go generate ./...` (or `make generate`); CI fails when the
// result differs from what is committed.

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/identityv3/oapi-codegen.yaml api/identity-v3.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/identityv3server/oapi-codegen.yaml api/identity-v3.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/identityv2/oapi-codegen.yaml api/identity-v2.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/identityv2server/oapi-codegen.yaml api/identity-v2.yaml
