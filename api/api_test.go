package api

import (
	"context"
	"testing"

	"github.com/gokeystone/keystone/internal/speclint"
)

// TestIdentityV3SpecIsValid lints the embedded spec: OpenAPI 3.0 validity with
// examples and formats, and the project's conventions.
func TestIdentityV3SpecIsValid(t *testing.T) {
	doc, err := speclint.LoadData(IdentityV3)
	if err != nil {
		t.Fatal(err)
	}
	if err := speclint.Validate(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
}
