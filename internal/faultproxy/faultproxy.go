// Package faultproxy is a fault-injecting HTTP proxy for tests, on
// 127.0.0.1 only. It forwards every request to a backend (a real Keystone or
// the in-memory one of pkg/keystonetest), rewriting the backend's URL into
// its own in response bodies and Location headers so that catalogs and
// links lead back through it, and applies the first matching Rule: a reset
// or EOF before the headers or in the middle of the body, a stall, a status,
// a redirect, a canned or huge body, or a rewrite of the backend's answer.
// It counts what it sees, so that tests can assert attempt counts.
package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Proxy is a running fault-injecting proxy. Its methods are safe for
// concurrent use.
type Proxy struct {
	// URL is the proxy's root, such as http://127.0.0.1:40123.
	URL string

	backend   *url.URL
	srv       *httptest.Server
	transport *http.Transport
	closing   chan struct{}
	closeOnce sync.Once

	mu    sync.Mutex
	rules []*Rule
	seen  []Record
}

// Record is one request the proxy received.
type Record struct {
	Method, Path string
	// Fault is the name of the fault applied ("" when forwarded as is).
	Fault string
	// Token is whether the request carried an X-Auth-Token.
	Token bool
}

// Rule applies Fault to requests that match Method (any when empty) and
// whose path ends with PathSuffix (any when empty), at most Times times (0:
// every time).
type Rule struct {
	Method     string
	PathSuffix string
	Times      int
	Fault      Fault

	hits int
}

// Fault answers a request in place of the backend. forward fetches the
// backend's answer (body already read, URLs rewritten) when the fault needs it.
type Fault struct {
	Name  string
	Serve func(p *Proxy, w http.ResponseWriter, r *http.Request, forward func() (*Response, error))
}

// Response is the backend's answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// New starts a proxy in front of backend (an http:// root URL). Close it
// when done.
func New(backend string) (*Proxy, error) {
	u, err := url.Parse(strings.TrimRight(backend, "/"))
	if err != nil {
		return nil, err
	}
	p := &Proxy{backend: u, closing: make(chan struct{}),
		transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 10 * time.Second}}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.srv.Start()
	p.URL = p.srv.URL
	return p, nil
}

// Close stops the proxy, releasing every stalled request.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() { close(p.closing) })
	p.srv.CloseClientConnections()
	p.srv.Close()
	p.transport.CloseIdleConnections()
}

// CloseIdle closes the proxy's idle connections to the backend.
func (p *Proxy) CloseIdle() { p.transport.CloseIdleConnections() }

// Add adds rules, tried in order before those added earlier.
func (p *Proxy) Add(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var add []*Rule
	for i := range rules {
		r := rules[i]
		add = append(add, &r)
	}
	p.rules = append(add, p.rules...)
}

// Reset removes every rule and forgets what was seen.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.seen = nil, nil
}

// Count returns how many requests matched method (any when empty) and the
// path suffix.
func (p *Proxy) Count(method, pathSuffix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.seen {
		if (method == "" || s.Method == method) && strings.HasSuffix(s.Path, pathSuffix) {
			n++
		}
	}
	return n
}

// Seen returns every request received so far.
func (p *Proxy) Seen() []Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Record(nil), p.seen...)
}

func (p *Proxy) match(r *http.Request) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	var f *Fault
	for _, rule := range p.rules {
		if rule.Method != "" && rule.Method != r.Method {
			continue
		}
		if rule.PathSuffix != "" && !strings.HasSuffix(r.URL.Path, rule.PathSuffix) {
			continue
		}
		if rule.Times > 0 && rule.hits >= rule.Times {
			continue
		}
		rule.hits++
		f = &rule.Fault
		break
	}
	rec := Record{Method: r.Method, Path: r.URL.Path, Token: r.Header.Get("X-Auth-Token") != ""}
	if f != nil {
		rec.Fault = f.Name
	}
	p.seen = append(p.seen, rec)
	return f
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	forward := func() (*Response, error) { return p.forward(r, body) }
	if f := p.match(r); f != nil {
		f.Serve(p, w, r, forward)
		return
	}
	resp, err := forward()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	resp.Write(w)
}

// forward sends r to the backend and reads its answer, with the backend's
// URL replaced by the proxy's.
func (p *Proxy) forward(r *http.Request, body []byte) (*Response, error) {
	u := *p.backend
	u.Path = strings.TrimRight(p.backend.Path, "/") + r.URL.Path
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	out.Header.Del("Accept-Encoding")
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	h := resp.Header.Clone()
	backend := p.backend.Scheme + "://" + p.backend.Host
	data = bytes.ReplaceAll(data, []byte(backend), []byte(p.URL))
	if loc := h.Get("Location"); loc != "" {
		h.Set("Location", strings.ReplaceAll(loc, backend, p.URL))
	}
	h.Del("Content-Length")
	return &Response{Status: resp.StatusCode, Header: h, Body: data}, nil
}

// Write sends the response.
func (r *Response) Write(w http.ResponseWriter) {
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(r.Body)))
	w.WriteHeader(r.Status)
	w.Write(r.Body)
}

// stall blocks until the client goes away or the proxy closes.
func (p *Proxy) stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-p.closing:
	}
}

// hijack takes the raw connection of a request.
func hijack(w http.ResponseWriter) (net.Conn, error) {
	conn, _, err := http.NewResponseController(w).Hijack()
	return conn, err
}

// abort closes conn with a TCP reset (rst) or an orderly EOF.
func abort(conn net.Conn, rst bool) {
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		tc.SetLinger(0)
	}
	conn.Close()
}

// ResetBeforeHeaders resets the connection without answering.
func ResetBeforeHeaders() Fault {
	return Fault{Name: "reset before headers", Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, _ func() (*Response, error)) {
		if conn, err := hijack(w); err == nil {
			abort(conn, true)
		}
	}}
}

// EOFBeforeHeaders closes the connection without answering.
func EOFBeforeHeaders() Fault {
	return Fault{Name: "EOF before headers", Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, _ func() (*Response, error)) {
		if conn, err := hijack(w); err == nil {
			abort(conn, false)
		}
	}}
}

// BreakMidBody forwards the request, sends the headers and half of the
// backend's body (with the full Content-Length), then resets the connection
// (rst) or closes it (EOF: a short body).
func BreakMidBody(rst bool) Fault {
	name := "EOF mid-body"
	if rst {
		name = "reset mid-body"
	}
	return Fault{Name: name, Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, forward func() (*Response, error)) {
		resp, err := forward()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, err := hijack(w)
		if err != nil {
			return
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", resp.Status, http.StatusText(resp.Status))
		for k, vs := range resp.Header {
			for _, v := range vs {
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(resp.Body)+1)
		b.Write(resp.Body[:len(resp.Body)/2])
		conn.Write(b.Bytes())
		time.Sleep(20 * time.Millisecond) // let the client read the headers
		abort(conn, rst)
	}}
}

// StallHeaders never answers (until the client gives up or the proxy closes).
func StallHeaders() Fault {
	return Fault{Name: "stall headers", Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, _ func() (*Response, error)) {
		p.stall(r)
	}}
}

// StallBody forwards the request, sends the headers and the first half of
// the backend's body, and stalls.
func StallBody() Fault {
	return Fault{Name: "stall body", Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, forward func() (*Response, error)) {
		resp, err := forward()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)))
		w.WriteHeader(resp.Status)
		w.Write(resp.Body[:len(resp.Body)/2])
		http.NewResponseController(w).Flush()
		p.stall(r)
	}}
}

// Status answers status with Keystone's error body and the given headers
// (such as Retry-After).
func Status(status int, header ...string) Fault {
	return Fault{Name: "status " + strconv.Itoa(status), Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, _ func() (*Response, error)) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error": {"code": %d, "title": %q, "message": "injected by faultproxy"}}`, status, http.StatusText(status))
	}}
}

// Redirect answers status (301, 302, 303, 307, 308) with a Location.
func Redirect(status int, location string) Fault {
	return Fault{Name: "redirect " + strconv.Itoa(status), Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, _ func() (*Response, error)) {
		w.Header().Set("Location", location)
		w.WriteHeader(status)
	}}
}

// Body answers status with a canned body and content type.
func Body(status int, contentType string, body []byte) Fault {
	return Fault{Name: "body", Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, _ func() (*Response, error)) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body)
	}}
}

// Huge answers status with an n-byte body made on the fly (never held in
// memory): a JSON object whose "padding" member is a long string, with the
// given headers. With chunked, it sends no Content-Length.
func Huge(status int, n int64, chunked bool, header ...string) Fault {
	return Fault{Name: "huge body", Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, forward func() (*Response, error)) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if !chunked {
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		}
		w.WriteHeader(status)
		const head, tail = `{"padding": "`, `"}`
		io.WriteString(w, head)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		left := n - int64(len(head)+len(tail))
		for left > 0 {
			c := chunk
			if int64(len(c)) > left {
				c = c[:left]
			}
			if _, err := w.Write(c); err != nil {
				return
			}
			left -= int64(len(c))
		}
		io.WriteString(w, tail)
	}}
}

// Rewrite forwards the request and lets edit change the backend's answer
// before it is sent.
func Rewrite(name string, edit func(r *http.Request, resp *Response)) Fault {
	return Fault{Name: name, Serve: func(p *Proxy, w http.ResponseWriter, r *http.Request, forward func() (*Response, error)) {
		resp, err := forward()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		edit(r, resp)
		resp.Write(w)
	}}
}
