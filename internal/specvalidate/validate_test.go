package specvalidate

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const testSpec = `
openapi: 3.0.3
info: {title: t, version: "1"}
security: [{AuthToken: []}]
paths:
  /v3/things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [thing]
              properties:
                thing:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    secret: {type: integer}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                type: object
                required: [thing]
                properties:
                  thing:
                    type: object
                    required: [id]
                    properties:
                      id: {type: string}
                      blob: {type: integer}
  /v3:
    get:
      operationId: getVersion
      security: []
      responses:
        "200": {description: ok}
components:
  securitySchemes:
    AuthToken: {type: apiKey, in: header, name: X-Auth-Token}
`

func newServer(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, d *Doer, url, body string, auth bool) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/v3/things", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth {
		req.Header.Set("X-Auth-Token", "tok")
	}
	return d.Do(req)
}

func TestConformingExchangeIsRecorded(t *testing.T) {
	srv := newServer(t, 201, `{"thing": {"id": "1"}}`)
	d, err := New([]byte(testSpec), srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := post(t, d, srv.URL, `{"thing": {"name": "a"}}`, true)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != `{"thing": {"id": "1"}}` {
		t.Errorf("body not passed through: %q", b)
	}
	if got := d.Exercised()["createThing"][201]; got != 1 {
		t.Errorf("createThing/201 recorded %d times, want 1", got)
	}
	if len(d.Failures()) != 0 {
		t.Errorf("unexpected failures: %v", d.Failures())
	}
}

func TestNonConformingExchanges(t *testing.T) {
	cases := []struct {
		name, reqBody, respBody string
		status                  int
		auth                    bool
		secret                  string
	}{
		{name: "response misses a required field", reqBody: `{"thing": {"name": "a"}}`,
			respBody: `{"thing": {"blob": 42}}`, status: 201, auth: true},
		{name: "response has the wrong type, value not shown", reqBody: `{"thing": {"name": "a"}}`,
			respBody: `{"thing": {"id": "1", "blob": "s3cr3t-blob"}}`, status: 201, auth: true, secret: "s3cr3t-blob"},
		{name: "undeclared status", reqBody: `{"thing": {"name": "a"}}`,
			respBody: `{}`, status: 500, auth: true},
		{name: "request body invalid, value not shown", reqBody: `{"thing": {"name": "a", "secret": "hunter2-password"}}`,
			respBody: `{"thing": {"id": "1"}}`, status: 201, auth: true, secret: "hunter2-password"},
		{name: "missing auth header", reqBody: `{"thing": {"name": "a"}}`,
			respBody: `{"thing": {"id": "1"}}`, status: 201},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.status, tc.respBody)
			d, err := New([]byte(testSpec), srv.URL, srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			_, err = post(t, d, srv.URL, tc.reqBody, tc.auth)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("want ErrInvalid, got %v", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Operation != "createThing" {
				t.Fatalf("want a *ValidationError for createThing, got %#v", err)
			}
			if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error shows the value %q: %v", tc.secret, err)
			}
			if len(d.Failures()) != 1 {
				t.Errorf("want 1 recorded failure, got %d", len(d.Failures()))
			}
			if len(d.Exercised()) != 0 {
				t.Errorf("a failed exchange was recorded as exercised: %v", d.Exercised())
			}
		})
	}
}

func TestUnknownPathFails(t *testing.T) {
	srv := newServer(t, 200, `{}`)
	d, err := New([]byte(testSpec), srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v3/nothing", nil)
	if _, err := d.Do(req); !errors.Is(err, ErrInvalid) {
		t.Fatalf("want ErrInvalid for an unknown path, got %v", err)
	}
}

func TestServerURLWithPathPrefix(t *testing.T) {
	srv := newServer(t, 200, ``)
	d, err := New([]byte(testSpec), srv.URL+"/identity", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/identity/v3", nil)
	if _, err := d.Do(req); err != nil {
		t.Fatalf("prefixed path: %v", err)
	}
	if !Succeeded(d.Exercised()["getVersion"]) {
		t.Errorf("getVersion not recorded: %v", d.Exercised())
	}
}

func TestOperationIDs(t *testing.T) {
	ids, err := OperationIDs([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "createThing,getVersion" {
		t.Errorf("got %v", ids)
	}
}

func TestWithInvalidRequestStillValidatesTheResponse(t *testing.T) {
	srv := newServer(t, 201, `{"thing": {"id": "1"}}`)
	d, err := New([]byte(testSpec), srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(WithInvalidRequest(t.Context()), http.MethodPost, srv.URL+"/v3/things", strings.NewReader(`{"nothing": 1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "tok")
	if _, err := d.Do(req); err != nil {
		t.Fatalf("invalid request marked as such was refused: %v", err)
	}

	bad := newServer(t, 201, `{"thing": {}}`)
	d, err = New([]byte(testSpec), bad.URL, bad.Client())
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequestWithContext(WithInvalidRequest(t.Context()), http.MethodPost, bad.URL+"/v3/things", strings.NewReader(`{"nothing": 1}`))
	req.Header.Set("X-Auth-Token", "tok")
	if _, err := d.Do(req); !errors.Is(err, ErrInvalid) {
		t.Fatalf("the response was not validated: %v", err)
	}
}
