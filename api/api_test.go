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

// TestIdentityV2SpecIsValid lints the embedded v2.0 spec the same way.
func TestIdentityV2SpecIsValid(t *testing.T) {
	doc, err := speclint.LoadData(IdentityV2)
	if err != nil {
		t.Fatal(err)
	}
	if err := speclint.Validate(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
}
