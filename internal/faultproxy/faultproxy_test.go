package faultproxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/faultproxy"
)

func TestProxy(t *testing.T) {
	var backend *httptest.Server
	backend = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"self": "`+backend.URL+r.URL.Path+`"}`)
	}))
	defer backend.Close()
	p, err := faultproxy.New(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	get := func(path string) (int, string, error) {
		resp, err := http.Get(p.URL + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	// Forwarded, with the backend's URL rewritten.
	if st, body, err := get("/v3/x"); err != nil || st != 200 || body != `{"self": "`+p.URL+`/v3/x"}` {
		t.Fatalf("forward: %d %q %v", st, body, err)
	}
	p.Add(faultproxy.Rule{Method: "GET", PathSuffix: "/x", Times: 1, Fault: faultproxy.Status(503, "Retry-After", "1")})
	if st, body, _ := get("/v3/x"); st != 503 || !strings.Contains(body, "faultproxy") {
		t.Errorf("status fault: %d %q", st, body)
	}
	if st, _, _ := get("/v3/x"); st != 200 {
		t.Errorf("the fault applied more than Times: %d", st)
	}
	p.Add(faultproxy.Rule{PathSuffix: "/reset", Fault: faultproxy.ResetBeforeHeaders()})
	if _, _, err := get("/v3/reset"); err == nil {
		t.Error("reset: no error")
	}
	if n := p.Count("GET", "/v3/x"); n != 3 {
		t.Errorf("Count = %d, want 3", n)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}
