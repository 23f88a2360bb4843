package keystone

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// Regression tests for what the fuzz targets found (see fuzz_test.go and
// fuzz_internal_test.go): each failed before its fix.

func TestFuzzFoundTimesOutOfRange(t *testing.T) {
	for _, s := range []string{"0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"} {
		if got := parseKeystoneTime(s); !got.IsZero() {
			t.Errorf("parseKeystoneTime(%q) = %v, want zero (outside years 1-9999)", s, got)
		}
	}
	body := []byte(`{"token": {"user": {"id": "0"}, "expires_at": "0000-01-01T00:00:00+01:00"}}`)
	if _, err := NewAccessInfoV3("tok-1", body); !errors.Is(err, ErrInvalidResponse) {
		t.Errorf("a token expiring in year -1: %v, want ErrInvalidResponse", err)
	}
}

func TestFuzzFoundCatalogURLs(t *testing.T) {
	for u, bad := range map[string]bool{ // and url.Parse agrees where it is accepted
		"http:// ": true, "http://@/x": true, "https://:8774/": true, "https://[]/": true, "http://a b/": true,
		"https://0%0": true, "https://host/a%zz": true, "https://ho%41st/": true, "https://host:80x/": true,
		"https://h\u00e9st/":                 true,
		"https://nova.example.com:8774/v2.1": false, "http://[::1]:5000/v3": false, "http://user@host/": false,
	} {
		if got := urlProblem(u) != ""; got != bad {
			t.Errorf("urlProblem(%q) = %q, want a problem: %v", u, urlProblem(u), bad)
		}
		if urlProblem(u) == "" {
			if p, err := url.Parse(u); err != nil || p.Hostname() == "" {
				t.Errorf("urlProblem accepts %q, which url.Parse does not: %v", u, err)
			}
		}
	}
}

func TestFuzzFoundTokensMustBePrintable(t *testing.T) {
	body := []byte(`{"token": {"user": {"id": "0"}, "expires_at": "2030-01-01T00:00:00Z"}}`)
	for _, tok := range []string{"\x96", "a b", "tok\n"} {
		if _, err := NewAccessInfoV3(tok, body); !errors.Is(err, ErrInvalidResponse) {
			t.Errorf("token %q: %v, want ErrInvalidResponse (it cannot be sent or saved as is)", tok, err)
		}
	}
	// No token at all is token data (an S3 signature's validation): it
	// describes, and a plugin made of it refuses to authenticate.
	ai, err := NewAccessInfoV3("", body)
	if err != nil {
		t.Fatalf("token data without a token: %v", err)
	}
	if _, err := NewAuthFromAccess(ai).Token(t.Context(), nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a plugin made of token data without a token: %v, want ErrInvalidArgument", err)
	}
}

func TestFuzzFoundTokenAfterTokensSegment(t *testing.T) {
	u, _ := url.Parse("http://k:5000/v2.0/tokens/tokens/SECRET-TOKEN")
	if got := redactURL(u); strings.Contains(got, "SECRET-TOKEN") {
		t.Errorf("redactURL shows the token: %s", got)
	}
}

func TestFuzzFoundShortenKeepsUTF8(t *testing.T) {
	got := shorten("x"+strings.Repeat("é", 600), 1000)
	if !utf8.ValidString(got) {
		t.Errorf("shorten cut a character: %q", got[len(got)-8:])
	}
}

func TestFuzzFoundMaskBeforeShortening(t *testing.T) {
	const token = "gAAAAABtoken-0123456789abcdefghijklmnopqrstuvwxyz"
	req, _ := http.NewRequest(http.MethodGet, "http://k/v3/auth/tokens", nil)
	req.Header.Set("X-Subject-Token", token)
	msg := strings.Repeat("m", 980) + " " + token
	resp := &http.Response{StatusCode: 404, Header: http.Header{"Content-Type": {"application/json"}},
		Body: http.NoBody, Request: req}
	data, _ := json.Marshal(map[string]any{"error": map[string]any{"code": 404, "title": "Not Found", "message": msg}})
	resp.Body = nopCloser{strings.NewReader(string(data))}
	e := newHTTPError(req, resp, 1<<20)
	if strings.Contains(e.Message, token[:12]) {
		t.Errorf("a cut token leaks its prefix: %q", e.Message[len(e.Message)-40:])
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func TestFuzzFoundLatestIsNoVersion(t *testing.T) {
	d, err := ParseDiscovery("http://k/", []byte(`{"versions": [{"id": "latest", "status": "stable"}, {"id": "v3.14", "status": "stable"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Match("3.0", "")
	if err != nil || v.ID != "v3.14" {
		t.Errorf("Match(3.0) = %v, %v; want v3.14 (\"latest\" is no version)", v.ID, err)
	}
}

func TestFuzzFoundJSONLabelledAsForm(t *testing.T) {
	got := redactBody("application/x-www-form-urlencoded", []byte(`{"password": "hunter2-secret"}`), -1, 1<<10)
	if strings.Contains(got, "hunter2") {
		t.Errorf("JSON labelled as a form is logged in clear: %s", got)
	}
}

func TestFuzzFoundEndpointIDWithInterfaces(t *testing.T) {
	c := newCatalog([]Endpoint{
		{ID: "e1", ServiceType: "compute", Interface: "public", URL: "https://nova.pub/v2.1"},
		{ID: "e1", ServiceType: "compute", Interface: "admin", URL: "https://nova.adm/v2.1"},
	})
	ep, err := c.Lookup(EndpointFilter{EndpointID: "e1", Interfaces: []string{"public"}})
	if err != nil || ep.URL != "https://nova.pub/v2.1" {
		t.Errorf("by ID with interface public: %v, %v", ep.URL, err)
	}
	if _, err := c.Lookup(EndpointFilter{EndpointID: "e1", Interfaces: []string{"internal"}}); !errors.Is(err, ErrEndpointNotFound) {
		t.Errorf("by ID with an interface it does not have: %v", err)
	}
	if _, err := c.Lookup(EndpointFilter{EndpointID: "e1"}); err != nil {
		t.Errorf("by ID alone: %v", err)
	}
}
