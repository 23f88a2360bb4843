//go:build integration

package identityv3_test

import (
	"errors"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// keystoneclient parity on the real Keystone: calls on the session's own
// user, access rules on validation, the PKI revocation list.
func TestIntegrationSelfCalls(t *testing.T) {
	c, ks := realClient(t)
	ctx := t.Context()
	project := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: uniqueName("project"), DomainID: new(ks.Domain)}))
	t.Cleanup(func() { c.Projects.Delete(bg(), project.ID) })
	member := must(c.Roles.Find(ctx, "member", nil))
	pw := uniqueName("pw")
	u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: uniqueName("user"), DomainID: &ks.Domain, Password: new(pw)}))
	t.Cleanup(func() { c.Users.Delete(bg(), u.ID) })
	if err := c.Roles.Grant(ctx, member.ID, identityv3.UserActor(u.ID), identityv3.OnProject(project.ID)); err != nil {
		t.Fatal(err)
	}
	uc := clientAs(t, ks, u.ID, pw, authplugin.Scope{ProjectID: project.ID})

	// An application credential for the session's user, with access rules.
	ac := must(uc.ApplicationCredentials.CreateOwn(ctx, identityv3.ApplicationCredentialCreate{Name: uniqueName("appcred"),
		AccessRules: []identityv3.ApplicationCredentialAccessRuleCreate{{Service: new("compute"), Path: new("/v2.1/servers"), Method: new("GET")}}}))
	t.Cleanup(func() { c.ApplicationCredentials.Delete(bg(), u.ID, ac.ID) })
	if ac.Secret == nil || ac.ProjectID == nil || *ac.ProjectID != project.ID {
		t.Fatalf("created %+v", ac)
	}
	if got := must(c.ApplicationCredentials.Get(ctx, u.ID, ac.ID)); got.ID != ac.ID {
		t.Errorf("got %+v", got)
	}
	acAuth, err := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: ks.URL, ID: ac.ID, Secret: *ac.Secret})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := acAuth.Access(ctx, newSession(t, validated(t, ks)))
	if err != nil {
		t.Fatal(err)
	}
	if ai.User.ID != u.ID {
		t.Errorf("the credential's token is %s's, want %s's", ai.User.ID, u.ID)
	}
	// Its token does not validate for a caller that does not enforce access
	// rules (404), and does for one that says it does.
	if _, err := c.Tokens.Validate(ctx, ai.Token(), nil); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("validation without the access rules header: %v, want ErrNotFound", err)
	}
	if _, err := c.Tokens.Validate(ctx, ai.Token(), &identityv3.ValidateOptions{AccessRulesSupport: "0.9"}); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("validation with access rules 0.9: %v, want ErrNotFound", err)
	}
	got, err := c.Tokens.Validate(ctx, ai.Token(), &identityv3.ValidateOptions{AccessRulesSupport: identityv3.AccessRulesVersion1})
	if err != nil {
		t.Fatalf("validation with the access rules header: %v", err)
	}
	if got.User.ID != u.ID {
		t.Errorf("validated a token of %s", got.User.ID)
	}

	// The PKI revocation list is gone: the error Keystone 22 gives.
	for _, opts := range []*identityv3.RevokedPKIOptions{nil, {AuditIDOnly: true}} {
		if _, err := c.Tokens.RevokedPKIWith(ctx, opts); !errors.Is(err, keystone.ErrForbidden) && !errors.Is(err, keystone.ErrGone) {
			t.Errorf("RevokedPKIWith(%+v): %v, want ErrForbidden or ErrGone", opts, err)
		}
	}

	// The session's user changes its own password.
	if err := uc.Users.UpdateOwnPassword(ctx, "wrong-"+pw, "new-"+pw); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("wrong current password: %v, want ErrUnauthorized", err)
	}
	if err := uc.Users.UpdateOwnPassword(ctx, pw, "new-"+pw); err != nil {
		t.Fatal(err)
	}
	login := func(password string) error {
		a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: u.ID}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Access(ctx, newSession(t))
		return err
	}
	if err := login(pw); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("old password: %v, want ErrUnauthorized", err)
	}
	if err := login("new-" + pw); err != nil {
		t.Errorf("new password: %v", err)
	}
}
