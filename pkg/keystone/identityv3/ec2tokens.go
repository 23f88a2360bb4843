package identityv3

import (
	"context"
	"net/http"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Validate validates an EC2 signature and returns the token Keystone issues
// for it (for an admin or service caller: the EC2 API's middleware).
func (m *EC2CredentialsManager) Validate(ctx context.Context, creds EC2TokenCredentials) (*keystone.AccessInfo, error) {
	return m.c.Token(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/ec2tokens", JSON: map[string]any{"credentials": creds}}, "")
}

// ValidateS3 validates an S3 signature and returns the token Keystone issues
// for it (for an admin or service caller).
func (m *EC2CredentialsManager) ValidateS3(ctx context.Context, creds S3TokenCredentials) (*keystone.AccessInfo, error) {
	return m.c.Token(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/s3tokens", JSON: map[string]any{"credentials": creds}}, "")
}
