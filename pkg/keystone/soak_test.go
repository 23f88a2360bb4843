package keystone_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// TestSoak: 200 goroutines make 2,000 calls through one session while every
// token is revoked 5 times, on transports capped at 1, 4 and unlimited
// connections per host. No call fails, the plugin authenticates once per
// revocation plus once, and no goroutine is left behind.
//
// Revocation k happens before call k·2000/6, once every earlier call is
// over (other calls run meanwhile): no call spans two revocations, which it
// could not survive.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: not with -short")
	}
	const (
		workers     = 200
		calls       = 2000
		revocations = 5
	)
	every := int64(calls / (revocations + 1))
	for _, capN := range []int{1, 4, 0} {
		t.Run(fmt.Sprintf("MaxConnsPerHost=%d", capN), func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			b, ks := fakeBackend(t)
			auth := adminAuth(t, b, ks.URL)
			s := newSession(t, keystone.WithAuth(auth), keystone.WithHTTPClient(cappedClient(capN)),
				keystone.WithTimeout(30*time.Second))
			c, err := identityv3.NewClientAt(s, ks.URL)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			var (
				next, failed atomic.Int64
				// pending[k] counts the unfinished calls before revocation k+1.
				pending  [revocations]atomic.Int64
				revoked  atomic.Int64
				mu       sync.Mutex
				firstErr error
				wg       sync.WaitGroup
			)
			for k := range pending {
				pending[k].Store(int64(k+1)*every - 1)
			}
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n := next.Add(1) // calls are numbered from 1
						if n > calls {
							return
						}
						if n%every == 0 && n/every <= revocations {
							k := n/every - 1
							for pending[k].Load() > 0 && ctx.Err() == nil {
								time.Sleep(time.Millisecond)
							}
							ks.RevokeAllTokens()
							revoked.Add(1)
						}
						_, err := keystone.Collect(c.Projects.List(ctx, nil))
						for k := range pending {
							if n < int64(k+1)*every {
								pending[k].Add(-1)
							}
						}
						if err != nil {
							failed.Add(1)
							mu.Lock()
							if firstErr == nil {
								firstErr = err
							}
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if failed.Load() > 0 {
				t.Errorf("%d of %d calls failed; the first: %v", failed.Load(), calls, firstErr)
			}
			if revoked.Load() != revocations {
				t.Errorf("%d revocations, want %d", revoked.Load(), revocations)
			}
			if got, want := ks.TokenCount(), revocations+1; got != want {
				t.Errorf("%d authentications for %d revocations, want %d", got, revocations, want)
			}
			s.CloseIdleConnections()
			ks.Close()
			goleak.VerifyNone(t, ignore)
		})
	}
}
