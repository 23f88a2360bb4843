package identityv2_test

import (
	"bytes"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/printtest"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
)

// The request types holding a password (and the EC2 credential, holding
// its secret) never show it: printed with any verb, logged by slog's text
// and JSON handlers, or JSON-encoded.
func TestSecretsNeverShow(t *testing.T) {
	const secret = "pa55-W0rd-never-shown"
	values := map[string]any{
		"UserCreate":            identityv2.UserCreate{Name: "alice", Password: new(secret), Email: new("alice@example.com")},
		"UserUpdate":            identityv2.UserUpdate{Name: new("alice"), Password: new(secret)},
		"SetUserPasswordBody":   identityv2.SetUserPasswordBody{Password: secret},
		"ChangeOwnPasswordBody": identityv2.ChangeOwnPasswordBody{OriginalPassword: secret, Password: secret + "-new"},
		"EC2Credential":         identityv2.EC2Credential{Access: "ak", Secret: new(secret), UserID: "u", TenantID: "t"},
	}
	for name, v := range values {
		for _, v := range []any{v, ptrTo(v)} {
			for how, out := range printtest.Renderings(v) {
				if strings.Contains(out, secret) || strings.Contains(strings.ToLower(out), hex.EncodeToString([]byte(secret))) {
					t.Errorf("%s (%T) with %s shows the secret: %s", name, v, how, out)
				}
			}
		}
	}
	// What is shown instead.
	if got := printtest.Renderings(values["SetUserPasswordBody"])["fmt %+v"]; got != `identityv2.SetUserPasswordBody{"password":"<redacted>"}` {
		t.Errorf("SetUserPasswordBody with %%+v: %s", got)
	}
	r := printtest.Renderings(values["UserCreate"])
	for _, how := range []string{"json.Marshal", "slog.JSONHandler"} {
		if !strings.Contains(r[how], `redacted`) {
			t.Errorf("UserCreate with %s: %s", how, r[how])
		}
	}
	if got := r["fmt %#v"]; !strings.HasPrefix(got, "identityv2.UserCreate") {
		t.Errorf("UserCreate with %%#v: %s", got)
	}
}

// ptrTo returns a pointer to a copy of v, keeping its dynamic type.
func ptrTo(v any) any {
	switch v := v.(type) {
	case identityv2.UserCreate:
		return &v
	case identityv2.UserUpdate:
		return &v
	case identityv2.SetUserPasswordBody:
		return &v
	case identityv2.ChangeOwnPasswordBody:
		return &v
	case identityv2.EC2Credential:
		return &v
	}
	panic("ptrTo: unexpected type")
}

// The passwords a request carries are sent, but the session's debug log
// does not show them.
func TestPasswordsNotLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, ks := v2Admin(t, keystone.WithLogger(logger))
	ctx := t.Context()
	const pw1, pw2, pw3 = "first-Secret-1", "second-Secret-2", "third-Secret-3"
	u, err := c.Users.Create(ctx, identityv2.UserCreate{Name: "carol", Password: new(pw1), TenantID: new(ks.AdminProjectID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Update(ctx, u.ID, identityv2.UserUpdate{Password: new(pw2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.SetPassword(ctx, u.ID, identityv2.SetUserPasswordBody{Password: pw3}); err != nil {
		t.Fatal(err)
	}
	// pw3 was sent: carol authenticates with it.
	a, _ := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), UserID: u.ID, Password: pw3})
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	if _, err := a.Access(ctx, s); err != nil {
		t.Fatalf("authenticate with the password set: %v", err)
	}
	if !strings.Contains(logs.String(), "OS-KSADM/password") {
		t.Fatalf("no request in the debug log:\n%s", logs.String())
	}
	for _, pw := range []string{pw1, pw2, pw3} {
		if strings.Contains(logs.String(), pw) {
			t.Errorf("the debug log shows a password:\n%s", logs.String())
		}
	}
}
