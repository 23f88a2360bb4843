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

// strictMembers refuses, as Keystone does, the extra members that the spec
// (like Keystone's schema) allows but Keystone's storage does not: those of
// a new application credential. The body stays readable.
func strictMembers(r *http.Request) *Error {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/v3/users/") ||
		!strings.HasSuffix(r.URL.Path, "/application_credentials") || r.Body == nil {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return badRequest("Cannot read the request body.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var b struct {
		ApplicationCredential map[string]json.RawMessage `json:"application_credential"`
	}
	if json.Unmarshal(body, &b) != nil {
		return nil // the strict server reports it
	}
	for k := range b.ApplicationCredential {
		if !appCredMembers[k] {
			return badRequest("Invalid input for field/attribute application_credential: additional property %q is not allowed.", k)
		}
	}
	return nil
}
