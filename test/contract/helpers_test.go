//go:build integration

package contract

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/internal/specvalidate"
)

// response is what every generated *…Response has.
type response interface {
	StatusCode() int
	Status() string
}

// expect fails t unless the call succeeded at the HTTP level with status want.
// On a mismatch it shows Keystone's body (error bodies carry no secrets).
func expect(t testing.TB, r response, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("request failed: %v", err)
	}
	if r.StatusCode() != want {
		t.Fatalf("got %s, want %d; body: %s", r.Status(), want, body(r))
	}
}

// body returns the raw body of a generated response.
func body(r response) string {
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if f := v.FieldByName("Body"); f.IsValid() {
		if b, ok := f.Interface().([]byte); ok {
			return string(b)
		}
	}
	return ""
}

// expectError fails t unless the response has status want and Keystone's error
// body with the same code.
func expectError(t testing.TB, r response, err error, want int) {
	t.Helper()
	expect(t, r, err, want)
	v := reflect.ValueOf(r).Elem().FieldByName("JSON" + strconv.Itoa(want))
	if !v.IsValid() {
		return // HEAD responses and statuses the spec gives no body
	}
	if v.IsNil() {
		t.Fatalf("status %d without a parsed error body: %s", want, body(r))
	}
	if e, ok := v.Elem().Interface().(v3.Error); ok {
		if e.Error.Code != want || e.Error.Message == "" || e.Error.Title == "" {
			t.Fatalf("error body %+v does not match status %d", e.Error, want)
		}
	}
}

// uniq returns a name no other run of the suite uses.
func uniq(prefix string) string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "ct-" + prefix + "-" + hex.EncodeToString(b)
}

func ptr[T any](v T) *T { return &v }

// Authentication request builders.

func passwordByName(user, domainID, password string, scope *v3.AuthScopeRequest) v3.AuthRequest {
	return v3.AuthRequest{Auth: v3.Auth{
		Identity: v3.AuthIdentity{
			Methods: []string{"password"},
			Password: &v3.AuthPassword{User: v3.AuthPasswordUser{
				Name: &user, Domain: &v3.DomainRef{ID: &domainID}, Password: password,
			}},
		},
		Scope: scope,
	}}
}

func passwordByID(userID, password string, scope *v3.AuthScopeRequest) v3.AuthRequest {
	return v3.AuthRequest{Auth: v3.Auth{
		Identity: v3.AuthIdentity{
			Methods:  []string{"password"},
			Password: &v3.AuthPassword{User: v3.AuthPasswordUser{ID: &userID, Password: password}},
		},
		Scope: scope,
	}}
}

func tokenMethod(token string, scope *v3.AuthScopeRequest) v3.AuthRequest {
	return v3.AuthRequest{Auth: v3.Auth{
		Identity: v3.AuthIdentity{Methods: []string{"token"}, Token: &v3.AuthTokenMethod{ID: token}},
		Scope:    scope,
	}}
}

func scopeOf(s v3.AuthScope) *v3.AuthScopeRequest {
	var r v3.AuthScopeRequest
	if err := r.FromAuthScope(s); err != nil {
		panic(err)
	}
	return &r
}

func projectScopeByName(name, domainID string) *v3.AuthScopeRequest {
	return scopeOf(v3.AuthScope{Project: &v3.AuthScopeProject{Name: &name, Domain: &v3.DomainRef{ID: &domainID}}})
}

func projectScopeByID(id string) *v3.AuthScopeRequest {
	return scopeOf(v3.AuthScope{Project: &v3.AuthScopeProject{ID: &id}})
}

func domainScopeByID(id string) *v3.AuthScopeRequest {
	return scopeOf(v3.AuthScope{Domain: &v3.DomainRef{ID: &id}})
}

func domainScopeByName(name string) *v3.AuthScopeRequest {
	return scopeOf(v3.AuthScope{Domain: &v3.DomainRef{Name: &name}})
}

func systemScope() *v3.AuthScopeRequest {
	return scopeOf(v3.AuthScope{System: &v3.SystemScope{All: ptr(true)}})
}

func explicitlyUnscoped() *v3.AuthScopeRequest {
	var r v3.AuthScopeRequest
	if err := r.FromAuthScopeUnscoped(v3.AuthScopeUnscopedUnscoped); err != nil {
		panic(err)
	}
	return &r
}

// issue authenticates with req and returns the token and its body.
func issue(t testing.TB, req v3.AuthRequest) (string, v3.Token) {
	t.Helper()
	r, err := anon.IssueTokenWithResponse(t.Context(), nil, req)
	expect(t, r, err, 201)
	if r.Headers201.XSubjectToken == "" {
		t.Fatal("no X-Subject-Token in the 201 response")
	}
	return r.Headers201.XSubjectToken, r.JSON201.Token
}

// invalid returns a context whose requests skip spec validation (the response
// is still validated): for checking how Keystone rejects a malformed request.
func invalid(t testing.TB) context.Context {
	return specvalidate.WithInvalidRequest(t.Context())
}

// cleanupCtx is the context of t.Cleanup functions, which run after t's own
// context is cancelled.
func cleanupCtx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	_ = cancel // released by the timeout; cleanups are short
	return ctx
}

// deleteQuietly runs a cleanup deletion: 204 or 404 (already gone) are fine,
// anything else is reported.
func deleteQuietly(t testing.TB, what string, del func() (response, error)) {
	t.Helper()
	r, err := del()
	if err != nil {
		t.Errorf("cleanup of %s: %v", what, err)
		return
	}
	if r.StatusCode() != 204 && r.StatusCode() != 404 {
		t.Errorf("cleanup of %s: %s: %s", what, r.Status(), body(r))
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// rawGet sends a GET with the admin token outside the validator, for paths
// the spec marks as not served (their answer is not Keystone's), and returns
// the status.
func rawGet(t testing.TB, path string) (int, error) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ks.URL+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Auth-Token", adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
