package keystonetest

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// seenRequest is what the server keeps of the requests matching a pattern:
// how many it received, and a copy of the last one.
type seenRequest struct {
	count int
	seq   uint64
	req   *http.Request
	body  []byte
}

// front records every request, then lets the interceptor answer it or passes
// it on to next. Every answer of the server has a request ID, as Keystone's
// (those of the API's operations get theirs from requestID).
func (s *Server) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := s.record(r)
		s.mu.Lock()
		f := s.intercept
		s.mu.Unlock()
		if f != nil {
			if f(w, r) {
				return
			}
			if body != nil {
				r.Body = io.NopCloser(bytes.NewReader(body)) // f may have read it
			}
		}
		w.Header().Set("X-Openstack-Request-Id", "req-"+newUUID())
		next.ServeHTTP(w, r)
	})
}

// record counts r and keeps a copy of it, and returns its body (which stays
// readable for the handlers).
func (s *Server) record(r *http.Request) []byte {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	c := r.Clone(context.Background())
	c.Body = nil
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nRequests++
	s.seq++
	for _, key := range []string{r.URL.Path, r.Method + " " + r.URL.Path} {
		e := s.seen[key]
		if e == nil {
			e = &seenRequest{}
			s.seen[key] = e
		}
		e.count++
		e.seq, e.req, e.body = s.seq, c, body
	}
	return body
}

// matches reports whether r matches pattern: "" matches every request, a path
// such as "/v3/auth/tokens" the requests to that path, and a method and a path
// such as "POST /v3/auth/tokens" those with that method too.
func matches(pattern string, r *http.Request) bool {
	if pattern == "" {
		return true
	}
	if method, path, ok := strings.Cut(pattern, " "); ok {
		return r.Method == method && r.URL.Path == path
	}
	return r.URL.Path == pattern
}

// RequestCount reports how many requests the server has received that match
// pattern, intercepted ones included: every request for "", those to a path
// for a path such as "/v3/projects", and those with a method and a path for a
// pattern such as "POST /v3/auth/tokens" (the authentication requests, whether
// they succeed or not; TokenCount counts the tokens issued).
func (s *Server) RequestCount(pattern string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pattern == "" {
		return s.nRequests
	}
	if e := s.seen[pattern]; e != nil {
		return e.count
	}
	return 0
}

// LastRequest returns a copy of the last request the server received that
// matches pattern (as in RequestCount), intercepted or not, with its body
// readable; nil if none did. It shows what a client sent: its headers, query
// and body.
func (s *Server) LastRequest(pattern string) *http.Request {
	s.mu.Lock()
	var e *seenRequest
	if pattern == "" {
		for _, c := range s.seen {
			if e == nil || c.seq > e.seq {
				e = c
			}
		}
	} else {
		e = s.seen[pattern]
	}
	s.mu.Unlock()
	if e == nil {
		return nil
	}
	r := e.req.Clone(context.Background())
	body := e.body
	r.Body = http.NoBody
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return r
}

// Intercept puts f in front of the server: f sees every request first and
// may answer it itself, returning true, or let the server answer it,
// returning false. It can inject faults (a 503, a malformed body, a slow
// authentication) or stand in for another service. f is called concurrently
// for concurrent requests; the body of a request stays readable by the server
// after f reads it. Intercept(nil) removes f.
//
//	// Make every authentication take a second, as a loaded Keystone does.
//	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
//		if r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens" {
//			time.Sleep(time.Second)
//		}
//		return false
//	})
func (s *Server) Intercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.intercept = f
	s.mu.Unlock()
}

// FailFirst returns an interceptor for Server.Intercept that answers the first
// n requests matching pattern (as in Server.RequestCount) with status and
// Keystone's error body, and with a Retry-After header when retryAfter is
// positive (in whole seconds, rounded up); the requests after them pass.
func FailFirst(n int, pattern string, status int, retryAfter time.Duration) func(http.ResponseWriter, *http.Request) bool {
	var (
		mu     sync.Mutex
		failed int
	)
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !matches(pattern, r) {
			return false
		}
		mu.Lock()
		fail := failed < n
		if fail {
			failed++
		}
		mu.Unlock()
		if !fail {
			return false
		}
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
		}
		root := "http://" + r.Host
		if r.TLS != nil {
			root = "https://" + r.Host
		}
		writeError(w, root, errorf(status, "Injected by keystonetest.FailFirst."))
		return true
	}
}
