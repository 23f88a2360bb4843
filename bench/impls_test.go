package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// The three implementations compared: this SDK, gophercloud, and a plain
// net/http + encoding/json client (the floor).

// ---- gokeystone

func gkAuth(base string, hc *http.Client, opts ...keystone.AuthOption) (*keystone.Auth, *keystone.Session, error) {
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  base + "/v3",
		User:     authplugin.User{Name: benchUser, DomainID: "default"},
		Password: benchPassword,
		Scope:    authplugin.Scope{ProjectName: benchProject, ProjectDomainID: "default"},
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithHTTPClient(hc))
	return auth, s, err
}

var computeFilter = keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"public"}, Region: "RegionOne"}

func gkAuthLookup(ctx context.Context, base string, hc *http.Client) (string, error) {
	auth, s, err := gkAuth(base, hc)
	if err != nil {
		return "", err
	}
	return auth.Endpoint(ctx, s, computeFilter)
}

// gkListProjects ranges over the list (each page decoded into typed
// projects), as a program does; keystone.Collect would copy them into one
// more slice.
func gkListProjects(ctx context.Context, c *identityv3.Client) (int, error) {
	n := 0
	for _, err := range c.Projects.List(ctx, nil) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ---- gophercloud

func gcProvider(ctx context.Context, base string, hc *http.Client) (*gophercloud.ProviderClient, error) {
	p, err := openstack.NewClient(base + "/v3/")
	if err != nil {
		return nil, err
	}
	p.HTTPClient = *hc
	err = openstack.Authenticate(ctx, p, gophercloud.AuthOptions{
		IdentityEndpoint: base + "/v3/",
		Username:         benchUser, DomainID: "default", Password: benchPassword,
		Scope:       &gophercloud.AuthScope{ProjectName: benchProject, DomainID: "default"},
		AllowReauth: true,
	})
	return p, err
}

func gcAuthLookup(ctx context.Context, base string, hc *http.Client) (string, error) {
	p, err := gcProvider(ctx, base, hc)
	if err != nil {
		return "", err
	}
	c, err := openstack.NewComputeV2(p, gophercloud.EndpointOpts{Region: "RegionOne", Availability: gophercloud.AvailabilityPublic})
	if err != nil {
		return "", err
	}
	return c.Endpoint, nil
}

func gcListProjects(ctx context.Context, c *gophercloud.ServiceClient) (int, error) {
	pages, err := projects.List(c, projects.ListOpts{}).AllPages(ctx)
	if err != nil {
		return 0, err
	}
	ps, err := projects.ExtractProjects(pages)
	return len(ps), err
}

func gcCatalog(ctx context.Context, base string, hc *http.Client) (*tokens.ServiceCatalog, error) {
	p, err := gcProvider(ctx, base, hc)
	if err != nil {
		return nil, err
	}
	r, ok := p.GetAuthResult().(tokens.CreateResult)
	if !ok {
		return nil, errors.New("no v3 auth result")
	}
	return r.ExtractServiceCatalog()
}

// ---- raw: what a careful hand-written client does

type rawEndpoint struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
}

type rawService struct {
	ID        string        `json:"id"`
	Type      string        `json:"type"`
	Name      string        `json:"name"`
	Endpoints []rawEndpoint `json:"endpoints"`
}

type rawToken struct {
	Token struct {
		ExpiresAt time.Time `json:"expires_at"`
		User      struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"user"`
		Project struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"project"`
		Catalog []rawService `json:"catalog"`
	} `json:"token"`
}

var rawAuthBody = []byte(`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "` + benchUser +
	`", "domain": {"id": "default"}, "password": "` + benchPassword + `"}}}, "scope": {"project": {"name": "` + benchProject +
	`", "domain": {"id": "default"}}}}}`)

func rawAuth(ctx context.Context, base string, hc *http.Client) (string, *rawToken, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v3/auth/tokens", bytes.NewReader(rawAuthBody))
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 201 {
		return "", nil, fmt.Errorf("auth: %s", resp.Status)
	}
	var t rawToken
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		return "", nil, err
	}
	return resp.Header.Get("X-Subject-Token"), &t, nil
}

func rawLookup(t *rawToken, typ, iface, region string) (string, error) {
	for _, s := range t.Token.Catalog {
		if s.Type != typ {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Interface == iface && e.RegionID == region {
				return e.URL, nil
			}
		}
	}
	return "", errors.New("not found")
}

func rawAuthLookup(ctx context.Context, base string, hc *http.Client) (string, error) {
	_, t, err := rawAuth(ctx, base, hc)
	if err != nil {
		return "", err
	}
	return rawLookup(t, "compute", "public", "RegionOne")
}

// rawProject is the typed project a careful client would decode into.
type rawProject struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	DomainID    *string        `json:"domain_id"`
	Description *string        `json:"description"`
	Enabled     bool           `json:"enabled"`
	ParentID    *string        `json:"parent_id"`
	IsDomain    bool           `json:"is_domain"`
	Tags        []string       `json:"tags"`
	Options     map[string]any `json:"options"`
	Links       struct {
		Self string `json:"self"`
	} `json:"links"`
}

func rawListProjects(ctx context.Context, base, token string, hc *http.Client) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v3/projects", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Auth-Token", token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		io.Copy(io.Discard, resp.Body)
		return 0, fmt.Errorf("list: %s", resp.Status)
	}
	var l struct {
		Projects []rawProject `json:"projects"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return 0, err
	}
	return len(l.Projects), nil
}
