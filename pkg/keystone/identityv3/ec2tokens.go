package identityv3

import (
	"context"
	"net/http"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Validate validates an EC2 signature and returns the token Keystone issues
// for it (for an admin or service caller: the EC2 API's middleware).
// Params is always sent (as {} when empty: a v4 POST signs no parameters,
// and Keystone needs the member).
func (m *EC2CredentialsManager) Validate(ctx context.Context, creds EC2TokenCredentials) (*keystone.AccessInfo, error) {
	if creds.Params == nil {
		creds.Params = map[string]string{}
	}
	type wire EC2TokenCredentials
	body := struct {
		wire
		Params map[string]string `json:"params"`
	}{wire(creds), creds.Params}
	return m.c.Token(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/ec2tokens", JSON: map[string]any{"credentials": body}}, "")
}

// ValidateS3 validates an S3 signature and returns what Keystone says of
// the credential's user and project. Keystone answers the token's data
// without issuing a token: the AccessInfo's Token is empty (it describes,
// it cannot authenticate).
func (m *EC2CredentialsManager) ValidateS3(ctx context.Context, creds S3TokenCredentials) (*keystone.AccessInfo, error) {
	return m.c.TokenData(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/s3tokens", JSON: map[string]any{"credentials": creds}})
}
