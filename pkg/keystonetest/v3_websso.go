package keystonetest

import (
	"bytes"
	"context"
	"html/template"
	"slices"
	"strconv"
	"strings"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// WebSSO, as Keystone 22 serves it (keystone/api/auth.py): a federated login
// whose token goes back to a trusted dashboard in an HTML page that posts it
// there.

// WithTrustedDashboard adds URLs to Keystone's `[federation]
// trusted_dashboard`: the dashboards WebSSO may send tokens to (none by
// default, so that every WebSSO request is refused with a 401). As Keystone
// does, the host of each URL is compared in lower case.
func WithTrustedDashboard(urls ...string) Option {
	return func(c *config) { c.trustedDashboards = append(c.trustedDashboards, urls...) }
}

// lowerCaseHostname lower-cases the scheme and the host of a URL, as
// Keystone does to the trusted dashboards before comparing.
func lowerCaseHostname(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return u
	}
	rest := u[i+3:]
	j := strings.IndexAny(rest, "/?#")
	if j < 0 {
		j = len(rest)
	}
	return strings.ToLower(u[:i]) + "://" + strings.ToLower(rest[:j]) + rest[j:]
}

// pyUnquotePlus decodes s as Python's urllib.parse.unquote_plus does: '+' is
// a space, and an invalid %-escape stays as it is.
func pyUnquotePlus(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// ssoOrigin checks the origin query parameter (decoded once more, as
// Keystone does) against the trusted dashboards and returns it.
func (st *state) ssoOrigin(origin string) (string, error) {
	if origin == "" {
		return "", badRequest("Request must have an origin query parameter")
	}
	host := pyUnquotePlus(origin)
	for _, d := range st.fedArea.trustedDashboards {
		if lowerCaseHostname(d) == host {
			return host, nil
		}
	}
	return "", unauthorized() // "%s is not a trusted dashboard host"
}

// ssoPage is the page of the harness's sso_callback_template
// (scripts/keystone-local.sh): it posts the token to the dashboard.
var ssoPage = template.Must(template.New("sso").Parse(`<!DOCTYPE html>
<html><head><title>Signing in</title></head>
<body onload="document.forms[0].submit()">
<form action="{{.Host}}" method="post"><input type="hidden" name="token" value="{{.Token}}"/>
<noscript><input type="submit" value="Continue"/></noscript></form>
</body></html>
`))

// renderSSOPage renders the page that posts token to host.
func renderSSOPage(host, token string) ([]byte, error) {
	var b bytes.Buffer
	if err := ssoPage.Execute(&b, struct{ Host, Token string }{host, token}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// webSSO is Keystone's WebSSO with the identity provider found from the
// entity ID in the environment: the first identity provider with the
// protocol whose remote_id_attribute the environment has.
func (s *v3) webSSO(ctx context.Context, protocol, origin string) ([]byte, bool, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	env := envFrom(ctx)
	f := &st.fedArea
	remote := ""
	for _, idp := range f.idps.all() {
		i := f.protocolIndex(idp.ID, protocol)
		if i < 0 {
			continue
		}
		if attr := f.protocols[i].remoteIDAttribute; attr != nil && *attr != "" {
			if remote = env[*attr]; remote != "" {
				break
			}
		}
	}
	if remote == "" {
		return nil, false, unauthorized() // "Missing entity ID from environment"
	}
	host, err := st.ssoOrigin(origin)
	if err != nil {
		return nil, false, err
	}
	var idp *v3s.IdentityProvider
	for _, c := range f.idps.all() {
		if slices.Contains(c.RemoteIds, remote) {
			idp = c
			break
		}
	}
	if idp == nil {
		return nil, false, idpNotFound(remote)
	}
	if !slices.Contains(authMethods, protocol) {
		return nil, true, nil
	}
	page, err := st.ssoLogin(idp.ID, protocol, host, env)
	return page, false, err
}

// webSSOForIdentityProvider is Keystone's WebSSO for a given identity
// provider. unsupported reports a protocol that is not an auth method.
func (s *v3) webSSOForIdentityProvider(ctx context.Context, idpID, protocol, origin string) (page []byte, unsupported bool, err error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	host, err := st.ssoOrigin(origin)
	if err != nil {
		return nil, false, err
	}
	if !slices.Contains(authMethods, protocol) {
		return nil, true, nil
	}
	page, err = st.ssoLogin(idpID, protocol, host, envFrom(ctx))
	return page, false, err
}

func (st *state) ssoLogin(idpID, protocol, host string, env map[string]string) ([]byte, error) {
	t, err := st.federatedLogin(idpID, protocol, env)
	if err != nil {
		return nil, err
	}
	return renderSSOPage(host, t.id)
}

// WebSSO logs a federated user in and sends the token to the dashboard of
// origin (GET).
func (s *v3) WebSSO(ctx context.Context, req v3s.WebSSORequestObject) (v3s.WebSSOResponseObject, error) {
	page, unsupported, err := s.webSSO(ctx, req.ProtocolID, req.Params.Origin)
	switch {
	case err != nil:
		return nil, err
	case unsupported:
		return unsupportedMethod{s.state.root}, nil
	}
	return v3s.WebSSO200TextHTMLResponse{Body: bytes.NewReader(page), ContentLength: int64(len(page))}, nil
}

// WebSSOPost is WebSSO by POST.
func (s *v3) WebSSOPost(ctx context.Context, req v3s.WebSSOPostRequestObject) (v3s.WebSSOPostResponseObject, error) {
	page, unsupported, err := s.webSSO(ctx, req.ProtocolID, req.Params.Origin)
	switch {
	case err != nil:
		return nil, err
	case unsupported:
		return unsupportedMethod{s.state.root}, nil
	}
	return v3s.WebSSOPost200TextHTMLResponse{Body: bytes.NewReader(page), ContentLength: int64(len(page))}, nil
}

// WebSSOForIdentityProvider logs a user of the identity provider in and
// sends the token to the dashboard of origin (GET).
func (s *v3) WebSSOForIdentityProvider(ctx context.Context, req v3s.WebSSOForIdentityProviderRequestObject) (v3s.WebSSOForIdentityProviderResponseObject, error) {
	page, unsupported, err := s.webSSOForIdentityProvider(ctx, req.IdpID, req.ProtocolID, req.Params.Origin)
	switch {
	case err != nil:
		return nil, err
	case unsupported:
		return unsupportedMethod{s.state.root}, nil
	}
	return v3s.WebSSOForIdentityProvider200TextHTMLResponse{Body: bytes.NewReader(page), ContentLength: int64(len(page))}, nil
}

// WebSSOForIdentityProviderPost is WebSSOForIdentityProvider by POST.
func (s *v3) WebSSOForIdentityProviderPost(ctx context.Context, req v3s.WebSSOForIdentityProviderPostRequestObject) (v3s.WebSSOForIdentityProviderPostResponseObject, error) {
	page, unsupported, err := s.webSSOForIdentityProvider(ctx, req.IdpID, req.ProtocolID, req.Params.Origin)
	switch {
	case err != nil:
		return nil, err
	case unsupported:
		return unsupportedMethod{s.state.root}, nil
	}
	return v3s.WebSSOForIdentityProviderPost200TextHTMLResponse{Body: bytes.NewReader(page), ContentLength: int64(len(page))}, nil
}
