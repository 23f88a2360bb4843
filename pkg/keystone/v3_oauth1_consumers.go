package keystone

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// OAuth1Manager manages OAuth1 consumers, request tokens and access tokens.
type OAuth1Manager struct{ c *V3Client }

// CreateConsumer creates an OAuth1 consumer (its secret is returned only now).
func (m *OAuth1Manager) CreateConsumer(ctx context.Context, consumer identityv3.OAuth1ConsumerCreate) (*identityv3.OAuth1ConsumerCreated, error) {
	e, err := call[identityv3.OAuth1ConsumerCreatedEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateOAuth1Consumer(ctx, identityv3.OAuth1ConsumerCreateRequest{Consumer: consumer})
	})
	if err != nil {
		return nil, err
	}
	return &e.Consumer, nil
}

// GetConsumer returns an OAuth1 consumer.
func (m *OAuth1Manager) GetConsumer(ctx context.Context, consumerID string) (*identityv3.OAuth1Consumer, error) {
	e, err := call[identityv3.OAuth1ConsumerEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetOAuth1Consumer(ctx, consumerID) })
	if err != nil {
		return nil, err
	}
	return &e.Consumer, nil
}

// UpdateConsumer changes an OAuth1 consumer's description and extra attributes.
func (m *OAuth1Manager) UpdateConsumer(ctx context.Context, consumerID string, consumer identityv3.OAuth1ConsumerUpdate) (*identityv3.OAuth1Consumer, error) {
	e, err := call[identityv3.OAuth1ConsumerEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateOAuth1Consumer(ctx, consumerID, identityv3.OAuth1ConsumerUpdateRequest{Consumer: consumer})
	})
	if err != nil {
		return nil, err
	}
	return &e.Consumer, nil
}

// DeleteConsumer deletes an OAuth1 consumer and its tokens.
func (m *OAuth1Manager) DeleteConsumer(ctx context.Context, consumerID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteOAuth1Consumer(ctx, consumerID)
	})
}

// ListConsumersAll collects ListConsumers.
func (m *OAuth1Manager) ListConsumersAll(ctx context.Context) ([]identityv3.OAuth1Consumer, error) {
	return Collect(m.ListConsumers(ctx))
}

// ListConsumers lists OAuth1 consumers, following the server's pages.
func (m *OAuth1Manager) ListConsumers(ctx context.Context) iter.Seq2[identityv3.OAuth1Consumer, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListOAuth1Consumers(ctx) },
		func(l *identityv3.OAuth1ConsumerList) ([]identityv3.OAuth1Consumer, *string) {
			return l.Consumers, nextLink(l.Links)
		})
}

// AuthorizeRequestToken authorizes a request token with roles and returns the verifier.
func (m *OAuth1Manager) AuthorizeRequestToken(ctx context.Context, requestTokenID string, roles []identityv3.OAuth1RoleRef) (*identityv3.OAuth1Verifier, error) {
	e, err := call[identityv3.OAuth1VerifierEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.AuthorizeOAuth1RequestToken(ctx, requestTokenID, identityv3.OAuth1RequestTokenAuthorizeRequest{Roles: roles})
	})
	if err != nil {
		return nil, err
	}
	return &e.Token, nil
}

// ListAccessTokensAll collects ListAccessTokens.
func (m *OAuth1Manager) ListAccessTokensAll(ctx context.Context, userID string) ([]identityv3.OAuth1AccessToken, error) {
	return Collect(m.ListAccessTokens(ctx, userID))
}

// ListAccessTokens lists a user's OAuth1 access tokens, following the server's pages.
func (m *OAuth1Manager) ListAccessTokens(ctx context.Context, userID string) iter.Seq2[identityv3.OAuth1AccessToken, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListUserOAuth1AccessTokens(ctx, userID)
	},
		func(l *identityv3.OAuth1AccessTokenList) ([]identityv3.OAuth1AccessToken, *string) {
			return l.AccessTokens, nextLink(l.Links)
		})
}

// GetAccessToken returns a user's OAuth1 access token.
func (m *OAuth1Manager) GetAccessToken(ctx context.Context, userID string, accessTokenID string) (*identityv3.OAuth1AccessToken, error) {
	e, err := call[identityv3.OAuth1AccessTokenEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetUserOAuth1AccessToken(ctx, userID, accessTokenID)
	})
	if err != nil {
		return nil, err
	}
	return &e.AccessToken, nil
}

// DeleteAccessToken revokes a user's OAuth1 access token.
func (m *OAuth1Manager) DeleteAccessToken(ctx context.Context, userID string, accessTokenID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteUserOAuth1AccessToken(ctx, userID, accessTokenID)
	})
}

// ListAccessTokenRolesAll collects ListAccessTokenRoles.
func (m *OAuth1Manager) ListAccessTokenRolesAll(ctx context.Context, userID string, accessTokenID string) ([]identityv3.OAuth1AccessTokenRole, error) {
	return Collect(m.ListAccessTokenRoles(ctx, userID, accessTokenID))
}

// ListAccessTokenRoles lists the roles an OAuth1 access token delegates, following the server's pages.
func (m *OAuth1Manager) ListAccessTokenRoles(ctx context.Context, userID string, accessTokenID string) iter.Seq2[identityv3.OAuth1AccessTokenRole, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListUserOAuth1AccessTokenRoles(ctx, userID, accessTokenID)
	},
		func(l *identityv3.OAuth1AccessTokenRoleList) ([]identityv3.OAuth1AccessTokenRole, *string) {
			return l.Roles, nextLink(l.Links)
		})
}

// GetAccessTokenRole returns a role an OAuth1 access token delegates.
func (m *OAuth1Manager) GetAccessTokenRole(ctx context.Context, userID string, accessTokenID string, roleID string) (*identityv3.OAuth1AccessTokenRole, error) {
	e, err := call[identityv3.OAuth1AccessTokenRoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetUserOAuth1AccessTokenRole(ctx, userID, accessTokenID, roleID)
	})
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}
