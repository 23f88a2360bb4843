package bench

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"

	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// Catalog sizes: 12 services × 3 interfaces × 1 region = 36 endpoints, and
// 100 services × 3 interfaces × 5 regions = 1500.
var catalogs = []struct {
	name              string
	services, regions int
}{{"36", 12, 1}, {"1500", 100, 5}}

func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: t}
}

const wantURL = "https://nova.regionone.example.com:8774/v2.1/public"

// BenchmarkAuthParseLookup: a password authentication, the token parsed, and
// the public compute endpoint of RegionOne looked up: what every CLI call and
// every new client does.
func BenchmarkAuthParseLookup(b *testing.B) {
	for _, cat := range catalogs {
		srv := newStandIn(b, cat.services, cat.regions)
		hc := newHTTPClient()
		ctx := context.Background()
		impls := []struct {
			name string
			run  func(context.Context, string, *http.Client) (string, error)
		}{{"gokeystone", gkAuthLookup}, {"gophercloud", gcAuthLookup}, {"raw", rawAuthLookup}}
		for _, impl := range impls {
			settle() // no implementation pays for the garbage of the one before
			b.Run(fmt.Sprintf("catalog=%s/impl=%s", cat.name, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					u, err := impl.run(ctx, srv.URL, hc)
					if err != nil || strings.TrimSuffix(u, "/") != wantURL { // gophercloud adds a slash
						b.Fatalf("%q %v", u, err)
					}
				}
			})
		}
	}
}

// settle collects the garbage of what ran before (building the stand-in's
// bodies, another implementation's run), so that a case is timed on a
// quiet heap whatever ran first.
func settle() {
	runtime.GC()
	runtime.GC()
}

// BenchmarkLookup: the endpoint lookup alone, on a parsed token.
func BenchmarkLookup(b *testing.B) {
	for _, cat := range catalogs {
		srv := newStandIn(b, cat.services, cat.regions)
		hc := newHTTPClient()
		ctx := context.Background()

		auth, s, err := gkAuth(srv.URL, hc)
		if err != nil {
			b.Fatal(err)
		}
		ai, err := auth.Access(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		catalog := ai.Catalog()
		b.Run(fmt.Sprintf("catalog=%s/impl=gokeystone", cat.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ep, err := catalog.Lookup(computeFilter)
				if err != nil || ep.URL != wantURL {
					b.Fatal(err)
				}
			}
		})

		gcCat, err := gcCatalog(ctx, srv.URL, hc)
		if err != nil {
			b.Fatal(err)
		}
		opts := gophercloud.EndpointOpts{Type: "compute", Region: "RegionOne", Availability: gophercloud.AvailabilityPublic}
		b.Run(fmt.Sprintf("catalog=%s/impl=gophercloud", cat.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				u, err := openstack.V3EndpointURL(gcCat, opts)
				if err != nil || strings.TrimSuffix(u, "/") != wantURL {
					b.Fatal(err)
				}
			}
		})

		_, raw, err := rawAuth(ctx, srv.URL, hc)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("catalog=%s/impl=raw", cat.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				u, err := rawLookup(raw, "compute", "public", "RegionOne")
				if err != nil || u != wantURL {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListProjects: an authenticated list of projects, fully decoded
// into typed values.
func BenchmarkListProjects(b *testing.B) {
	srv := newStandIn(b, 12, 1)
	hc := newHTTPClient()
	ctx := context.Background()

	_, s, err := gkAuth(srv.URL, hc)
	if err != nil {
		b.Fatal(err)
	}
	gk, err := identityv3.NewClientAt(s, srv.URL+"/v3")
	if err != nil {
		b.Fatal(err)
	}
	p, err := gcProvider(ctx, srv.URL, hc)
	if err != nil {
		b.Fatal(err)
	}
	gc, err := openstack.NewIdentityV3(p, gophercloud.EndpointOpts{})
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := rawAuth(ctx, srv.URL, hc)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{100, 1000} {
		impls := []struct {
			name string
			run  func() (int, error)
		}{
			{"gokeystone", func() (int, error) { return gkListProjects(ctx, gk) }},
			{"gophercloud", func() (int, error) { return gcListProjects(ctx, gc) }},
			{"raw", func() (int, error) { return rawListProjects(ctx, srv.URL, token, hc) }},
		}
		for _, impl := range impls {
			srv.listSize.Store(int64(n))
			settle()
			b.Run(fmt.Sprintf("projects=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					got, err := impl.run()
					if err != nil || got != n {
						b.Fatalf("%d %v", got, err)
					}
				}
			})
		}
	}
}
