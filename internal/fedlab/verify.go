package fedlab

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// HTTPClient returns a client that trusts the system's roots and, when
// caFile is not empty, the lab CA's certificate in it (the OIDC provider
// serves HTTPS with a certificate of that CA).
func HTTPClient(caFile string) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("fedlab: no certificate in %s", caFile)
		}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t, Timeout: 30 * time.Second}, nil
}

// Credentials are what Verify asks the OIDC provider's token endpoint with.
type Credentials struct {
	TokenURL     string // the provider's token endpoint
	ClientID     string
	ClientSecret string
	User         string // empty for a client_credentials token
	Password     string
}

// Result is what one federated authentication gave.
type Result struct {
	Subject         string // the access token's owner (user or client)
	UnscopedUser    string // the federated user's name in the unscoped token
	ProjectID       string
	Roles           []string
	UnscopedToken   string
	ProjectToken    string
	UnscopedStatus  int
	RescopedStatus  int
	AccessTokenType string
}

// Verify gets an access token from the provider (password grant with a
// user, client_credentials without), exchanges it at Keystone's federated
// authentication URL for an unscoped token, and rescopes that to the project.
func Verify(ctx context.Context, hc *http.Client, o Options, cr Credentials) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	res := &Result{Subject: cr.ClientID}
	if cr.User != "" {
		form = url.Values{"grant_type": {"password"}, "username": {cr.User}, "password": {cr.Password}, "scope": {"openid profile email"}}
		res.Subject = cr.User
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cr.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(cr.ClientID), url.QueryEscape(cr.ClientSecret))
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if _, _, err := do(hc, req, http.StatusOK, &tok); err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	res.AccessTokenType = tok.TokenType

	req, err = http.NewRequestWithContext(ctx, http.MethodGet, FederationAuthURL(o.KeystoneURL, o.IdP, o.Protocol), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	var unscoped tokenBody
	h, status, err := do(hc, req, http.StatusCreated, &unscoped)
	res.UnscopedStatus = status
	if err != nil {
		return res, fmt.Errorf("federated authentication: %w", err)
	}
	res.UnscopedToken = h.Get("X-Subject-Token")
	res.UnscopedUser = unscoped.Token.User.Name
	return res, rescope(ctx, hc, o, res)
}

// rescope exchanges res.UnscopedToken for a token on o.Project.
func rescope(ctx context.Context, hc *http.Client, o Options, res *Result) error {
	if res.UnscopedToken == "" {
		return fmt.Errorf("federated authentication: no X-Subject-Token")
	}
	body, _ := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": res.UnscopedToken}},
		"scope":    map[string]any{"project": map[string]any{"name": o.Project, "domain": map[string]any{"id": o.Domain}}},
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(strings.TrimSuffix(o.KeystoneURL, "/"), "/v3")+"/v3/auth/tokens", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	var scoped tokenBody
	h, status, err := do(hc, req, http.StatusCreated, &scoped)
	res.RescopedStatus = status
	if err != nil {
		return fmt.Errorf("rescope to %s: %w", o.Project, err)
	}
	res.ProjectToken = h.Get("X-Subject-Token")
	res.ProjectID = scoped.Token.Project.ID
	for _, r := range scoped.Token.Roles {
		res.Roles = append(res.Roles, r.Name)
	}
	return nil
}

type tokenBody struct {
	Token struct {
		User struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"user"`
		Project struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"project"`
		Roles []struct {
			Name string `json:"name"`
		} `json:"roles"`
	} `json:"token"`
}

// do sends req and decodes a JSON answer of the wanted status into out.
func do(hc *http.Client, req *http.Request, want int, out any) (http.Header, int, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.Header, resp.StatusCode, err
	}
	if resp.StatusCode != want {
		return resp.Header, resp.StatusCode, fmt.Errorf("%s %s: %d (want %d): %s", req.Method, req.URL.Path, resp.StatusCode, want, snippet(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return resp.Header, resp.StatusCode, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	return resp.Header, resp.StatusCode, nil
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
