//go:build tools

// This file pins the code generator's version in go.mod, so that
// `go generate ./...` (which runs it with `go run`) is reproducible.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
