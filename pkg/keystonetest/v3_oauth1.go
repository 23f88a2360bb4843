package keystonetest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// OS-OAUTH1: consumers, request and access tokens, and the oauth1
// authentication method (Keystone's api/os_oauth1.py, the access token
// resources of api/users.py, oauth1/core.py and validator.py, its SQL backend
// and auth/plugins/oauth1.py). Requests are signed with OAuth 1.0a HMAC-SHA1
// (RFC 5849), which the fake verifies as oauthlib does for Keystone.

// Keystone's [oauth1] defaults.
const (
	oauth1RequestTokenDuration = 28800 * time.Second
	oauth1AccessTokenDuration  = 86400 * time.Second
	// oauth1TimestampWindow is oauthlib's timestamp_lifetime.
	oauth1TimestampWindow = 600
)

// oauth1VerifierChars are the characters of a verifier (oauth1/backends/base.py):
// letters and digits but the confusable jiIl1oO0.
const oauth1VerifierChars = "abcdefghkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// oauth1State holds the consumers, the request and access tokens, and which
// Keystone tokens were issued with which access token.
type oauth1State struct {
	consumers table[oauth1Consumer]
	requests  table[oauth1RequestToken]
	access    table[oauth1AccessToken]
	// tokens maps the ID of a token issued by the oauth1 method to its access token's.
	tokens map[string]string
	// requestTTL is [oauth1] request_token_duration (0: Keystone's default;
	// negative: request tokens do not expire).
	requestTTL time.Duration
}

type oauth1Consumer struct {
	v3s.OAuth1Consumer
	secret string
}

type oauth1RequestToken struct {
	id, secret, consumerID, projectID string
	expires                           time.Time // zero: no expiry
	authorizingUserID, verifier       string
	roleIDs                           []string
}

type oauth1AccessToken struct {
	id, secret, consumerID, projectID, userID string
	expires                                   time.Time
	roleIDs                                   []string
}

func init() {
	// Keystone accepts a consumer creation without "consumer".
	unvalidatedBodies["createOAuth1Consumer"] = true
}

// SetOAuth1RequestTokenDuration sets Keystone's [oauth1] request_token_duration
// (28800 s by default; 0 or less: request tokens do not expire).
func (s *Server) SetOAuth1RequestTokenDuration(d time.Duration) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if d <= 0 {
		d = -1
	}
	s.state.oauthArea.requestTTL = d
}

// --- hooks of other files (v3_auth.go, state.go)

// oauth1Authenticate is the oauth1 method of IssueToken: it checks the signed
// Authorization header of the request and returns the access token.
func (st *state) oauth1Authenticate(ctx context.Context, payload *v3s.AuthOAuth1) (*oauth1AccessToken, error) {
	if payload == nil {
		return nil, badRequest("Expecting to find oauth1 in identity.")
	}
	header, _ := ctx.Value(authorizationKey{}).(string)
	params, err := oauth1ParseHeader(header)
	if err != nil {
		return nil, err
	}
	atID := params.get("oauth_token")
	if atID == "" {
		return nil, badRequest("Expecting to find oauth_token in request.")
	}
	at := st.oauthArea.access.get(atID)
	if at == nil {
		return nil, notFound("access token", atID)
	}
	if !at.expires.IsZero() && st.now().After(at.expires) {
		return nil, errorf(http.StatusUnauthorized, "Access token is expired")
	}
	// oauthlib's protected resource request: any failure is a 401. (Keystone
	// does not check that the signing consumer is the access token's.)
	refuse := errorf(http.StatusUnauthorized, "Could not validate the access token")
	if st.oauth1CheckParams(params) != nil || !oauth1WellFormedKey(atID) {
		return nil, refuse
	}
	c := st.oauthArea.consumers.get(params.get("oauth_consumer_key"))
	if c == nil || !oauth1Verify(http.MethodPost, st.root+"/v3/auth/tokens", params, c.secret, at.secret) {
		return nil, refuse
	}
	if u := st.users.get(at.userID); u == nil || !u.Enabled {
		return nil, unauthorized()
	}
	if p := st.projects.get(at.projectID); p == nil || !p.Enabled {
		return nil, unauthorized()
	}
	return at, nil
}

// issueOAuth1Token issues the token of an oauth1 authentication: scoped to
// the access token's project, with its delegated roles.
func (st *state) issueOAuth1Token(at *oauth1AccessToken, methods []string, withCatalog bool) (v3s.IssueTokenResponseObject, error) {
	now := st.now()
	t := &token{
		id: newTokenID(), userID: at.userID, methods: methods, scope: target{project: at.projectID},
		issued: now.Truncate(time.Microsecond), expires: now.Add(st.lifetime).Truncate(time.Microsecond),
		auditIDs: []string{newAuditID()},
	}
	if st.oauthArea.tokens == nil {
		st.oauthArea.tokens = map[string]string{}
	}
	st.oauthArea.tokens[t.id] = at.id
	st.tokens[t.id] = t
	st.nIssued++
	return v3s.IssueToken201JSONResponse{
		Body:    v3s.TokenEnvelope{Token: st.tokenBody(t, withCatalog)},
		Headers: v3s.IssueToken201ResponseHeaders{XSubjectToken: t.id},
	}, nil
}

// tokenOAuth1 returns the access token a token was issued with, or nil.
func (st *state) tokenOAuth1(t *token) *oauth1AccessToken {
	id := st.oauthArea.tokens[t.id]
	if id == "" {
		return nil
	}
	return st.oauthArea.access.get(id)
}

// isOAuth1Token reports whether t was issued by the oauth1 method
// (Keystone's is_delegated_auth, with trusts).
func (st *state) isOAuth1Token(t *token) bool { return st.oauthArea.tokens[t.id] != "" }

// oauth1TokenRoles are the roles of a token issued with at: the delegated
// roles and those they imply, that the user still holds on the project.
func (st *state) oauth1TokenRoles(t *token, at *oauth1AccessToken) []string {
	held := st.expand(st.directRoles(t.userID, t.scope))
	var out []string
	for _, r := range st.expand(at.roleIDs) {
		if slices.Contains(held, r) {
			out = append(out, r)
		}
	}
	return out
}

// addOAuth1ToToken adds the OS-OAUTH1 member of a token issued with an access token.
func (st *state) addOAuth1ToToken(t *token, body *v3s.Token) {
	if at := st.tokenOAuth1(t); at != nil {
		body.OSOAUTH1 = &v3s.TokenOAuth1{AccessTokenID: ptr(at.id), ConsumerID: ptr(at.consumerID)}
	}
}

// revokeOAuth1Tokens revokes the tokens issued with the access tokens of ids.
func (st *state) revokeOAuth1Tokens(ids ...string) {
	st.revokeWhere(func(t *token) bool { return slices.Contains(ids, st.oauthArea.tokens[t.id]) })
}

// --- consumers

func (st *state) renderConsumer(c *oauth1Consumer) v3s.OAuth1Consumer {
	out := c.OAuth1Consumer
	out.AdditionalProperties = maps.Clone(c.AdditionalProperties)
	return out
}

// CreateOAuth1Consumer creates a consumer; its secret is returned only here.
func (s *v3) CreateOAuth1Consumer(_ context.Context, req v3s.CreateOAuth1ConsumerRequestObject) (v3s.CreateOAuth1ConsumerResponseObject, error) {
	var in v3s.OAuth1ConsumerCreate
	if req.Body != nil {
		in = req.Body.Consumer
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	c := &oauth1Consumer{OAuth1Consumer: v3s.OAuth1Consumer{
		ID: id, Description: null[string](), Links: st.link("OS-OAUTH1/consumers/" + id),
	}, secret: newID()}
	if in.Description.IsSpecified() {
		c.Description = in.Description
	}
	mergeExtras(&c.AdditionalProperties, in.AdditionalProperties)
	for _, k := range []string{"id", "secret", "links"} {
		delete(c.AdditionalProperties, k)
	}
	st.oauthArea.consumers.put(id, c)
	return v3s.CreateOAuth1Consumer201JSONResponse{Consumer: v3s.OAuth1ConsumerCreated{
		ID: c.ID, Description: c.Description, Links: c.Links, Secret: c.secret, AdditionalProperties: maps.Clone(c.AdditionalProperties),
	}}, nil
}

// ListOAuth1Consumers lists the consumers, without their secrets.
func (s *v3) ListOAuth1Consumers(context.Context, v3s.ListOAuth1ConsumersRequestObject) (v3s.ListOAuth1ConsumersResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.OAuth1Consumer{}
	for _, c := range st.oauthArea.consumers.all() {
		out = append(out, st.renderConsumer(c))
	}
	return v3s.ListOAuth1Consumers200JSONResponse{Consumers: out, Links: st.collection("OS-OAUTH1/consumers")}, nil
}

// GetOAuth1Consumer returns a consumer, without its secret.
func (s *v3) GetOAuth1Consumer(_ context.Context, req v3s.GetOAuth1ConsumerRequestObject) (v3s.GetOAuth1ConsumerResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.oauthArea.consumers.get(req.ConsumerID)
	if c == nil {
		return nil, notFound("consumer", req.ConsumerID)
	}
	return v3s.GetOAuth1Consumer200JSONResponse{Consumer: st.renderConsumer(c)}, nil
}

// UpdateOAuth1Consumer changes a consumer's description and extra attributes.
func (s *v3) UpdateOAuth1Consumer(_ context.Context, req v3s.UpdateOAuth1ConsumerRequestObject) (v3s.UpdateOAuth1ConsumerResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find consumer in request body.")
	}
	in := req.Body.Consumer
	if _, ok := in.AdditionalProperties["secret"]; ok {
		return nil, badRequest("Invalid input for field/attribute consumer: secret cannot be updated.")
	}
	if !in.Description.IsSpecified() && len(in.AdditionalProperties) == 0 {
		return nil, badRequest("Invalid input for field/attribute consumer: {} does not have enough properties.")
	}
	if id, ok := in.AdditionalProperties["id"]; ok && id != req.ConsumerID {
		return nil, badRequest("Cannot change ID")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.oauthArea.consumers.get(req.ConsumerID)
	if c == nil {
		return nil, notFound("consumer", req.ConsumerID)
	}
	if in.Description.IsSpecified() {
		c.Description = in.Description
	}
	mergeExtras(&c.AdditionalProperties, in.AdditionalProperties)
	for _, k := range []string{"id", "links"} {
		delete(c.AdditionalProperties, k)
	}
	return v3s.UpdateOAuth1Consumer200JSONResponse{Consumer: st.renderConsumer(c)}, nil
}

// DeleteOAuth1Consumer deletes a consumer with its request and access
// tokens, which revokes the tokens issued with them.
func (s *v3) DeleteOAuth1Consumer(_ context.Context, req v3s.DeleteOAuth1ConsumerRequestObject) (v3s.DeleteOAuth1ConsumerResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.oauthArea.consumers.get(req.ConsumerID) == nil {
		return nil, notFound("consumer", req.ConsumerID)
	}
	for _, rt := range st.oauthArea.requests.all() {
		if rt.consumerID == req.ConsumerID {
			st.oauthArea.requests.del(rt.id)
		}
	}
	var gone []string
	for _, at := range st.oauthArea.access.all() {
		if at.consumerID == req.ConsumerID {
			gone = append(gone, at.id)
			st.oauthArea.access.del(at.id)
		}
	}
	st.revokeOAuth1Tokens(gone...)
	st.oauthArea.consumers.del(req.ConsumerID)
	return v3s.DeleteOAuth1Consumer204Response{}, nil
}

// --- request and access tokens

// oauth1Form is a form-encoded token answer, written as Keystone does (its
// values are hex digits and a timestamp, which need no escaping).
type oauth1Form struct {
	token, secret string
	expires       time.Time
}

func (f oauth1Form) visit(w http.ResponseWriter) error {
	body := "oauth_token=" + f.token + "&oauth_token_secret=" + f.secret
	if !f.expires.IsZero() {
		body += "&oauth_expires_at=" + f.expires.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.WriteHeader(http.StatusCreated)
	_, err := w.Write([]byte(body))
	return err
}

func (f oauth1Form) VisitCreateOAuth1RequestTokenResponse(w http.ResponseWriter) error {
	return f.visit(w)
}
func (f oauth1Form) VisitCreateOAuth1AccessTokenResponse(w http.ResponseWriter) error {
	return f.visit(w)
}

// CreateOAuth1RequestToken issues a request token to a consumer, for a project.
func (s *v3) CreateOAuth1RequestToken(_ context.Context, req v3s.CreateOAuth1RequestTokenRequestObject) (v3s.CreateOAuth1RequestTokenResponseObject, error) {
	params, err := oauth1ParseHeader(req.Params.Authorization)
	if err != nil {
		return nil, err
	}
	consumerID := params.get("oauth_consumer_key")
	if consumerID == "" {
		return nil, badRequest("Expecting to find oauth_consumer_key in request.")
	}
	projectID := req.Params.RequestedProjectID
	if projectID == "" {
		return nil, badRequest("Expecting to find Requested-Project-Id in request.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.projects.get(projectID) == nil {
		return nil, notFound("project", projectID)
	}
	c := st.oauthArea.consumers.get(consumerID)
	if c == nil {
		return nil, notFound("consumer", consumerID)
	}
	if err := st.oauth1CheckParams(params); err != nil {
		return nil, err
	}
	if params.get("oauth_callback") == "" {
		return nil, oauth1Invalid("Missing callback URI.")
	}
	if !oauth1Verify(http.MethodPost, st.root+"/v3/OS-OAUTH1/request_token", params, c.secret, "") {
		return nil, errorf(http.StatusUnauthorized, "Invalid signature")
	}
	rt := &oauth1RequestToken{id: newID(), secret: newID(), consumerID: consumerID, projectID: projectID}
	ttl := st.oauthArea.requestTTL
	if ttl == 0 {
		ttl = oauth1RequestTokenDuration
	}
	if ttl > 0 {
		rt.expires = st.now().Add(ttl).Truncate(time.Second)
	}
	st.oauthArea.requests.put(rt.id, rt)
	return oauth1Form{token: rt.id, secret: rt.secret, expires: rt.expires}, nil
}

// AuthorizeOAuth1RequestToken delegates roles the caller holds on the request
// token's project; the answer is the verifier.
func (s *v3) AuthorizeOAuth1RequestToken(ctx context.Context, req v3s.AuthorizeOAuth1RequestTokenRequestObject) (v3s.AuthorizeOAuth1RequestTokenResponseObject, error) {
	c := callerFrom(ctx)
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.isOAuth1Token(c.tok) || st.isTrustToken(c.tok) {
		return nil, errorf(http.StatusForbidden, "Cannot authorize a request token with a token issued via delegation.")
	}
	rt := st.oauthArea.requests.get(req.RequestTokenID)
	if rt == nil {
		return nil, notFound("request token", req.RequestTokenID)
	}
	if !rt.expires.IsZero() && st.now().After(rt.expires) {
		return nil, errorf(http.StatusUnauthorized, "Request token is expired")
	}
	var refs []v3s.OAuth1RoleRef
	if req.Body != nil {
		refs = req.Body.Roles
	}
	var roleIDs []string
	for _, ref := range refs {
		id := ""
		switch {
		case ref.ID != nil && *ref.ID != "":
			id = *ref.ID
		case ref.Name != nil:
			for _, r := range st.roles.all() {
				if d, ok := value(r.DomainID); r.Name == *ref.Name && (!ok || d == "") {
					id = r.ID
				}
			}
			if id == "" {
				return nil, notFound("role", *ref.Name)
			}
		default:
			return nil, badRequest("Invalid input for field/attribute roles: a role needs an id or a name.")
		}
		if !slices.Contains(roleIDs, id) {
			roleIDs = append(roleIDs, id)
		}
	}
	held := st.expand(st.directRoles(c.tok.userID, target{project: rt.projectID}))
	for _, id := range roleIDs {
		if !slices.Contains(held, id) {
			return nil, errorf(http.StatusUnauthorized, "authorizing user does not have role required")
		}
	}
	rt.authorizingUserID, rt.roleIDs, rt.verifier = c.tok.userID, roleIDs, oauth1NewVerifier()
	return v3s.AuthorizeOAuth1RequestToken200JSONResponse{Token: v3s.OAuth1Verifier{OauthVerifier: rt.verifier}}, nil
}

// CreateOAuth1AccessToken exchanges an authorized request token and its
// verifier for an access token.
func (s *v3) CreateOAuth1AccessToken(_ context.Context, req v3s.CreateOAuth1AccessTokenRequestObject) (v3s.CreateOAuth1AccessTokenResponseObject, error) {
	params, err := oauth1ParseHeader(req.Params.Authorization)
	if err != nil {
		return nil, err
	}
	consumerID, rtID, verifier := params.get("oauth_consumer_key"), params.get("oauth_token"), params.get("oauth_verifier")
	for _, p := range [][2]string{{"oauth_consumer_key", consumerID}, {"oauth_token", rtID}, {"oauth_verifier", verifier}} {
		if p[1] == "" {
			return nil, badRequest("Expecting to find %s in request.", p[0])
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	rt := st.oauthArea.requests.get(rtID)
	if rt == nil {
		return nil, notFound("request token", rtID)
	}
	if !rt.expires.IsZero() && st.now().After(rt.expires) {
		return nil, errorf(http.StatusUnauthorized, "Request token is expired")
	}
	if err := st.oauth1CheckParams(params); err != nil {
		return nil, err
	}
	if !oauth1WellFormedKey(rtID) {
		return nil, oauth1Invalid("Invalid resource owner key format.")
	}
	if len(verifier) != 8 || strings.Trim(verifier, oauth1VerifierChars) != "" {
		return nil, oauth1Invalid("Invalid verifier format.")
	}
	c := st.oauthArea.consumers.get(consumerID)
	if c == nil {
		return nil, errorf(http.StatusUnauthorized, "Provided consumer does not exist.")
	}
	if rt.consumerID != consumerID {
		return nil, errorf(http.StatusUnauthorized, "Provided consumer key does not match stored consumer key.")
	}
	if rt.verifier != verifier {
		return nil, errorf(http.StatusUnauthorized, "Provided verifier does not match stored verifier")
	}
	if !oauth1Verify(http.MethodPost, st.root+"/v3/OS-OAUTH1/access_token", params, c.secret, rt.secret) {
		return nil, errorf(http.StatusUnauthorized, "Invalid signature")
	}
	if rt.authorizingUserID == "" {
		return nil, errorf(http.StatusUnauthorized, "Request Token does not have an authorizing user id.")
	}
	at := &oauth1AccessToken{
		id: newID(), secret: newID(), consumerID: consumerID, projectID: rt.projectID, userID: rt.authorizingUserID,
		roleIDs: rt.roleIDs, expires: st.now().Add(oauth1AccessTokenDuration).Truncate(time.Second),
	}
	st.oauthArea.access.put(at.id, at)
	st.oauthArea.requests.del(rt.id) // used up
	return oauth1Form{token: at.id, secret: at.secret, expires: at.expires}, nil
}

// --- the user's access tokens

func (st *state) renderAccessToken(at *oauth1AccessToken) v3s.OAuth1AccessToken {
	self := st.root + "/v3/users/" + at.userID + "/OS-OAUTH1/access_tokens/" + at.id
	out := v3s.OAuth1AccessToken{
		ID: at.id, AuthorizingUserID: at.userID, ConsumerID: at.consumerID, ProjectID: at.projectID,
		ExpiresAt: null[time.Time](), Links: v3s.OAuth1AccessTokenLinks{Self: self, Roles: self + "/roles"},
	}
	if !at.expires.IsZero() {
		out.ExpiresAt = some(at.expires.UTC())
	}
	return out
}

// renderDelegatedRole is a role as the access token resources show it: less
// its description.
func (st *state) renderDelegatedRole(id string) (v3s.OAuth1AccessTokenRole, error) {
	r := st.roles.get(id)
	if r == nil {
		return v3s.OAuth1AccessTokenRole{}, notFound("role", id)
	}
	extra := maps.Clone(r.AdditionalProperties)
	delete(extra, "description")
	delete(extra, "enabled")
	return v3s.OAuth1AccessTokenRole{ID: r.ID, Name: r.Name, DomainID: r.DomainID, Links: r.Links, Options: r.Options,
		AdditionalProperties: extra}, nil
}

// ListUserOAuth1AccessTokens lists the access tokens a user authorized.
func (s *v3) ListUserOAuth1AccessTokens(ctx context.Context, req v3s.ListUserOAuth1AccessTokensRequestObject) (v3s.ListUserOAuth1AccessTokensResponseObject, error) {
	c := callerFrom(ctx)
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.isOAuth1Token(c.tok) || st.isTrustToken(c.tok) {
		return nil, errorf(http.StatusForbidden, "Cannot list request tokens with a token issued via delegation.")
	}
	out := []v3s.OAuth1AccessToken{}
	for _, at := range st.oauthArea.access.all() {
		if at.userID == req.UserID {
			out = append(out, st.renderAccessToken(at))
		}
	}
	return v3s.ListUserOAuth1AccessTokens200JSONResponse{AccessTokens: out,
		Links: st.collection("users/" + req.UserID + "/OS-OAUTH1/access_tokens")}, nil
}

// userAccessToken returns the access token id, which the user must have authorized.
func (st *state) userAccessToken(userID, id string, mismatch *Error) (*oauth1AccessToken, error) {
	at := st.oauthArea.access.get(id)
	if at == nil {
		return nil, notFound("access token", id)
	}
	if at.userID != userID {
		return nil, mismatch
	}
	return at, nil
}

// GetUserOAuth1AccessToken returns an access token of a user.
func (s *v3) GetUserOAuth1AccessToken(_ context.Context, req v3s.GetUserOAuth1AccessTokenRequestObject) (v3s.GetUserOAuth1AccessTokenResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	at, err := st.userAccessToken(req.UserID, req.AccessTokenID, errorf(http.StatusNotFound, "Could not find resource."))
	if err != nil {
		return nil, err
	}
	return v3s.GetUserOAuth1AccessToken200JSONResponse{AccessToken: st.renderAccessToken(at)}, nil
}

// DeleteUserOAuth1AccessToken deletes an access token, which revokes the
// tokens issued with it. Its user may too.
func (s *v3) DeleteUserOAuth1AccessToken(ctx context.Context, req v3s.DeleteUserOAuth1AccessTokenRequestObject) (v3s.DeleteUserOAuth1AccessTokenResponseObject, error) {
	c := callerFrom(ctx)
	if !c.admin && c.tok.userID != req.UserID {
		return nil, forbidden()
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	at, err := st.userAccessToken(req.UserID, req.AccessTokenID, errorf(http.StatusUnauthorized, "User IDs do not match"))
	if err != nil {
		return nil, err
	}
	st.oauthArea.access.del(at.id)
	st.revokeOAuth1Tokens(at.id)
	return v3s.DeleteUserOAuth1AccessToken204Response{}, nil
}

// ListUserOAuth1AccessTokenRoles lists the roles an access token delegates.
func (s *v3) ListUserOAuth1AccessTokenRoles(_ context.Context, req v3s.ListUserOAuth1AccessTokenRolesRequestObject) (v3s.ListUserOAuth1AccessTokenRolesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	at, err := st.userAccessToken(req.UserID, req.AccessTokenID, errorf(http.StatusNotFound, "Could not find resource."))
	if err != nil {
		return nil, err
	}
	out := []v3s.OAuth1AccessTokenRole{}
	for _, id := range at.roleIDs {
		r, err := st.renderDelegatedRole(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return v3s.ListUserOAuth1AccessTokenRoles200JSONResponse{Roles: out,
		Links: st.collection("users/" + req.UserID + "/OS-OAUTH1/access_tokens/" + at.id + "/roles")}, nil
}

// GetUserOAuth1AccessTokenRole returns a role an access token delegates.
func (s *v3) GetUserOAuth1AccessTokenRole(_ context.Context, req v3s.GetUserOAuth1AccessTokenRoleRequestObject) (v3s.GetUserOAuth1AccessTokenRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	at, err := st.userAccessToken(req.UserID, req.AccessTokenID, errorf(http.StatusUnauthorized, "User IDs do not match"))
	if err != nil {
		return nil, err
	}
	if !slices.Contains(at.roleIDs, req.RoleID) {
		return nil, notFound("role", req.RoleID)
	}
	r, err := st.renderDelegatedRole(req.RoleID)
	if err != nil {
		return nil, err
	}
	return v3s.GetUserOAuth1AccessTokenRole200JSONResponse{Role: r}, nil
}

// --- OAuth 1.0a signatures (RFC 5849), checked as oauthlib checks them for Keystone

// oauth1Params are the parameters of an Authorization header, in order.
type oauth1Params [][2]string

func (p oauth1Params) get(name string) string {
	for _, kv := range p {
		if kv[0] == name {
			return kv[1]
		}
	}
	return ""
}

func (p oauth1Params) has(name string) bool {
	for _, kv := range p {
		if kv[0] == name {
			return true
		}
	}
	return false
}

// oauth1ParseHeader parses an `OAuth k="v", …` Authorization header, its
// values percent-decoded (oauthlib's parse_authorization_header).
func oauth1ParseHeader(h string) (oauth1Params, error) {
	if len(h) < 6 || !strings.EqualFold(h[:6], "OAuth ") {
		return nil, badRequest("Malformed authorization header")
	}
	var out oauth1Params
	for _, item := range strings.Split(h[6:], ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			return nil, badRequest("Malformed authorization header")
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		dv, err := url.PathUnescape(v)
		if err != nil {
			return nil, badRequest("Malformed authorization header")
		}
		dk, err := url.PathUnescape(k)
		if err != nil {
			return nil, badRequest("Malformed authorization header")
		}
		// A later duplicate replaces the first, as in oauthlib's dict.
		if i := slices.IndexFunc(out, func(kv [2]string) bool { return kv[0] == dk }); i >= 0 {
			out[i][1] = dv
		} else {
			out = append(out, [2]string{dk, dv})
		}
	}
	return out, nil
}

// oauth1Invalid is oauthlib's InvalidRequestError as Keystone answers it.
func oauth1Invalid(desc string) *Error {
	return badRequest("Validation failed with errors: invalid_request, detail message is: %s.", desc)
}

// oauth1WellFormedKey is Keystone's check of keys: 32 lowercase hex digits.
func oauth1WellFormedKey(k string) bool {
	return len(k) == 32 && strings.Trim(k, "0123456789abcdef") == ""
}

// oauth1CheckParams checks the mandatory parameters as oauthlib does: present,
// HMAC-SHA1, version 1.0, a timestamp of 10 digits within 600 s, a
// well-formed consumer key and a nonce of hex digits.
func (st *state) oauth1CheckParams(p oauth1Params) error {
	for _, name := range []string{"oauth_signature", "oauth_consumer_key", "oauth_nonce", "oauth_signature_method", "oauth_timestamp"} {
		if p.get(name) == "" {
			return oauth1Invalid("Missing mandatory OAuth parameters.")
		}
	}
	if m := p.get("oauth_signature_method"); m != "HMAC-SHA1" {
		return oauth1Invalid("Invalid signature, " + m + " not in ['HMAC-SHA1'].")
	}
	if p.has("oauth_version") && p.get("oauth_version") != "1.0" {
		return oauth1Invalid("Invalid OAuth version.")
	}
	ts := p.get("oauth_timestamp")
	if len(ts) != 10 {
		return oauth1Invalid("Invalid timestamp size")
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return oauth1Invalid("Timestamp must be an integer.")
	}
	if d := st.now().Unix() - n; d > oauth1TimestampWindow || d < -oauth1TimestampWindow {
		return oauth1Invalid(fmt.Sprintf("Timestamp given is invalid, differ from allowed by over %d seconds.", oauth1TimestampWindow))
	}
	if !oauth1WellFormedKey(p.get("oauth_consumer_key")) {
		return oauth1Invalid("Invalid client key format.")
	}
	if strings.Trim(p.get("oauth_nonce"), "0123456789abcdef") != "" {
		return oauth1Invalid("Invalid nonce format.")
	}
	return nil
}

// oauth1Escape percent-encodes as RFC 5849 section 3.6 says.
func oauth1Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// oauth1BaseURI is the base string URI of rawURL (RFC 5849 section 3.4.1.2):
// lowercase scheme and host, the default port dropped, no query.
func oauth1BaseURI(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// oauth1Verify checks the HMAC-SHA1 signature of a request to rawURL whose
// OAuth parameters are p, with the key consumerSecret&tokenSecret.
func oauth1Verify(method, rawURL string, p oauth1Params, consumerSecret, tokenSecret string) bool {
	var pairs [][2]string
	for _, kv := range p {
		if kv[0] == "oauth_signature" || kv[0] == "realm" {
			continue
		}
		pairs = append(pairs, [2]string{oauth1Escape(kv[0]), oauth1Escape(kv[1])})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	joined := make([]string, len(pairs))
	for i, kv := range pairs {
		joined[i] = kv[0] + "=" + kv[1]
	}
	base := strings.ToUpper(method) + "&" + oauth1Escape(oauth1BaseURI(rawURL)) + "&" + oauth1Escape(strings.Join(joined, "&"))
	mac := hmac.New(sha1.New, []byte(oauth1Escape(consumerSecret)+"&"+oauth1Escape(tokenSecret)))
	mac.Write([]byte(base))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(p.get("oauth_signature")))
}

// oauth1NewVerifier draws 8 distinct verifier characters (random.sample).
func oauth1NewVerifier() string {
	pool := []byte(oauth1VerifierChars)
	out := make([]byte, 0, 8)
	for range 8 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(pool))))
		i := int(n.Int64())
		out = append(out, pool[i])
		pool = append(pool[:i], pool[i+1:]...)
	}
	return string(out)
}
