package authplugin

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// ADFSOptions configure the ADFS plugin (keystoneauth1's v3adfspassword):
// the user's name and password go to an ADFS server's WS-Trust 1.3
// endpoint (usernamemixed), whose security token response carries a SAML
// assertion; the assertion, posted to the service provider's ADFS handler
// (Shibboleth's /Shibboleth.sso/ADFS), opens a session whose cookie gets
// Keystone's unscoped token, rescoped to Scope.
type ADFSOptions struct {
	// AuthURL is Keystone's Identity endpoint: its root or its /v3 URL.
	AuthURL string
	// IdentityProvider and Protocol are those registered in Keystone.
	IdentityProvider, Protocol string
	// IdentityProviderURL is the ADFS WS-Trust endpoint
	// (https://adfs.example.com/adfs/services/trust/13/usernamemixed).
	IdentityProviderURL string
	// ServiceProviderEndpoint is where the assertion is posted
	// (https://keystone.example.com/Shibboleth.sso/ADFS); its cookies are
	// sent to Keystone only on the same host.
	ServiceProviderEndpoint string
	// ServiceProviderEntityID is the relying party ADFS issues for
	// (default: ServiceProviderEndpoint).
	ServiceProviderEntityID string
	// Username and Password are the user's at ADFS.
	Username, Password string
	// Scope is the token's scope; the zero Scope keeps the unscoped token.
	Scope Scope
	// Now is the clock of the request's timestamps (default time.Now).
	Now func() time.Time
}

// NewADFSPassword returns a plugin that logs in through ADFS (WS-Trust).
func NewADFSPassword(o ADFSOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	if err := requireOptions("v3adfspassword", [2]string{"auth_url", o.AuthURL}, [2]string{"identity_provider", o.IdentityProvider},
		[2]string{"protocol", o.Protocol}, [2]string{"identity_provider_url", o.IdentityProviderURL},
		[2]string{"service_provider_endpoint", o.ServiceProviderEndpoint}, [2]string{"username", o.Username}, [2]string{"password", o.Password}); err != nil {
		return nil, err
	}
	if err := o.Scope.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(&adfs{o: o}, opts...), nil
}

type adfs struct{ o ADFSOptions }

func (a *adfs) CacheKey() []string {
	o := a.o
	return append([]string{"v3adfspassword", keystone.UnversionedURL(o.AuthURL), o.IdentityProvider, o.Protocol,
		o.IdentityProviderURL, o.ServiceProviderEndpoint, o.ServiceProviderEntityID, o.Username, o.Password}, o.Scope.cacheKey()...)
}

func (a *adfs) Reauthenticates() bool { return true }

// AuthURL is Keystone's, where the session prefers the identity endpoint.
func (a *adfs) AuthURL() string { return a.o.AuthURL }

// WS-Trust's namespaces.
const (
	nsSOAP12   = "http://www.w3.org/2003/05/soap-envelope"
	nsTrust13  = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
	nsTrust05  = "http://schemas.xmlsoap.org/ws/2005/02/trust"
	adfsLeeway = 120 * time.Second
)

// rst is the WS-Trust 1.3 RequestSecurityToken ADFS answers with a SAML
// assertion: a timestamp and the user's name and password (in the clear:
// the endpoint must be HTTPS), for the relying party.
func (a *adfs) rst() []byte {
	esc := func(s string) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	now := time.Now
	if a.o.Now != nil {
		now = a.o.Now
	}
	created := now().UTC()
	const ts = "2006-01-02T15:04:05.000Z"
	id := func() string {
		b := make([]byte, 16)
		rand.Read(b)
		return hex.EncodeToString(b)
	}
	rp := a.o.ServiceProviderEntityID
	if rp == "" {
		rp = a.o.ServiceProviderEndpoint
	}
	return []byte(`<s:Envelope xmlns:s="` + nsSOAP12 + `" xmlns:a="http://www.w3.org/2005/08/addressing" ` +
		`xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><s:Header>` +
		`<a:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue</a:Action>` +
		`<a:MessageID>urn:uuid:` + id() + `</a:MessageID>` +
		`<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>` +
		`<a:To s:mustUnderstand="1">` + esc(a.o.IdentityProviderURL) + `</a:To>` +
		`<o:Security xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" s:mustUnderstand="1">` +
		`<u:Timestamp u:Id="_0"><u:Created>` + created.Format(ts) + `</u:Created><u:Expires>` + created.Add(adfsLeeway).Format(ts) + `</u:Expires></u:Timestamp>` +
		`<o:UsernameToken u:Id="uuid-` + id() + `-1"><o:Username>` + esc(a.o.Username) + `</o:Username>` +
		`<o:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">` + esc(a.o.Password) + `</o:Password>` +
		`</o:UsernameToken></o:Security></s:Header><s:Body>` +
		`<trust:RequestSecurityToken xmlns:trust="` + nsTrust13 + `">` +
		`<wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing">` +
		`<wsa:Address>` + esc(rp) + `</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
		`<trust:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer</trust:KeyType>` +
		`<trust:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</trust:RequestType>` +
		`<trust:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</trust:TokenType>` +
		`</trust:RequestSecurityToken></s:Body></s:Envelope>`)
}

// Authenticate asks ADFS for the security token, posts its response to the
// service provider and gets Keystone's token with the session it opens.
func (a *adfs) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	fedURL := federatedURL(a.o.AuthURL, a.o.IdentityProvider, a.o.Protocol)
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodPost, URL: a.o.IdentityProviderURL, NoAuth: true, Body: a.rst(),
		Header: http.Header{"Content-Type": {"application/soap+xml; charset=utf-8"}, "Accept": {"application/soap+xml, text/xml"}}})
	if err != nil {
		return nil, adfsFailure(err)
	}
	rstr, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	token, err := adfsToken(rstr)
	if err != nil {
		return nil, &keystone.InvalidResponseError{Method: http.MethodPost, URL: redactedURL(a.o.IdentityProviderURL), StatusCode: resp.StatusCode, Err: err}
	}
	// keystoneauth1 renames WS-Trust 1.3's namespace to the 2005/02 one
	// Shibboleth's ADFS handler reads.
	token = bytes.ReplaceAll(token, []byte(nsTrust13), []byte(nsTrust05))
	form := "wa=wsignin1.0&wresult=" + url.QueryEscape(string(token))
	cookies, err := postAssertion(ctx, s, "ADFS", a.o.ServiceProviderEndpoint, "application/x-www-form-urlencoded", []byte(form))
	if err != nil {
		return nil, err
	}
	if len(cookies) == 0 {
		return nil, fmt.Errorf("%w: the service provider opened no session (no cookie) for the assertion", keystone.ErrAuthorizationFailure)
	}
	unscoped, err := sessionToken(ctx, s, "ADFS", a.o.ServiceProviderEndpoint, fedURL, cookies)
	if err != nil {
		return nil, err
	}
	return rescope(ctx, s, a.o.AuthURL, unscoped, a.o.Scope)
}

// adfsFailure reads ADFS's SOAP fault (a 500 whose subcode says why, such
// as a:FailedAuthentication) as an authorization failure.
func adfsFailure(err error) error {
	var he *keystone.HTTPError
	if !errors.As(err, &he) {
		return fmt.Errorf("authplugin: ADFS: %w", err)
	}
	if he.StatusCode == http.StatusInternalServerError || he.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%w: ADFS refused the request: %w", keystone.ErrAuthorizationFailure, err)
	}
	return fmt.Errorf("authplugin: ADFS: %w", err)
}

// adfsToken returns the RequestSecurityTokenResponse of ADFS's answer, as
// bytes (its assertion is signed), with the namespaces it inherits from
// the envelope declared on it.
func adfsToken(doc []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		decls map[string]string // prefix → URI declared on the element
	}
	var stack []frame
	inScope := func() map[string]string {
		m := map[string]string{}
		for _, f := range stack {
			for p, u := range f.decls {
				m[p] = u
			}
		}
		return m
	}
	start, depth := -1, 0
	var inherited map[string]string
	var own map[string]string
	var tagEnd int
	for {
		before := int(d.InputOffset())
		tok, err := d.RawToken()
		if err != nil {
			return nil, errors.New("no RequestSecurityTokenResponse in the answer")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			decls := map[string]string{}
			for _, at := range t.Attr {
				switch {
				case at.Name.Space == "xmlns":
					decls[at.Name.Local] = at.Value
				case at.Name.Space == "" && at.Name.Local == "xmlns":
					decls[""] = at.Value
				}
			}
			if start < 0 && t.Name.Local == "RequestSecurityTokenResponse" {
				start, depth = before, 1
				inherited, own = inScope(), decls
				tagEnd = int(d.InputOffset())
			} else if start >= 0 {
				depth++
			}
			stack = append(stack, frame{decls: decls})
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if start >= 0 {
				depth--
				if depth == 0 {
					end := int(d.InputOffset())
					return withDeclarations(doc[start:end], tagEnd-start, inherited, own), nil
				}
			}
		}
	}
}

// withDeclarations adds to an element's start tag (the first tagLen bytes
// of elem) the namespace declarations it inherited and does not make
// itself.
func withDeclarations(elem []byte, tagLen int, inherited, own map[string]string) []byte {
	var add strings.Builder
	prefixes := make([]string, 0, len(inherited))
	for p := range inherited {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		u := inherited[p]
		if _, ok := own[p]; ok {
			continue
		}
		var v bytes.Buffer
		xml.EscapeText(&v, []byte(u))
		if p == "" {
			fmt.Fprintf(&add, ` xmlns="%s"`, v.String())
		} else {
			fmt.Fprintf(&add, ` xmlns:%s="%s"`, p, v.String())
		}
	}
	if add.Len() == 0 {
		return elem
	}
	// Insert after the element's name: "<t:RequestSecurityTokenResponse".
	tag := elem[:tagLen]
	i := bytes.IndexAny(tag, " \t\r\n/>")
	if i < 0 {
		return elem
	}
	out := append([]byte{}, elem[:i]...)
	out = append(out, add.String()...)
	return append(out, elem[i:]...)
}

// String hides the password.
func (o ADFSOptions) String() string {
	return fmt.Sprintf("ADFSOptions{AuthURL: %q, IdentityProvider: %q, Protocol: %q, IdentityProviderURL: %q, ServiceProviderEndpoint: %q, "+
		"ServiceProviderEntityID: %q, Username: %q, Password: %s, Scope: %+v}", o.AuthURL, o.IdentityProvider, o.Protocol,
		o.IdentityProviderURL, o.ServiceProviderEndpoint, o.ServiceProviderEntityID, o.Username, mask(o.Password), o.Scope)
}

// GoString is String.
func (o ADFSOptions) GoString() string { return o.String() }

func (o ADFSOptions) redacted() any {
	return struct {
		AuthURL, IdentityProvider, Protocol, IdentityProviderURL string
		ServiceProviderEndpoint, ServiceProviderEntityID         string
		Username, Password                                       string
		Scope                                                    Scope
	}{o.AuthURL, o.IdentityProvider, o.Protocol, o.IdentityProviderURL, o.ServiceProviderEndpoint, o.ServiceProviderEntityID,
		o.Username, hidden(o.Password), o.Scope}
}

// Format implements fmt.Formatter: every verb shows String.
func (o ADFSOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the password masked.
func (o ADFSOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the password masked.
func (o ADFSOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }
