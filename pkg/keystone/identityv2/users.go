package identityv2

import (
	"context"
	"net/http"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// ChangeOwnPassword changes the password of the session's own user,
// userID (OS-KSCRUD: the body's OriginalPassword must be the current
// one), and returns the new token Keystone issues for it: Keystone revokes
// the user's other tokens, the session's included, so a session that goes
// on as this user needs the new one
// (keystone.WithAuth(keystone.NewAuthFromAccess(ai))). It works on the
// public endpoint. Hand-written, to return the access document as a
// *keystone.AccessInfo.
//
// PATCH /v2.0/OS-KSCRUD/users/{user_id} (changeOwnPassword).
func (m *UsersManager) ChangeOwnPassword(ctx context.Context, userID string, body ChangeOwnPasswordBody) (*keystone.AccessInfo, error) {
	path, err := rest.Path("/v2.0/OS-KSCRUD/users/{user_id}", userID)
	if err != nil {
		return nil, err
	}
	resp, err := m.c.Do(ctx, rest.Req{Method: http.MethodPatch, Path: path, JSON: map[string]any{"user": body.wire()}})
	if err != nil {
		return nil, err
	}
	return readAccess(m.c.Session, resp)
}
