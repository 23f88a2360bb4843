package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// Read an error status's response yourself (keystoneauth1's
// raise_exc=False): the session returns it with a nil error, body unread.
func ExampleRequest_noStatusError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error": {"code": 404, "title": "Not Found", "message": "Could not find project: p1."}}`)
	}))
	defer srv.Close()
	session, err := keystone.NewSession()
	if err != nil {
		log.Fatal(err)
	}
	resp, err := session.Request(context.Background(), keystone.Request{
		Method: http.MethodGet, URL: srv.URL + "/v3/projects/p1", NoAuth: true,
		NoStatusError: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 404 {"error": {"code": 404, "title": "Not Found", "message": "Could not find project: p1."}}
}

// Bound the redirects a request follows (keystoneauth1's redirect=n); one
// more is an error matching ErrTooManyRedirects.
func ExampleWithRedirectLimit() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound) // forever
	}))
	defer srv.Close()
	session, err := keystone.NewSession(keystone.WithRedirectLimit(3))
	if err != nil {
		log.Fatal(err)
	}
	_, err = session.Request(context.Background(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/", NoAuth: true})
	var re *keystone.RedirectError
	fmt.Println(errors.Is(err, keystone.ErrTooManyRedirects), errors.As(err, &re) && re.Limit == 3)
	// Every error of the SDK matches ErrKeystone.
	fmt.Println(errors.Is(err, keystone.ErrKeystone))
	// Output:
	// true true
	// true
}
