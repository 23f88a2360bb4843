package authplugin_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// smsOTP is a program's own authentication method: a code sent by SMS,
// which the deployment enables in keystone.conf ([auth] methods = …,sms).
type smsOTP struct {
	UserID string
	Code   func(ctx context.Context) (string, error)
}

// MethodName is the method's name in auth.identity.methods.
func (m smsOTP) MethodName() string { return "sms" }

// Body is auth.identity.sms: what the deployment's method plugin reads.
func (m smsOTP) Body(ctx context.Context) (any, error) {
	code, err := m.Code(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": map[string]string{"id": m.UserID}, "code": code}, nil
}

// String hides the code.
func (m smsOTP) String() string { return fmt.Sprintf("smsOTP{UserID: %q}", m.UserID) }

// Authenticate with a password and a method of the program's own in one
// request. Here Keystone does not enable the method: it answers 401.
func ExampleMethod() {
	ks, err := keystonetest.Start() // stands in for https://keystone.example.com
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{
		AuthURL: ks.AuthURL(),
		Methods: []authplugin.Method{
			authplugin.PasswordMethod{User: authplugin.User{Name: ks.AdminUser, DomainID: "default"}, Password: ks.AdminPassword},
			smsOTP{UserID: ks.AdminUserID, Code: func(context.Context) (string, error) { return "424242", nil }},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	_, err = auth.Token(ctx, session)
	fmt.Println("rejected:", errors.Is(err, keystone.ErrAuthorizationFailure))
	// Output:
	// rejected: true
}

// Ask for a token without its service catalog (keystoneauth1's
// include_catalog=False): enough to learn who the credentials belong to.
func ExamplePasswordOptions_noCatalog() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:   ks.AuthURL(),
		User:      authplugin.User{Name: ks.AdminUser, DomainID: "default"},
		Password:  ks.AdminPassword,
		Scope:     authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: "default"},
		NoCatalog: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	ai, err := auth.Access(ctx, session)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("user:", ai.User.Name, "catalog:", ai.Catalog() != nil)
	_, err = session.EndpointURL(ctx, nil, keystone.EndpointFilter{ServiceType: "identity"})
	fmt.Println("no endpoint:", errors.Is(err, keystone.ErrEmptyCatalog) || errors.Is(err, keystone.ErrEndpointNotFound))
	// Output:
	// user: admin catalog: false
	// no endpoint: true
}

// Authenticate to Identity v2.0 with a trust: the token is the trust's.
func ExamplePasswordV2Options_trust() {
	o := authplugin.PasswordV2Options{
		AuthURL:  "https://keystone.example.com/v2.0",
		Username: "trustee",
		Password: "secret",
		TrustID:  "6a4b3f0c",
	}
	auth, err := authplugin.NewPasswordV2(o)
	if err != nil {
		log.Fatal(err)
	}
	_ = auth // give it to keystone.NewSession
	fmt.Println(o)
	// Output:
	// PasswordV2Options{AuthURL: "https://keystone.example.com/v2.0", UserID: "", Username: "trustee", Password: ***, Tenant: {ID: Name:}, TrustID: "6a4b3f0c"}
}
