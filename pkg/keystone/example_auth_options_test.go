package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Authenticate once only (keystoneauth1's reauthenticate=False): once the
// token is rejected or expires, requests fail instead of authenticating
// again.
func ExampleWithoutReauthentication() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: "default"},
		Password: ks.AdminPassword,
	}, keystone.WithoutReauthentication())
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	token, err := auth.Token(ctx, session)
	if err != nil {
		log.Fatal(err)
	}
	auth.Invalidate(token) // as after a 401
	_, err = auth.Token(ctx, session)
	fmt.Println(errors.Is(err, keystone.ErrCannotReauthenticate))
	// Output:
	// true
}

// Get the headers the plugin adds to a request, for a client that does not
// go through the session. They hold the token: never log them.
func ExampleAuth_Headers() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: "default"},
		Password: ks.AdminPassword,
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	h, err := auth.Headers(ctx, session)
	if err != nil {
		log.Fatal(err)
	}
	for name := range h {
		fmt.Println(name)
	}
	// Output:
	// X-Auth-Token
}

// The auth URL as an endpoint (keystoneauth1's interface=auth): the plugin's
// own Identity URL, found without authenticating or reading the catalog.
func ExampleInterfaceAuth() {
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  "https://keystone.example.com:5000/v3",
		User:     authplugin.User{Name: "alice", DomainID: "default"},
		Password: "secret",
	})
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	u, err := session.EndpointURL(context.Background(), nil, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}})
	fmt.Println(u, err)
	// Output:
	// https://keystone.example.com:5000/v3 <nil>
}
