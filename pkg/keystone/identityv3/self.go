package identityv3

import (
	"context"
	"fmt"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Calls on the session's own user, which keystoneclient makes when no user
// is named (users.update_password, application_credentials.create with
// user=None): the user is the one the session's token belongs to.

// sessionUserID returns the ID of the user of the session's token,
// authenticating if the session has no valid token yet.
func sessionUserID(ctx context.Context, c *rest.Client) (string, error) {
	if c == nil || c.Session == nil {
		return "", fmt.Errorf("%w: nil client", keystone.ErrInvalidArgument)
	}
	auth := c.Session.Auth()
	if auth == nil {
		return "", fmt.Errorf("identityv3: the session's user: %w", keystone.ErrMissingAuthPlugin)
	}
	ai, err := auth.Access(ctx, c.Session)
	if err != nil {
		return "", fmt.Errorf("identityv3: the session's user: %w", err)
	}
	if ai == nil || ai.User.ID == "" {
		return "", fmt.Errorf("%w: identityv3: the session's token names no user", keystone.ErrInvalidResponse)
	}
	return ai.User.ID, nil
}

// UpdateOwnPassword changes the password of the session's own user, as
// keystoneclient's users.update_password(old, new): the user is the one the
// session's token belongs to (authenticating first if the session has no
// token yet), and oldPassword must be its current password. Both must be
// non-empty (keystone.ErrInvalidArgument). A wrong oldPassword is
// keystone.ErrUnauthorized; a new password the deployment's rules refuse is
// keystone.ErrBadRequest.
//
// Keystone then revokes the user's tokens, the session's included: a
// session that goes on as this user needs credentials with the new password.
//
// POST /v3/users/{user_id}/password (changeUserPassword).
func (m *UsersManager) UpdateOwnPassword(ctx context.Context, oldPassword, newPassword string) error {
	if oldPassword == "" || newPassword == "" {
		return fmt.Errorf("%w: both the current password and a new one are required", keystone.ErrInvalidArgument)
	}
	userID, err := sessionUserID(ctx, m.c)
	if err != nil {
		return err
	}
	return m.ChangePassword(ctx, userID, UserPasswordChange{OriginalPassword: oldPassword, Password: newPassword})
}

// CreateOwn creates an application credential for the session's own user,
// as keystoneclient's application_credentials.create(name, user=None): the
// user is the one the session's token belongs to (authenticating first if
// the session has no token yet), and the credential is for the token's
// project. The returned credential carries its secret, which Keystone shows
// only once.
//
// POST /v3/users/{user_id}/application_credentials (createApplicationCredential).
func (m *ApplicationCredentialsManager) CreateOwn(ctx context.Context, body ApplicationCredentialCreate) (*ApplicationCredential, error) {
	userID, err := sessionUserID(ctx, m.c)
	if err != nil {
		return nil, err
	}
	return m.Create(ctx, userID, body)
}
