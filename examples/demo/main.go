// Command demo authenticates to Keystone with a password, prints the service
// catalog of the token and lists the projects, through the SDK's session and
// typed v3 client.
//
// By default it starts the in-memory Keystone of pkg/keystonetest, so it needs
// nothing installed: `make demo`. Against a real Keystone, set KEYSTONE_URL
// (or -url) and KEYSTONE_ADMIN_PASSWORD; `make demo KEYSTONE=local` starts
// the local Keystone of scripts/keystone-local.sh and does that. Other
// settings come from flags or from the environment that script writes
// (KEYSTONE_ADMIN_USER, KEYSTONE_ADMIN_PROJECT, KEYSTONE_DOMAIN).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func main() {
	url := flag.String("url", os.Getenv("KEYSTONE_URL"), "Keystone's URL (unversioned root or /v3); empty: an in-memory Keystone")
	user := flag.String("user", envOr("KEYSTONE_ADMIN_USER", "admin"), "user name")
	project := flag.String("project", envOr("KEYSTONE_ADMIN_PROJECT", "admin"), "project name")
	domain := flag.String("domain", envOr("KEYSTONE_DOMAIN", "default"), "domain ID of the user and the project")
	flag.Parse()
	// The password is read from the environment only, never from the command line.
	password := os.Getenv("KEYSTONE_ADMIN_PASSWORD")
	if *url == "" {
		ks, err := keystonetest.Start()
		if err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			os.Exit(1)
		}
		defer ks.Close()
		fmt.Printf("No KEYSTONE_URL: using the in-memory Keystone of pkg/keystonetest at %s\n\n", ks.URL)
		*url, password = ks.URL, ks.AdminPassword
		*user, *project, *domain = ks.AdminUser, ks.AdminProject, ks.DomainID
	}
	if err := run(os.Stdout, *url, *user, password, *project, *domain); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, url, user, password, project, domain string) error {
	if url == "" || password == "" {
		return errors.New("set KEYSTONE_URL and KEYSTONE_ADMIN_PASSWORD (or run `make demo`)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// 1. A project-scoped session authenticated with a password.
	authURL := strings.TrimRight(url, "/")
	if !strings.HasSuffix(authURL, "/v3") {
		authURL += "/v3"
	}
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  authURL,
		User:     authplugin.User{Name: user, DomainID: domain},
		Password: password,
		Scope:    authplugin.Scope{ProjectName: project, ProjectDomainID: domain},
	})
	if err != nil {
		return err
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithTimeout(30*time.Second),
		keystone.WithUserAgent("gokeystone-demo", "1.0"))
	if err != nil {
		return err
	}
	token, err := auth.Access(ctx, session)
	if err != nil {
		return fmt.Errorf("authenticate: %w", err)
	}
	fmt.Fprintf(w, "Authenticated as %s (%s) on project %s, token expires at %s\n\n",
		token.User.Name, token.User.ID, token.Project.Name, token.ExpiresAt.Format(time.RFC3339))

	// 2. The service catalog carried by the token.
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tTYPE\tINTERFACE\tREGION\tURL")
	for _, ep := range token.Catalog().Endpoints() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ep.ServiceName, ep.ServiceType, ep.Interface, ep.RegionID, ep.URL)
	}
	tw.Flush()
	fmt.Fprintln(w)

	// 3. List projects with the typed v3 client, found in the catalog.
	client, err := identityv3.NewClient(ctx, session, keystone.EndpointFilter{})
	if err != nil {
		return err
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tID\tDOMAIN\tENABLED")
	for p, err := range client.Projects.List(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list projects: %w", err)
		}
		dom := ""
		if p.DomainID != nil {
			dom = *p.DomainID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\n", p.Name, p.ID, dom, p.Enabled)
	}
	return tw.Flush()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
