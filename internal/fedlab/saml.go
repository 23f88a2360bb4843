package fedlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// SAMLOptions describe the lab's optional SAML2 identity provider with an
// ECP endpoint (internal/fedlab/samlidp, pysaml2), trusted by the lab
// Keystone through mod_shib, for the SDK's SAML2 ECP password plugin.
type SAMLOptions struct {
	// SP is the lab Keystone and its admin; its Project, Group, Role and
	// Domain are reused.
	SP Options
	// IdP and Protocol are the identity provider's and the protocol's IDs in
	// the lab Keystone (lab-saml, saml2).
	IdP, Protocol string
	// IdPEntityID is the identity provider's SAML2 entity ID (its remote ID).
	IdPEntityID string
	// ECPURL is the identity provider's ECP (SOAP) endpoint.
	ECPURL string
	// User and Password are a user's at the identity provider (verify only).
	User, Password string
	// NameAttribute is the attribute (as mod_shib's attribute map names it)
	// that becomes the ephemeral user's name (uid).
	NameAttribute string
	// TraceDir, when set, receives the bodies of the exchange
	// (NN-<step>.xml) and a log of its requests, without credentials or
	// token IDs, for debugging the plugin against the real service provider.
	TraceDir string
}

func (o *SAMLOptions) defaults() error {
	if err := o.SP.defaults(); err != nil {
		return err
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.IdP, "lab-saml")
	def(&o.Protocol, "saml2")
	def(&o.NameAttribute, "uid")
	if o.IdPEntityID == "" {
		return errors.New("fedlab: the SAML2 identity provider's entity ID is required")
	}
	return nil
}

// SAMLRules maps the name attribute of an assertion of the identity
// provider (as mod_shib passes it) to an ephemeral user in the group.
func SAMLRules(o SAMLOptions, groupID string) []identityv3.MappingRule {
	return []identityv3.MappingRule{{
		Remote: []identityv3.MappingRemoteRule{
			{Type: o.NameAttribute},
			{Type: "Shib-Identity-Provider", AnyOneOf: []string{o.IdPEntityID}},
		},
		Local: []identityv3.MappingLocalRule{
			{User: &identityv3.MappingLocalUser{Name: ptr("{0}"), Type: ptr("ephemeral")}},
			{Group: &identityv3.MappingLocalGroup{ID: ptr(groupID)}},
		},
	}}
}

// SetupSAML registers in the lab Keystone the identity provider (remote ID
// its entity ID), the mapping and the saml2 protocol. Run Setup first (the
// group).
func SetupSAML(ctx context.Context, o SAMLOptions, logf func(string, ...any)) error {
	if err := o.defaults(); err != nil {
		return err
	}
	sp, err := AdminClient(ctx, o.SP)
	if err != nil {
		return err
	}
	defer sp.Session().CloseIdleConnections()
	group, err := sp.Groups.Find(ctx, o.SP.Group, &identityv3.ListGroupsOptions{DomainID: &o.SP.Domain})
	if err != nil {
		return fmt.Errorf("group %s (run setup first): %w", o.SP.Group, err)
	}
	return registerSAMLIdP(ctx, sp, o.IdP, o.IdPEntityID, "Federation lab: pysaml2 SAML2 IdP (ECP)", o.Protocol, SAMLRules(o, group.ID), logf)
}

// VerifySAML logs in with the SDK's SAML2 ECP password plugin
// (authplugin.NewSAML2Password) through the real service provider
// (mod_shib) and identity provider, for a token scoped to the project.
func VerifySAML(ctx context.Context, o SAMLOptions) (*keystone.AccessInfo, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if o.ECPURL == "" || o.User == "" || o.Password == "" {
		return nil, errors.New("fedlab: the identity provider's ECP URL, a user and a password are required")
	}
	auth, err := authplugin.NewSAML2Password(authplugin.SAML2Options{
		AuthURL: o.SP.KeystoneURL, IdentityProvider: o.IdP, Protocol: o.Protocol,
		IdentityProviderURL: o.ECPURL, Username: o.User, Password: o.Password,
		Scope: authplugin.Scope{ProjectName: o.SP.Project, ProjectDomainID: o.SP.Domain},
	})
	if err != nil {
		return nil, err
	}
	opts := []keystone.SessionOption{keystone.WithAuth(auth), keystone.WithTimeout(30 * time.Second)}
	if o.TraceDir != "" {
		tr, err := newTracer(o.TraceDir)
		if err != nil {
			return nil, err
		}
		defer tr.log.Close()
		opts = append(opts, keystone.WithTransport(tr))
	}
	s, err := keystone.NewSession(opts...)
	if err != nil {
		return nil, err
	}
	defer s.CloseIdleConnections()
	return auth.Access(ctx, s)
}

// tracer records an exchange's bodies (one file each, 0600) and a log of
// its requests in a directory (0700). It leaves out the Authorization and
// Cookie headers, cookie values and X-Subject-Token; the bodies it keeps
// (SAML messages: the assertion is a bearer credential for a few minutes)
// are why it is for a throw-away lab only.
type tracer struct {
	dir  string
	next http.RoundTripper
	mu   sync.Mutex
	n    int
	log  *os.File
}

func newTracer(dir string) (*tracer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "exchange.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	return &tracer{dir: dir, next: http.DefaultTransport, log: f}, nil
}

func (t *tracer) save(name string, b []byte) string {
	t.mu.Lock()
	t.n++
	file := fmt.Sprintf("%02d-%s", t.n, name)
	t.mu.Unlock()
	if err := os.WriteFile(filepath.Join(t.dir, file), b, 0o600); err != nil {
		return "(" + err.Error() + ")"
	}
	return file
}

func (t *tracer) logf(format string, a ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.log, format+"\n", a...)
}

// cookieNames lists the names (not the values) of the cookies a request
// sends.
func cookieNames(cs []*http.Cookie) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

func (t *tracer) RoundTrip(req *http.Request) (*http.Response, error) {
	step := "keystone"
	switch {
	case strings.Contains(req.URL.Path, "/Shibboleth.sso/"):
		step = "sp-consumer"
	case strings.Contains(req.URL.Path, "/OS-FEDERATION/identity_providers/"):
		step = "sp-federation"
	case req.Header.Get("Authorization") != "":
		step = "idp-ecp"
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	saved := "-"
	if len(body) > 0 && step != "keystone" {
		saved = t.save(step+"-request.xml", body)
	}
	t.logf("> %s %s Content-Type=%q Accept=%q PAOS=%q cookies=[%s] basic-auth=%t body=%s", req.Method, req.URL.Redacted(),
		req.Header.Get("Content-Type"), req.Header.Get("Accept"), req.Header.Get("PAOS"), cookieNames(req.Cookies()),
		req.Header.Get("Authorization") != "", saved)
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.logf("< error: %v", err)
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	saved = "-"
	if len(b) > 0 && step != "keystone" && resp.Header.Get("X-Subject-Token") == "" {
		saved = t.save(step+"-response.xml", b)
	}
	t.logf("< %d Content-Type=%q Location=%q set-cookies=[%s] x-subject-token=%t body=%s", resp.StatusCode,
		resp.Header.Get("Content-Type"), resp.Header.Get("Location"), cookieNames(resp.Cookies()),
		resp.Header.Get("X-Subject-Token") != "", saved)
	return resp, nil
}
