package identityv2_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
)

// The token operations put the token in the URL (/v2.0/tokens/{token}):
// neither the session's debug log nor an error shows it.
func TestTokensNeverShowTheToken(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, ks := v2Admin(t, keystone.WithLogger(logger))
	ctx := t.Context()

	a, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), Username: ks.AdminUser,
		Password: ks.AdminPassword, Tenant: authplugin.Tenant{ID: ks.AdminProjectID}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	ai, err := a.Access(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	token := ai.Token()
	adminToken, err := c.Session().Auth().Token(ctx, c.Session())
	if err != nil {
		t.Fatal(err)
	}

	var errs []error
	check := func(what string, err error, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", what, err, want)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Successes: the token is in the request's URL and in the body of
	// Validate's response.
	got, err := c.Tokens.Validate(ctx, token, "")
	if err != nil || got.Token() != token {
		t.Fatalf("validate: %v", err)
	}
	if ok, err := c.Tokens.Check(ctx, token); !ok || err != nil {
		t.Errorf("check: %v %v", ok, err)
	}
	if eps, err := keystone.Collect(c.Tokens.ListEndpoints(ctx, token)); err != nil || len(eps) == 0 {
		t.Errorf("endpoints: %v %v", eps, err)
	}
	// Failures: errors name the request's URL.
	_, err = c.Tokens.Validate(ctx, token, "another-tenant")
	check("validate for another tenant", err, keystone.ErrUnauthorized)
	if err := c.Tokens.Revoke(ctx, token); err != nil {
		t.Fatal(err)
	}
	_, err = c.Tokens.Validate(ctx, token, "")
	check("validate a revoked token", err, keystone.ErrNotFound)
	check("revoke a revoked token", c.Tokens.Revoke(ctx, token), keystone.ErrNotFound)
	_, err = keystone.Collect(c.Tokens.ListEndpoints(ctx, token))
	check("endpoints of a revoked token", err, keystone.ErrNotFound)
	if ok, err := c.Tokens.Check(ctx, token); ok || err != nil {
		t.Errorf("check a revoked token: %v %v", ok, err)
	}

	if !strings.Contains(logs.String(), "/v2.0/tokens/") {
		t.Fatalf("no request to /v2.0/tokens/ in the debug log:\n%s", logs.String())
	}
	for _, secret := range []string{token, adminToken} {
		for _, e := range errs {
			if strings.Contains(e.Error(), secret) {
				t.Errorf("an error shows a token: %v", e)
			}
		}
		for line := range strings.Lines(logs.String()) {
			if strings.Contains(line, secret) {
				t.Errorf("a log line shows a token: %s", line)
			}
		}
	}
}

// An empty token is an invalid argument, not a request to /v2.0/tokens/.
func TestTokensEmptyToken(t *testing.T) {
	c, _ := v2Admin(t)
	ctx := t.Context()
	if _, err := c.Tokens.Validate(ctx, "", ""); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("validate: %v", err)
	}
	if ok, err := c.Tokens.Check(ctx, ""); ok || !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("check: %v %v", ok, err)
	}
	if err := c.Tokens.Revoke(ctx, ""); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("revoke: %v", err)
	}
	if _, err := keystone.Collect(c.Tokens.ListEndpoints(ctx, "")); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("endpoints: %v", err)
	}
	if _, err := c.Users.ChangeOwnPassword(ctx, "", identityv2.ChangeOwnPasswordBody{OriginalPassword: "a", Password: "b"}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("change own password: %v", err)
	}
}

// The revocation list is gone with PKI tokens: Keystone answers 410.
func TestTokensListRevoked(t *testing.T) {
	c, _ := v2Admin(t)
	if _, err := c.Tokens.ListRevoked(t.Context()); !errors.Is(err, keystone.ErrGone) {
		t.Errorf("revocation list: %v", err)
	}
}
