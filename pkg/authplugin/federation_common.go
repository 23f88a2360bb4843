package authplugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// What the federated plugins share: their options' check, the assertion
// posted to a service provider, whose session cookie then gets Keystone's
// token.

// requireOptions returns a MissingOptionsError naming the options (name,
// value pairs) that are empty.
func requireOptions(plugin string, options ...[2]string) error {
	var missing []string
	for _, o := range options {
		if o[1] == "" {
			missing = append(missing, o[0])
		}
	}
	if len(missing) > 0 {
		return &keystone.MissingOptionsError{Plugin: plugin, Options: missing}
	}
	return nil
}

// postAssertion posts an assertion to a service provider (its ECP or ADFS
// handler), which answers with a session cookie and, usually, a redirect
// that is not followed (it only says the session is open). It returns the
// session's cookies.
func postAssertion(ctx context.Context, s *keystone.Session, plugin, target, contentType string, body []byte) ([]*http.Cookie, error) {
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodPost, URL: target, NoAuth: true, NoRedirect: true, Body: body,
		Header: http.Header{"Content-Type": {contentType}, "Accept": {"*/*"}}})
	if err != nil {
		var he *keystone.HTTPError
		if errors.As(err, &he) && (he.StatusCode == http.StatusUnauthorized || he.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("%w: the service provider refused the assertion: %w", keystone.ErrAuthorizationFailure, err)
		}
		return nil, fmt.Errorf("authplugin: %s: posting the assertion to the service provider: %w", plugin, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, s.Limits().ErrorBody))
	resp.Body.Close()
	return resp.Cookies(), nil
}

// sessionToken gets Keystone's unscoped token at tokenURL with the
// service provider's session cookies, sent only when tokenURL is on the
// host (and scheme) that set them.
func sessionToken(ctx context.Context, s *keystone.Session, plugin, cookieFrom, tokenURL string, cookies []*http.Cookie) (*keystone.AccessInfo, error) {
	h := http.Header{}
	from, err1 := url.Parse(cookieFrom)
	to, err2 := url.Parse(tokenURL)
	if len(cookies) > 0 && err1 == nil && err2 == nil && strings.EqualFold(from.Host, to.Host) && from.Scheme == to.Scheme {
		var c []string
		for _, ck := range cookies {
			c = append(c, (&http.Cookie{Name: ck.Name, Value: ck.Value}).String())
		}
		h.Set("Cookie", strings.Join(c, "; "))
	}
	ai, err := readToken(ctx, s, keystone.Request{Method: http.MethodGet, URL: tokenURL, NoAuth: true, Header: h})
	if err != nil {
		return nil, fmt.Errorf("authplugin: %s: Keystone's token: %w", plugin, err)
	}
	return ai, nil
}
