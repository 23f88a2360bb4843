package redis_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
	"github.com/gokeystone/keystone/pkg/tokenstore"
	"github.com/gokeystone/keystone/pkg/tokenstore/redis"
)

// Share tokens between the processes of a fleet through Redis: each
// process makes its own Store with the same secret, and only one of them
// authenticates. Here nothing listens at the address: the plugin works all
// the same, without the cache.
func ExampleNew() {
	ks, err := keystonetest.Start() // stands in for https://keystone.example.com
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	ctx := context.Background()

	store, err := redis.New("127.0.0.1:1", tokenstore.Options{
		Secret:           "a long, random secret shared by the fleet",
		SecurityStrategy: tokenstore.Encrypt,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainName: "Default"},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainName: "Default"},
	}, keystone.WithTokenStore(store))
	if err != nil {
		log.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	tok, err := auth.Token(ctx, session)
	fmt.Println("token:", tok != "", err)
	fmt.Println("cache unavailable:", store.Stats().Unavailable > 0)
	err = store.Store(ctx, "key", []byte("data"))
	fmt.Println(errors.Is(err, tokenstore.ErrUnavailable))
	// Output:
	// token: true <nil>
	// cache unavailable: true
	// true
}
