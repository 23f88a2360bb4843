// Command tokenissue issues a project-scoped token with a password through
// the SDK, as a CLI's `token issue` does, and prints its expiry (never the
// token). BenchmarkCLIPath times it against curl sending the same request.
//
// Settings: KEYSTONE_URL (unversioned root), KEYSTONE_ADMIN_USER,
// KEYSTONE_ADMIN_PASSWORD, KEYSTONE_ADMIN_PROJECT, KEYSTONE_DOMAIN.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

func main() {
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	domain := env("KEYSTONE_DOMAIN", "default")
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  env("KEYSTONE_URL", "") + "/v3",
		User:     authplugin.User{Name: env("KEYSTONE_ADMIN_USER", "admin"), DomainID: domain},
		Password: os.Getenv("KEYSTONE_ADMIN_PASSWORD"),
		Scope:    authplugin.Scope{ProjectName: env("KEYSTONE_ADMIN_PROJECT", "admin"), ProjectDomainID: domain},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ai, err := auth.Access(ctx, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ai.ExpiresAt.Format(time.RFC3339))
}
