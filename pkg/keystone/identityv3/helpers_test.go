package identityv3_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// must returns v, or stops the test (with a panic the testing package
// reports, cleanups included) when err is not nil. It lets a call's two
// results be checked in one expression.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// collect gathers a list, or stops the test as must does.
func collect[T any](seq iter.Seq2[T, error]) []T {
	return must(keystone.Collect(seq))
}

// contains reports whether one of items has the ID id.
func contains[T any](items []T, id func(T) string, want string) bool {
	return slices.ContainsFunc(items, func(x T) bool { return id(x) == want })
}

func isNotFound(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("%s: got %v, want ErrNotFound", what, err)
	}
}

// uniqueName returns a name no other run uses.
func uniqueName(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return "it-" + prefix + "-" + hex.EncodeToString(b)
}

// bg is the context of cleanups, which run after the test's context ends.
func bg() context.Context { return context.Background() }

func newSession(t testing.TB, opts ...keystone.SessionOption) *keystone.Session {
	t.Helper()
	s, err := keystone.NewSession(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.CloseIdleConnections)
	return s
}

// fakeAuth is a password plugin for the administrator of the in-memory
// Keystone ks, scoped to the admin project.
func fakeAuth(t testing.TB, ks *keystonetest.Server) *keystone.Auth {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fakeClient starts an in-memory Keystone for t and returns it with a
// client, found in its catalog, authenticated as its administrator.
func fakeClient(t *testing.T, opts ...keystone.SessionOption) (*keystonetest.Server, *identityv3.Client) {
	t.Helper()
	ks := keystonetest.NewServer(t)
	t.Cleanup(func() {
		// Every request the client sent conformed to the spec.
		for _, f := range ks.Failures() {
			t.Errorf("non-conforming exchange: %v", f)
		}
	})
	s := newSession(t, append([]keystone.SessionOption{keystone.WithAuth(fakeAuth(t, ks))}, opts...)...)
	c, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ks, c
}

// adminTokenClient returns a client of the server at url (its root) that
// authenticates with a static admin token: no authentication request, no
// discovery, so that a test server sees only the calls under test.
func adminTokenClient(t *testing.T, url string, opts ...keystone.SessionOption) *identityv3.Client {
	t.Helper()
	auth, err := authplugin.NewAdminToken(url, "tok")
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, append([]keystone.SessionOption{keystone.WithAuth(auth)}, opts...)...)
	c, err := identityv3.NewClientAt(s, url+"/v3")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// countingTransport counts the requests a session sends.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// identityRegions creates, through c, regions and, in each, a public
// endpoint of the identity service (Keystone's own, type identity and name
// keystone) at url(i), i being the region's index. Cleanups delete the
// endpoints, then the regions.
func identityRegions(t *testing.T, c *identityv3.Client, regions []string, url func(i int) string) {
	t.Helper()
	ctx := t.Context()
	svcs := collect(c.Services.List(ctx, &identityv3.ListServicesOptions{Type: new("identity"), Name: new("keystone")}))
	if len(svcs) != 1 {
		t.Fatalf("identity services named keystone: %+v", svcs)
	}
	for i, region := range regions {
		r, err := c.Regions.Create(ctx, identityv3.RegionCreate{ID: new(region), Description: new("identityv3 test region")})
		if err != nil {
			t.Fatalf("create region %s: %v", region, err)
		}
		if r.ID != region {
			t.Fatalf("region %q created as %q", region, r.ID)
		}
		t.Cleanup(func() {
			if err := c.Regions.Delete(bg(), region); err != nil {
				t.Errorf("delete region %s: %v", region, err)
			}
		})
		e, err := c.Endpoints.Create(ctx, identityv3.EndpointCreate{ServiceID: svcs[0].ID, Interface: "public", RegionID: new(region), URL: url(i)})
		if err != nil {
			t.Fatalf("create the identity endpoint of %s: %v", region, err)
		}
		t.Cleanup(func() { // runs before the region's cleanup (registered earlier)
			if err := c.Endpoints.Delete(bg(), e.ID); err != nil {
				t.Errorf("delete endpoint %s: %v", e.ID, err)
			}
		})
	}
}

// regionURL is the identity URL of the extra region i: nothing answers there.
func regionURL(i int) string { return fmt.Sprintf("http://127.0.0.1:1/region%d/v3", i+2) }

// checkIs asserts that a check (Has…, Tokens.Check) answers want.
func checkIs(t *testing.T, want bool, ok bool, err error, what string) {
	t.Helper()
	if err != nil || ok != want {
		t.Errorf("%s: %v %v, want %v", what, ok, err, want)
	}
}

// expect returns a function that checks a check's results with checkIs:
// expect(t, true, "HasTag")(c.Projects.HasTag(ctx, id, "z")).
func expect(t *testing.T, want bool, what string) func(bool, error) {
	return func(ok bool, err error) {
		t.Helper()
		checkIs(t, want, ok, err, what)
	}
}
