package identityv3_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// A user changes its own password, without naming itself: the user is the
// session's (keystoneclient's users.update_password(old, new)).
func ExampleUsersManager_UpdateOwnPassword() {
	ctx := context.Background()
	admin, ks, stop := adminClient(ctx)
	defer stop()
	if _, err := admin.Users.Create(ctx, identityv3.UserCreate{Name: "alice", DomainID: new(ks.DomainID), Password: new("old-s3cret")}); err != nil {
		log.Fatal(err)
	}

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.AuthURL(), User: authplugin.User{Name: "alice", DomainID: ks.DomainID}, Password: "old-s3cret",
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	defer session.CloseIdleConnections()
	alice, err := identityv3.NewClientAt(session, ks.AuthURL()) // an unscoped token has no catalog
	if err != nil {
		log.Fatal(err)
	}
	if err := alice.Users.UpdateOwnPassword(ctx, "old-s3cret", "new-s3cret"); err != nil {
		log.Fatal(err)
	}
	// The old password no longer authenticates; the new one does.
	for _, password := range []string{"old-s3cret", "new-s3cret"} {
		login, err := authplugin.NewPassword(authplugin.PasswordOptions{
			AuthURL: ks.AuthURL(), User: authplugin.User{Name: "alice", DomainID: ks.DomainID}, Password: password,
		})
		if err != nil {
			log.Fatal(err)
		}
		_, err = login.Access(ctx, session)
		fmt.Println(errors.Is(err, keystone.ErrUnauthorized))
	}
	// Output:
	// true
	// false
}

// Create an application credential for the session's own user and project
// (keystoneclient's application_credentials.create(name) without a user),
// then authenticate with it.
func ExampleApplicationCredentialsManager_CreateOwn() {
	ctx := context.Background()
	client, ks, stop := adminClient(ctx)
	defer stop()

	ac, err := client.ApplicationCredentials.CreateOwn(ctx, identityv3.ApplicationCredentialCreate{Name: "ci-job"})
	if err != nil {
		log.Fatal(err)
	}
	// The secret is shown only now: keep it.
	auth, err := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{
		AuthURL: ks.AuthURL(), ID: ac.ID, Secret: *ac.Secret,
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	defer session.CloseIdleConnections()
	info, err := auth.Access(ctx, session)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ac.Name, info.User.Name, info.Project.Name)
	// Output:
	// ci-job admin admin
}

// A service that enforces application credential access rules itself (as
// keystonemiddleware does) says so when it validates a token; Keystone
// refuses the token of a credential with access rules to one that does not.
func ExampleTokensManager_Validate_accessRules() {
	ctx := context.Background()
	client, ks, stop := adminClient(ctx)
	defer stop()

	ac, err := client.ApplicationCredentials.CreateOwn(ctx, identityv3.ApplicationCredentialCreate{
		Name: "list-servers-only",
		AccessRules: []identityv3.ApplicationCredentialAccessRuleCreate{
			{Service: new("compute"), Path: new("/v2.1/servers"), Method: new("GET")},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{
		AuthURL: ks.AuthURL(), ID: ac.ID, Secret: *ac.Secret,
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	defer session.CloseIdleConnections()
	token, err := auth.Token(ctx, session)
	if err != nil {
		log.Fatal(err)
	}

	info, err := client.Tokens.Validate(ctx, token, &identityv3.ValidateOptions{
		AccessRulesSupport: identityv3.AccessRulesVersion1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.User.Name)
	// Output:
	// admin
}

// The revocation list of PKI tokens is gone: Keystone answers 403 (or 410),
// with or without audit_id_only (keystoneclient's
// tokens.get_revoked(audit_id_only=True)).
func ExampleTokensManager_RevokedPKIWith() {
	ctx := context.Background()
	client, _, stop := adminClient(ctx)
	defer stop()

	_, err := client.Tokens.RevokedPKIWith(ctx, &identityv3.RevokedPKIOptions{AuditIDOnly: true})
	fmt.Println(errors.Is(err, keystone.ErrForbidden) || errors.Is(err, keystone.ErrGone))
	// Output:
	// true
}
