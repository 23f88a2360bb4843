package cloudconfig_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/gokeystone/keystone/pkg/cloudconfig"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestIncludeCatalog: the v3 plugins' include_catalog option (clouds.yaml
// or OS_INCLUDE_CATALOG) asks for tokens without their catalog when false.
func TestIncludeCatalog(t *testing.T) {
	ks := keystonetest.NewServer(t)
	for _, tc := range []struct {
		authType, value string
		env             map[string]string
		noCatalog       bool
	}{
		{"v3password", "", nil, false},
		{"v3password", "false", nil, true},
		{"v3password", "true", nil, false},
		{"password", "False", nil, true},
		{"v3multifactor", "no", nil, true},
		{"v3password", "", map[string]string{"OS_CLOUD": "c", "OS_INCLUDE_CATALOG": "false"}, true},
	} {
		t.Run(fmt.Sprintf("%s/%q/%v", tc.authType, tc.value, tc.env), func(t *testing.T) {
			s := newSandbox(t)
			extra := ""
			if tc.value != "" {
				extra = fmt.Sprintf(", include_catalog: %q", tc.value)
			}
			if tc.authType == "v3multifactor" {
				extra += ", auth_methods: v3password"
			}
			s.write(t, "cwd/clouds.yaml", fmt.Sprintf(`clouds: {c: {auth_type: %s, auth: {auth_url: %q, username: %s, password: %s,
				user_domain_id: %s, project_name: %s, project_domain_id: %s%s}}}`,
				tc.authType, ks.AuthURL(), ks.AdminUser, ks.AdminPassword, ks.DomainID, ks.AdminProject, ks.DomainID, extra))
			c := s.mustLoad(t, tc.env, cloudconfig.Values{})
			p, err := c.Plugin()
			if err != nil {
				t.Fatal(err)
			}
			sess, err := keystone.NewSession(keystone.WithAuth(p))
			if err != nil {
				t.Fatal(err)
			}
			ai, err := p.Access(t.Context(), sess)
			if err != nil {
				t.Fatal(err)
			}
			if got := ks.LastRequest("POST /v3/auth/tokens").URL.Query().Has("nocatalog"); got != tc.noCatalog {
				t.Errorf("nocatalog sent: %v, want %v", got, tc.noCatalog)
			}
			if (ai.Catalog() == nil) != tc.noCatalog {
				t.Errorf("catalog: %v", ai.Catalog())
			}
		})
	}
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", fmt.Sprintf(`clouds: {c: {auth_type: v3password, auth: {auth_url: %q, username: a, password: b,
		user_domain_id: default, include_catalog: maybe}}}`, ks.AuthURL()))
	c := s.mustLoad(t, nil, cloudconfig.Values{})
	if _, err := c.Plugin(); !errors.Is(err, cloudconfig.ErrInvalidConfig) {
		t.Fatalf("include_catalog: maybe: %v", err)
	}
}

// TestV2TrustIDOption: the v2password and v2token plugins send the trust_id
// option as auth.trust_id (the fake's v2.0 API answers 501 to it: only the
// request is checked).
func TestV2TrustIDOption(t *testing.T) {
	ks := keystonetest.NewServer(t)
	for _, authType := range []string{"v2password", "v2token"} {
		s := newSandbox(t)
		s.write(t, "cwd/clouds.yaml", fmt.Sprintf(`clouds: {c: {auth_type: %s, auth: {auth_url: %q, username: %s, password: %s, token: tok, trust_id: tr-1}}}`,
			authType, ks.AuthURLV2(), ks.AdminUser, ks.AdminPassword))
		c := s.mustLoad(t, nil, cloudconfig.Values{})
		p, err := c.Plugin()
		if err != nil {
			t.Fatal(err)
		}
		sess, err := keystone.NewSession(keystone.WithAuth(p))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = p.Token(t.Context(), sess)
		var body struct {
			Auth struct {
				TrustID string `json:"trust_id"`
			} `json:"auth"`
		}
		r := ks.LastRequest("POST /v2.0/tokens")
		if r == nil {
			t.Fatalf("%s: no request", authType)
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Auth.TrustID != "tr-1" {
			t.Errorf("%s: trust_id %q %v", authType, body.Auth.TrustID, err)
		}
	}
}
