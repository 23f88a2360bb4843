package authtoken_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/authtoken"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Put a service behind the middleware: it answers only requests with a
// valid Keystone token, and its handler learns who the caller is.
func Example() {
	// An in-memory Keystone stands in for the real one.
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()

	// The service's own credentials: it needs the right to validate other
	// users' tokens (the admin or service role).
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		log.Fatal(err)
	}
	sess, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	mw, err := authtoken.New(sess, authtoken.Options{})
	if err != nil {
		log.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller := authtoken.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s of project %s (%s)", caller.User.Name, r.Header.Get("X-Project-Name"), r.Header.Get("X-Identity-Status"))
	})
	srv := httptest.NewServer(mw.Handler(api))
	defer srv.Close()

	// Without a token: 401, and where to get one.
	resp, err := http.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate") == `Keystone uri="`+ks.URL+`/v3/"`)

	// With a user's token.
	tok, err := auth.Token(context.Background(), sess)
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("X-Auth-Token", tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var body [100]byte
	n, _ := resp.Body.Read(body[:])
	fmt.Println(resp.StatusCode, string(body[:n]))
	// Output:
	// 401 true
	// 200 hello admin of project admin (Confirmed)
}

// memoryStore is a SharedCache for the example; a fleet uses memcached or
// Redis.
type memoryStore struct{ m map[string][]byte }

func (s *memoryStore) Get(_ context.Context, key string) ([]byte, error) { return s.m[key], nil }

func (s *memoryStore) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	s.m[key] = value
	return nil
}

// Share validations with the other instances of the service, so that the
// fleet validates each token once. The key is the fleet's secret: the store
// sees digests and sealed values only.
func ExampleOptions_sharedCache() {
	ks, err := keystonetest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer ks.Close()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		log.Fatal(err)
	}
	sess, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	store := &memoryStore{m: map[string][]byte{}}
	opts := authtoken.Options{
		SharedCache:    store,
		SharedCacheKey: []byte("the fleet's secret, 32 bytes or more"),
	}
	instance1, err := authtoken.New(sess, opts)
	if err != nil {
		log.Fatal(err)
	}
	instance2, err := authtoken.New(sess, opts)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := auth.Token(context.Background(), sess)
	if err != nil {
		log.Fatal(err)
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, mw := range []*authtoken.Middleware{instance1, instance2} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Auth-Token", tok)
		w := httptest.NewRecorder()
		mw.Handler(ok).ServeHTTP(w, req)
		fmt.Println(w.Code)
	}
	fmt.Println("validations:", instance1.Validations()+instance2.Validations())
	// Output:
	// 200
	// 200
	// validations: 1
}
