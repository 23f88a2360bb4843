package authtoken_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gokeystone/keystone/pkg/authtoken"
)

// benchWriter is a ResponseWriter that keeps nothing and reuses its header map.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(int)             {}

var benchOK = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

// benchRequest returns a request as a server gives it to its handler, with
// a new header map of a client's usual headers and the token: both
// benchmarks pay for building it, so their difference is the middleware's
// cost, the growth of the header map to hold the identity headers included.
func benchRequest(tmpl *http.Request, token []string) *http.Request {
	r := *tmpl
	r.Header = http.Header{
		"Accept":          {"application/json"},
		"User-Agent":      {"python-novaclient"},
		"Accept-Encoding": {"gzip"},
		"X-Auth-Token":    token,
	}
	return &r
}

// BenchmarkBareHandler is the handler alone: the baseline of
// BenchmarkMiddlewareCachedToken.
func BenchmarkBareHandler(b *testing.B) {
	tmpl, tok := newRequest(), []string{"gAAAAAB-some-token"}
	w := &benchWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		benchOK.ServeHTTP(w, benchRequest(tmpl, tok))
	}
}

// BenchmarkMiddlewareCachedToken is the handler behind the middleware, with a
// valid token in the cache: its difference with BenchmarkBareHandler is the
// middleware's cost per request.
func BenchmarkMiddlewareCachedToken(b *testing.B) {
	e := newEnv(b)
	tok := e.adminToken()
	m := e.mw(authtoken.Options{})
	h := m.Handler(benchOK)
	tmpl, tokv := newRequest(), []string{tok}
	w := &benchWriter{h: http.Header{}}
	h.ServeHTTP(w, benchRequest(tmpl, tokv)) // validate once
	before := e.validations()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, benchRequest(tmpl, tokv))
	}
	if n := e.validations() - before; n != 0 {
		b.Fatalf("%d validations in the loop, want 0", n)
	}
}

// BenchmarkMiddlewareCachedTokenLean is BenchmarkMiddlewareCachedToken
// without the deprecated headers and the catalog: fewer headers to set.
func BenchmarkMiddlewareCachedTokenLean(b *testing.B) {
	e := newEnv(b)
	tok := e.adminToken()
	h := e.mw(authtoken.Options{OmitDeprecatedHeaders: true, OmitServiceCatalog: true}).Handler(benchOK)
	tmpl, tokv := newRequest(), []string{tok}
	w := &benchWriter{h: http.Header{}}
	h.ServeHTTP(w, benchRequest(tmpl, tokv))
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, benchRequest(tmpl, tokv))
	}
}

// BenchmarkMiddlewareSpoofedHeaders is BenchmarkMiddlewareCachedToken for a
// request that carries every identity header already (each is removed, then
// set again): the worst case of the stripping.
func BenchmarkMiddlewareSpoofedHeaders(b *testing.B) {
	e := newEnv(b)
	tok := e.adminToken()
	h := e.mw(authtoken.Options{}).Handler(benchOK)
	r := newRequest()
	r.Header.Set("X-Auth-Token", tok)
	w := &benchWriter{h: http.Header{}}
	h.ServeHTTP(w, r) // r keeps the headers the middleware set
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// BenchmarkMiddlewareCachedTokenParallel is BenchmarkMiddlewareCachedToken
// from GOMAXPROCS goroutines.
func BenchmarkMiddlewareCachedTokenParallel(b *testing.B) {
	e := newEnv(b)
	tok := e.adminToken()
	h := e.mw(authtoken.Options{}).Handler(benchOK)
	tmpl, tokv := newRequest(), []string{tok}
	h.ServeHTTP(&benchWriter{h: http.Header{}}, benchRequest(tmpl, tokv))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &benchWriter{h: http.Header{}}
		for pb.Next() {
			h.ServeHTTP(w, benchRequest(tmpl, tokv))
		}
	})
}

// Benchmark10kRequests10Tokens sends 10,000 concurrent requests carrying 10
// distinct tokens through a new middleware per iteration, and reports how
// many validations reached Keystone per iteration (validations/op): 10.
func Benchmark10kRequests10Tokens(b *testing.B) {
	e := newEnv(b)
	toks := make([]string, 10)
	for i := range toks {
		toks[i] = e.adminToken()
	}
	var total int
	b.ReportAllocs()
	for b.Loop() {
		h := e.mw(authtoken.Options{}).Handler(benchOK)
		before := e.validations()
		var (
			wg  sync.WaitGroup
			ctr atomic.Int64
		)
		for range 32 {
			wg.Go(func() {
				w := &benchWriter{h: http.Header{}}
				for {
					i := ctr.Add(1) - 1
					if i >= 10000 {
						return
					}
					r := newRequest()
					r.Header.Set("X-Auth-Token", toks[i%10])
					h.ServeHTTP(w, r)
				}
			})
		}
		wg.Wait()
		total += e.validations() - before
	}
	perOp := float64(total) / float64(b.N)
	b.ReportMetric(perOp, "validations/op")
	if perOp != 10 {
		b.Errorf("%v validations per 10,000 requests with 10 tokens, want 10", perOp)
	}
}
