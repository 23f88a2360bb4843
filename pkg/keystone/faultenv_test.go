package keystone_test

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/faultproxy"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// backend is a Keystone the fault suite runs against: the in-memory one
// always, the real one when the integration build finds it (see
// faultenv_integration_test.go).
type backend struct {
	name                            string
	url                             string // unversioned root
	user, password, project, domain string
	// slack is added to the fault suite's time bounds: a real Keystone
	// answers a password in 0.3s, and more under load.
	slack time.Duration
}

// moreBackends is filled by the integration build.
var moreBackends []func(t *testing.T) backend

// backends returns the fault suite's backends for t.
func backends(t *testing.T) []backend {
	t.Helper()
	ks := keystonetest.NewServer(t)
	out := []backend{{name: "fake", url: ks.URL, user: ks.AdminUser, password: ks.AdminPassword,
		project: ks.AdminProject, domain: ks.DomainID}}
	for _, f := range moreBackends {
		out = append(out, f(t))
	}
	return out
}

// proxyFor starts a fault proxy in front of b for the duration of t.
func proxyFor(t testing.TB, b backend) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.New(b.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// adminAuth is a password plugin for b's administrator, scoped to the admin
// project, authenticating at authRoot+"/v3".
func adminAuth(t testing.TB, b backend, authRoot string, opts ...keystone.AuthOption) *keystone.Auth {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  authRoot + "/v3",
		User:     authplugin.User{Name: b.user, DomainID: b.domain},
		Password: b.password,
		Scope:    authplugin.Scope{ProjectName: b.project, ProjectDomainID: b.domain},
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fastRetries retries as the default policy does, with short waits.
func fastRetries() keystone.SessionOption {
	p := keystone.DefaultRetryPolicy()
	p.BaseDelay, p.MaxDelay = keystone.MinRetryDelay, 2*time.Second
	return keystone.WithRetryPolicy(p)
}

// heapDelta runs f and returns how many bytes it allocated (all
// goroutines'), a bound on the heap it can have needed.
func heapDelta(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// cappedClient is an http.Client whose transport opens at most n connections
// per host (0: no cap).
func cappedClient(n int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = n
	return &http.Client{Transport: t}
}

// withDeadline returns a context ending after d.
func withDeadline(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
