package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

const herdSize = 200

// herdClient is one shared client of an implementation: call makes one
// authenticated request (a project list).
type herdClient struct {
	call func(context.Context) error
}

func newGKHerd(ctx context.Context, base string, hc *http.Client) (herdClient, error) {
	_, s, err := gkAuth(base, hc)
	if err != nil {
		return herdClient{}, err
	}
	c, err := identityv3.NewClientAt(s, base+"/v3")
	if err != nil {
		return herdClient{}, err
	}
	if _, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil { // authenticated before the herd
		return herdClient{}, err
	}
	return herdClient{call: func(ctx context.Context) error { _, err := keystone.Collect(c.Projects.List(ctx, nil)); return err }}, nil
}

func newGCHerd(ctx context.Context, base string, hc *http.Client) (herdClient, error) {
	p, err := gcProvider(ctx, base, hc)
	if err != nil {
		return herdClient{}, err
	}
	c, err := openstack.NewIdentityV3(p, gophercloud.EndpointOpts{})
	if err != nil {
		return herdClient{}, err
	}
	return herdClient{call: func(ctx context.Context) error {
		pages, err := projects.List(c, nil).AllPages(ctx)
		if err != nil {
			return err
		}
		_, err = projects.ExtractProjects(pages)
		return err
	}}, nil
}

// newRawHerd is what a plain client does without coordination: on a 401,
// each goroutine authenticates again on its own and retries once.
func newRawHerd(ctx context.Context, base string, hc *http.Client) (herdClient, error) {
	tok, _, err := rawAuth(ctx, base, hc)
	if err != nil {
		return herdClient{}, err
	}
	var token atomic.Pointer[string]
	token.Store(&tok)
	return herdClient{call: func(ctx context.Context) error {
		_, err := rawListProjects(ctx, base, *token.Load(), hc)
		if err == nil {
			return nil
		}
		t, _, err := rawAuth(ctx, base, hc)
		if err != nil {
			return err
		}
		token.Store(&t)
		_, err = rawListProjects(ctx, base, t, hc)
		return err
	}}, nil
}

// BenchmarkHerd: 200 goroutines share one authenticated client; the server
// revokes its token (scenario=revoked) or the token is about to expire
// (scenario=expiring: 60 s left, inside the 120 s refresh margin); each
// goroutine then makes one call. Reported per herd: authentication requests,
// failed calls, and 401s the server answered.
func BenchmarkHerd(b *testing.B) {
	srv := newStandIn(b, 12, 1)
	hc := newHTTPClient()
	ctx := context.Background()
	impls := []struct {
		name string
		new  func(context.Context, string, *http.Client) (herdClient, error)
	}{{"gokeystone", newGKHerd}, {"gophercloud", newGCHerd}, {"raw", newRawHerd}}
	for _, scenario := range []string{"revoked", "expiring"} {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("scenario=%s/impl=%s", scenario, impl.name), func(b *testing.B) {
				var auths, failed, unauthorized, herds int64
				for b.Loop() {
					b.StopTimer()
					if scenario == "expiring" {
						srv.expiringToken(60 * time.Second)
					}
					c, err := impl.new(ctx, srv.URL, hc)
					if err != nil {
						b.Fatal(err)
					}
					if scenario == "revoked" {
						srv.revokeAll()
					}
					a0, u0 := srv.authRequests.Load(), srv.unauthorized.Load()
					b.StartTimer()

					var wg sync.WaitGroup
					var fails atomic.Int64
					for range herdSize {
						wg.Add(1)
						go func() {
							defer wg.Done()
							if err := c.call(ctx); err != nil {
								fails.Add(1)
							}
						}()
					}
					wg.Wait()

					auths += srv.authRequests.Load() - a0
					unauthorized += srv.unauthorized.Load() - u0
					failed += fails.Load()
					herds++
				}
				b.ReportMetric(float64(auths)/float64(herds), "auths/herd")
				b.ReportMetric(float64(failed)/float64(herds), "failed/herd")
				b.ReportMetric(float64(unauthorized)/float64(herds), "401s/herd")
			})
		}
	}
}

// BenchmarkCrossProcess: N processes start together with an empty shared
// token cache on disk (keystone.NewFileStore) and each needs a token: they
// should authenticate once between them. Only gokeystone has a shared cache.
func BenchmarkCrossProcess(b *testing.B) {
	srv := newStandIn(b, 12, 1)
	const procs = 8
	b.Run(fmt.Sprintf("procs=%d/impl=gokeystone", procs), func(b *testing.B) {
		var auths, runs int64
		for b.Loop() {
			dir := b.TempDir()
			a0 := srv.authRequests.Load()
			var wg sync.WaitGroup
			errs := make(chan error, procs)
			for range procs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cmd := exec.Command(os.Args[0], "-test.run=^TestCrossProcessChild$")
					cmd.Env = append(os.Environ(), "BENCH_CHILD_URL="+srv.URL, "BENCH_CHILD_CACHE="+dir)
					if out, err := cmd.CombinedOutput(); err != nil {
						errs <- fmt.Errorf("child: %v: %s", err, out)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			auths += srv.authRequests.Load() - a0
			runs++
		}
		b.ReportMetric(float64(auths)/float64(runs), "auths/run")
	})
}

// TestCrossProcessChild is the child process of BenchmarkCrossProcess: it
// gets a token through the shared file cache and exits.
func TestCrossProcessChild(t *testing.T) {
	base, dir := os.Getenv("BENCH_CHILD_URL"), os.Getenv("BENCH_CHILD_CACHE")
	if base == "" {
		t.Skip("run by BenchmarkCrossProcess")
	}
	store, err := keystone.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	auth, s, err := gkAuth(base, newHTTPClient(), keystone.WithTokenStore(store))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Token(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	fmt.Println("ok " + strconv.Itoa(os.Getpid()))
}
