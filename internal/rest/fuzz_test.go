package rest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

const (
	fuzzAccessTokenID = "fuzzaccesstokenid5c1d9e0f3a7b"
	fuzzQuerySecret   = "fuzz-query-secret-3f8a0c2e7b91"
)

// fuzzBody is a response body that records whether it was closed.
type fuzzBody struct {
	r      io.Reader
	closed bool
}

func (b *fuzzBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *fuzzBody) Close() error               { b.closed = true; return nil }

// Pages of the generated managers' plain types, as the managers decode them.
type (
	projectPage struct {
		V     []identityv3.Project `json:"projects"`
		Links *rest.Links          `json:"links"`
	}
	userPage struct {
		V     []identityv3.User `json:"users"`
		Links *rest.Links       `json:"links"`
	}
	assignmentPage struct {
		V     []identityv3.RoleAssignment `json:"role_assignments"`
		Links *rest.Links                 `json:"links"`
	}
	rolePage struct {
		V []identityv3.Role `json:"roles"`
	}
	endpointPage struct {
		V []identityv3.Endpoint `json:"endpoints"`
	}
)

var fuzzPageTypes = []func() any{
	func() any { return new(projectPage) },
	func() any { return new(userPage) },
	func() any { return new(assignmentPage) },
	func() any { return new(rolePage) },
	func() any { return new(endpointPage) },
	func() any { return new(map[string]any) },
}

// FuzzDecodeResponse decodes list pages. DecodeResponse succeeds exactly
// when the body is a JSON object that encoding/json decodes into the page
// type, with the same value; otherwise it fails with an
// *keystone.InvalidResponseError (ErrInvalidResponse) that describes the
// response and shows no token of the request's URL. The body is always
// closed.
func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"projects": [{"id": "p1", "name": "demo", "domain_id": "default", "enabled": true, "is_domain": false, "parent_id": "default", "tags": [], "options": {},
		"links": {"self": "http://k/v3/projects/p1"}}], "links": {"self": "http://k/v3/projects", "next": null, "previous": null}}`), "application/json", true)
	f.Add([]byte(`{"users": [{"id": "u1", "name": "alice", "domain_id": "default", "enabled": true, "password_expires_at": "2026-11-28T10:00:00.000000",
		"options": {}, "links": {"self": "http://k/v3/users/u1"}}], "links": {"self": "http://k/v3/users", "next": null, "previous": null}}`), "application/json", false)
	f.Add([]byte(`{"role_assignments": [{"role": {"id": "r1"}, "scope": {"project": {"id": "p1"}, "OS-INHERIT:inherited_to": "projects"}, "user": {"id": "u1"},
		"links": {"assignment": "http://k/v3/projects/p1/users/u1/roles/r1"}}], "links": {"self": "http://k/v3/role_assignments", "next": null, "previous": null}}`), "application/json", true)
	f.Add([]byte(`{"roles": [{"id": "r1", "name": "admin", "domain_id": null, "options": {"immutable": true}}], "links": {"self": "x"}}`), "", true)
	f.Add([]byte(`{"endpoints": [{"id": "e1", "interface": "public", "region_id": "RegionOne", "url": "https://ks/v3", "service_id": "s1", "enabled": true}]}`), "application/json", true)
	f.Add([]byte(`[{"id": "p1"}]`), "application/json", true)
	f.Add([]byte(`null`), "application/json", true)
	f.Add([]byte(`<html>502 Bad Gateway</html>`), "text/html", false)
	f.Add([]byte(`{"projects": [{"id": 1e999}]}`), "application/json", true)
	f.Fuzz(func(t *testing.T, body []byte, contentType string, knownLength bool) {
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		object := len(trimmed) > 0 && trimmed[0] == '{'
		for _, newPage := range fuzzPageTypes {
			req, err := http.NewRequest(http.MethodGet, "https://keystone.example.com/v3/OS-OAUTH1/users/u1/access_tokens/"+fuzzAccessTokenID+"/roles?token="+fuzzQuerySecret, nil)
			if err != nil {
				t.Fatal(err)
			}
			rb := &fuzzBody{r: bytes.NewReader(body)}
			resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {contentType}}, Body: rb, Request: req, ContentLength: -1}
			if knownLength {
				resp.ContentLength = int64(len(body))
			}
			got := newPage()
			err = rest.DecodeResponse(resp, got, nil)
			if !rb.closed {
				t.Fatal("DecodeResponse left the body open")
			}
			want := newPage()
			werr := json.Unmarshal(body, want)
			if err == nil {
				if !object || werr != nil {
					t.Fatalf("%T: DecodeResponse accepted a body that is not a JSON object or does not decode (%v)", got, werr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%T: DecodeResponse gave %+v, json.Unmarshal %+v", got, got, want)
				}
				continue
			}
			var ire *keystone.InvalidResponseError
			if !errors.Is(err, keystone.ErrInvalidResponse) || !errors.As(err, &ire) {
				t.Fatalf("%T: %v: want an *InvalidResponseError", got, err)
			}
			if ire.Method != http.MethodGet || ire.StatusCode != http.StatusOK || ire.ContentType != contentType {
				t.Fatalf("%T: the error does not describe the response: %+v", got, ire)
			}
			if object && werr == nil {
				t.Fatalf("%T: DecodeResponse rejected what json.Unmarshal reads: %v", got, err)
			}
			if !strings.Contains(contentType, "fuzz") {
				var sb strings.Builder
				slog.New(slog.NewJSONHandler(&sb, nil)).Error("failed", "err", err)
				outs := []string{err.Error(), sb.String(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
				for _, out := range outs {
					if strings.Contains(out, fuzzAccessTokenID) || strings.Contains(out, fuzzQuerySecret) {
						t.Fatalf("the error shows a token of the URL: %s", out)
					}
				}
			}
		}
	})
}
