package keystonetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// appCredMembers are the members of an application credential Keystone 22
// stores; it refuses others with a 400 although its schema allows them.
var appCredMembers = map[string]bool{
	"name": true, "description": true, "secret": true, "expires_at": true, "roles": true,
	"unrestricted": true, "access_rules": true,
}

// strictRule names the members Keystone accepts in the body of a request:
// the spec (like Keystone's schema for some) allows others, which Keystone
// refuses with a 400.
type strictRule struct {
	method   string
	match    func(path string) bool
	envelope string
	members  map[string]bool
}

// strictRules: a new application credential (Keystone's storage refuses
// other members), a registered limit's and a limit's update (Keystone's
// schema has additionalProperties false).
var strictRules = []strictRule{
	{http.MethodPost, func(p string) bool {
		return strings.HasPrefix(p, "/v3/users/") && strings.HasSuffix(p, "/application_credentials")
	}, "application_credential", appCredMembers},
	{http.MethodPatch, func(p string) bool { return oneSegmentUnder(p, "/v3/registered_limits/") }, "registered_limit",
		map[string]bool{"service_id": true, "region_id": true, "resource_name": true, "default_limit": true, "description": true}},
	{http.MethodPatch, func(p string) bool { return oneSegmentUnder(p, "/v3/limits/") }, "limit",
		map[string]bool{"resource_limit": true, "description": true}},
}

// oneSegmentUnder reports whether path is prefix followed by one segment.
func oneSegmentUnder(path, prefix string) bool {
	rest, ok := strings.CutPrefix(path, prefix)
	return ok && rest != "" && !strings.Contains(rest, "/")
}

// strictMembers refuses, as Keystone does, the members of strictRules'
// requests that Keystone does not accept. The body stays readable.
func strictMembers(r *http.Request) *Error {
	if r.Body == nil {
		return nil
	}
	var rule *strictRule
	for i := range strictRules {
		if strictRules[i].method == r.Method && strictRules[i].match(r.URL.Path) {
			rule = &strictRules[i]
		}
	}
	if rule == nil {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return badRequest("Cannot read the request body.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var b map[string]map[string]json.RawMessage
	if json.Unmarshal(body, &b) != nil {
		return nil // the strict server reports it
	}
	for k := range b[rule.envelope] {
		if !rule.members[k] {
			return badRequest("Invalid input for field/attribute %s: additional property %q is not allowed.", rule.envelope, k)
		}
	}
	return nil
}
