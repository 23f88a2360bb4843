package keystonetest

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// IssueOAuth2Token is Keystone's OAuth 2.0 client credentials grant (Zed):
// the client is an application credential, by ID and secret in HTTP Basic
// authentication; the access token is a Keystone token scoped as the
// application credential is. Errors take OAuth 2.0's form.
func (s *v3) IssueOAuth2Token(ctx context.Context, req v3s.IssueOAuth2TokenRequestObject) (v3s.IssueOAuth2TokenResponseObject, error) {
	invalidClient := func(msg string) (v3s.IssueOAuth2TokenResponseObject, error) {
		challenge := `Keystone uri="` + "keystone" + `"`
		return v3s.IssueOAuth2Token401JSONResponse{OAuth2UnauthorizedJSONResponse: v3s.OAuth2UnauthorizedJSONResponse{
			Body: v3s.OAuth2Error{Error: "invalid_client", ErrorDescription: msg}, Headers: v3s.OAuth2UnauthorizedResponseHeaders{WWWAuthenticate: &challenge}}}, nil
	}
	header, _ := ctx.Value(authorizationKey{}).(string)
	enc, ok := strings.CutPrefix(header, "Basic ")
	if !ok {
		return invalidClient("Client authentication failed.")
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return invalidClient("Client authentication failed.")
	}
	id, secret, _ := strings.Cut(string(raw), ":")
	if u, err := url.QueryUnescape(id); err == nil {
		id = u
	}
	if u, err := url.QueryUnescape(secret); err == nil {
		secret = u
	}
	if id == "" || secret == "" {
		return invalidClient("client_id or client_secret is not found in authorization.")
	}
	if req.Body == nil || req.Body.GrantType == "" {
		return v3s.IssueOAuth2Token400JSONResponse{OAuth2BadRequestJSONResponse: v3s.OAuth2BadRequestJSONResponse{
			Error: "invalid_request", ErrorDescription: "The parameter grant_type is required."}}, nil
	}
	if req.Body.GrantType != "client_credentials" {
		return v3s.IssueOAuth2Token400JSONResponse{OAuth2BadRequestJSONResponse: v3s.OAuth2BadRequestJSONResponse{
			Error: "unsupported_grant_type", ErrorDescription: "The parameter grant_type " + req.Body.GrantType + " is not supported."}}, nil
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	ac := st.appcreds.get(id)
	if ac == nil {
		return v3s.IssueOAuth2Token404JSONResponse{OAuth2NotFoundJSONResponse: v3s.OAuth2NotFoundJSONResponse{
			Error: "other_error", ErrorDescription: "Could not find Application Credential: " + id + "."}}, nil
	}
	if !checkPassword(ac.secret, secret) {
		return invalidClient("The request you have made requires authentication.")
	}
	if exp, ok := value(ac.ExpiresAt); ok {
		if t, err := time.Parse("2006-01-02T15:04:05.000000", exp); err == nil && !st.now().Before(t) {
			return invalidClient("The request you have made requires authentication.")
		}
	}
	if u := st.users.get(ac.UserID); u == nil || !u.Enabled {
		return invalidClient("The request you have made requires authentication.")
	}
	p, _ := value(ac.ProjectID)
	now := st.now()
	t := &token{
		id: newTokenID(), userID: ac.UserID, methods: []string{"application_credential"}, scope: target{project: p}, appCredID: ac.ID,
		issued: now.Truncate(time.Microsecond), expires: now.Add(st.lifetime).Truncate(time.Microsecond),
		auditIDs: []string{newAuditID()},
	}
	st.tokens[t.id] = t
	st.nIssued++
	return v3s.IssueOAuth2Token200JSONResponse{AccessToken: t.id, TokenType: "Bearer", ExpiresIn: int(st.lifetime / time.Second)}, nil
}
