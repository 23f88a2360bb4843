// Command demo authenticates to Keystone with a password, prints the service
// catalog of the token and lists the projects, using the generated Identity v3
// client. `make demo` starts a local Keystone and runs it.
//
// Settings come from flags or, by default, from the environment that
// scripts/keystone-local.sh writes (KEYSTONE_URL, KEYSTONE_ADMIN_USER,
// KEYSTONE_ADMIN_PASSWORD, KEYSTONE_ADMIN_PROJECT, KEYSTONE_DOMAIN).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

func main() {
	url := flag.String("url", os.Getenv("KEYSTONE_URL"), "Keystone's unversioned root URL")
	user := flag.String("user", envOr("KEYSTONE_ADMIN_USER", "admin"), "user name")
	project := flag.String("project", envOr("KEYSTONE_ADMIN_PROJECT", "admin"), "project name")
	domain := flag.String("domain", envOr("KEYSTONE_DOMAIN", "default"), "domain ID of the user and the project")
	flag.Parse()
	// The password is read from the environment only, never from the command line.
	password := os.Getenv("KEYSTONE_ADMIN_PASSWORD")
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
	httpClient := &http.Client{Timeout: 30 * time.Second}
	anon, err := v3.NewClientWithResponses(strings.TrimSuffix(strings.TrimRight(url, "/"), "/v3"), v3.WithHTTPClient(httpClient))
	if err != nil {
		return err
	}

	// 1. Issue a project-scoped token with a password.
	var scope v3.AuthScopeRequest
	if err := scope.FromAuthScope(v3.AuthScope{Project: &v3.AuthScopeProject{
		Name: &project, Domain: &v3.DomainRef{ID: &domain},
	}}); err != nil {
		return err
	}
	auth, err := anon.IssueTokenWithResponse(ctx, nil, v3.AuthRequest{Auth: v3.Auth{
		Identity: v3.AuthIdentity{
			Methods: []string{"password"},
			Password: &v3.AuthPassword{User: v3.AuthPasswordUser{
				Name: &user, Domain: &v3.DomainRef{ID: &domain}, Password: password,
			}},
		},
		Scope: &scope,
	}})
	if err != nil {
		return fmt.Errorf("authenticate: %w", err)
	}
	if auth.JSON201 == nil {
		return fmt.Errorf("authenticate: Keystone answered %s", auth.Status())
	}
	token := auth.JSON201.Token
	fmt.Fprintf(w, "Authenticated as %s (%s) on project %s, token expires at %s\n\n",
		token.User.Name, token.User.ID, token.Project.Name, token.ExpiresAt.Format(time.RFC3339))

	// 2. The service catalog carried by the token.
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tTYPE\tINTERFACE\tREGION\tURL")
	for _, svc := range token.Catalog {
		for _, ep := range svc.Endpoints {
			region := ""
			if ep.RegionID.IsSpecified() && !ep.RegionID.IsNull() {
				region = ep.RegionID.MustGet()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", deref(svc.Name), svc.Type, ep.Interface, region, ep.URL)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)

	// 3. List projects with the token.
	client, err := v3.NewClientWithResponses(strings.TrimSuffix(strings.TrimRight(url, "/"), "/v3"),
		v3.WithHTTPClient(httpClient),
		v3.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("X-Auth-Token", auth.Headers201.XSubjectToken)
			return nil
		}))
	if err != nil {
		return err
	}
	projects, err := client.ListProjectsWithResponse(ctx, nil)
	if err != nil {
		return fmt.Errorf("list projects: %w", err)
	}
	if projects.JSON200 == nil {
		return fmt.Errorf("list projects: Keystone answered %s", projects.Status())
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tID\tDOMAIN\tENABLED")
	for _, p := range projects.JSON200.Projects {
		dom := ""
		if p.DomainID.IsSpecified() && !p.DomainID.IsNull() {
			dom = p.DomainID.MustGet()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\n", p.Name, p.ID, dom, p.Enabled)
	}
	return tw.Flush()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
