package testenv

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v3" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"version": {}}`))
	}))
	defer srv.Close()

	t.Setenv("KEYSTONE_URL", "")
	if _, err := Lookup(); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("unset KEYSTONE_URL: got %v, want ErrNotConfigured", err)
	}

	t.Setenv("KEYSTONE_URL", srv.URL+"/")
	t.Setenv("KEYSTONE_ADMIN_PASSWORD", "")
	if _, err := Lookup(); err == nil || errors.Is(err, ErrNotConfigured) {
		t.Errorf("missing password: got %v, want a configuration error", err)
	}

	t.Setenv("KEYSTONE_ADMIN_PASSWORD", "pw-not-shown")
	k, err := Lookup()
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if k.URL != srv.URL || k.AdminUser != "admin" || k.Domain != "default" {
		t.Errorf("unexpected settings: %+v", k)
	}
	if strings.Contains(k.String(), "pw-not-shown") {
		t.Errorf("String shows the password: %s", k)
	}

	srv.Close()
	if _, err := Lookup(); err == nil || errors.Is(err, ErrNotConfigured) {
		t.Errorf("dead server: got %v, want a connection error", err)
	}
}

func TestInCI(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "TRUE": true, "1": true, "": false, "false": false} {
		t.Setenv("CI", v)
		if InCI() != want {
			t.Errorf("CI=%q: InCI()=%v", v, !want)
		}
	}
}
