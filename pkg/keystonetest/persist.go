package keystonetest

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// stateVersion is the version of the ExportState format. Version 1 had the
// resources up to policies; version 2 adds the other areas. ImportState reads
// both.
const stateVersion = 2

// savedState is the ExportState format. Resources are in the order the
// server keeps them (creation order), maps and role assignments sorted, so
// that the same state exports the same bytes.
type savedState struct {
	Version int `json:"version"`
	// Root is the server's URL when exported: ImportState moves the links
	// and the endpoint URLs under it to the importing server's URL.
	Root         string              `json:"root"`
	Domains      []*v3s.Domain       `json:"domains"`
	Projects     []*v3s.Project      `json:"projects"`
	Users        []savedUser         `json:"users"`
	Groups       []*v3s.Group        `json:"groups"`
	Members      map[string][]string `json:"group_members"` // group ID -> user IDs
	Roles        []*v3s.Role         `json:"roles"`
	ImpliedRoles map[string][]string `json:"implied_roles"` // prior role ID -> implied role IDs
	Grants       []savedGrant        `json:"role_assignments"`
	Regions      []*v3s.Region       `json:"regions"`
	Services     []*v3s.Service      `json:"services"`
	Endpoints    []*v3s.Endpoint     `json:"endpoints"`
	Policies     []*v3s.Policy       `json:"policies"`

	// Version 2.

	AppCreds    []savedAppCred    `json:"application_credentials"`
	AccessRules []savedAccessRule `json:"access_rules"`
	// Credentials keep their blob, the secret of an ec2 credential and the
	// seed of a totp one included: Keystone must read them back too (it
	// encrypts them with its credential keys, which the fake has not).
	Credentials      []*v3s.Credential      `json:"credentials"`
	RegisteredLimits []*v3s.RegisteredLimit `json:"registered_limits"`
	Limits           []savedLimit           `json:"limits"`
	EndpointGroups   []*v3s.EndpointGroup   `json:"endpoint_groups"`
	ProjectEndpoints []savedProjectEndpoint `json:"project_endpoints"`
	GroupProjects    []savedGroupProject    `json:"endpoint_group_projects"`
	PolicyAssocs     []savedPolicyAssoc     `json:"endpoint_policy_associations"`
	// DomainConfigs are domain ID -> group -> option -> value, the sensitive
	// options (the LDAP password) included, as Keystone's sensitive_config
	// table keeps them.
	DomainConfigs map[string]map[string]map[string]any `json:"domain_configs"`
	Trusts        []savedTrust                         `json:"trusts"`
	// The OAuth 1.0a consumers and tokens keep their secrets, as Keystone's
	// consumer, request_token and access_token tables do: HMAC-SHA1
	// signatures are checked with them.
	OAuth1Consumers     []savedConsumer         `json:"oauth1_consumers"`
	OAuth1RequestTokens []savedRequestToken     `json:"oauth1_request_tokens"`
	OAuth1AccessTokens  []savedAccessToken      `json:"oauth1_access_tokens"`
	IdentityProviders   []*v3s.IdentityProvider `json:"identity_providers"`
	Protocols           []savedProtocol         `json:"federation_protocols"`
	Mappings            []*v3s.Mapping          `json:"mappings"`
	ServiceProviders    []*v3s.ServiceProvider  `json:"service_providers"`
	RevocationEvents    []savedRevocation       `json:"revocation_events"`
	// V2GlobalRoles are the v2.0 global role grants (OS-KSADM).
	V2GlobalRoles []savedGlobalRole `json:"v2_global_roles,omitempty"`
}

type savedGlobalRole struct {
	UserID string `json:"user_id"`
	RoleID string `json:"role_id"`
}

type savedUser struct {
	User v3s.User `json:"user"`
	// PasswordHash is "pbkdf2-sha256$ITERATIONS$SALT$KEY" (base64 without
	// padding), empty for a user without a password.
	PasswordHash string `json:"password_hash,omitempty"`
}

type savedGrant struct {
	Actor     string `json:"actor_id"`
	Group     bool   `json:"group,omitempty"`
	Role      string `json:"role_id"`
	Project   string `json:"project_id,omitempty"`
	Domain    string `json:"domain_id,omitempty"`
	System    bool   `json:"system,omitempty"`
	Inherited bool   `json:"inherited,omitempty"`
}

type savedAppCred struct {
	AppCred v3s.ApplicationCredential `json:"application_credential"`
	// SecretHash is the secret's hash, as PasswordHash; never the secret.
	SecretHash string   `json:"secret_hash"`
	RoleIDs    []string `json:"role_ids"`
	Restricted bool     `json:"restricted"`
}

type savedAccessRule struct {
	ID      string `json:"id"`
	UserID  string `json:"user_id"`
	Service string `json:"service"`
	Path    string `json:"path"`
	Method  string `json:"method"`
}

type savedLimit struct {
	ID                string  `json:"id"`
	ProjectID         string  `json:"project_id,omitempty"`
	DomainID          string  `json:"domain_id,omitempty"`
	RegisteredLimitID string  `json:"registered_limit_id"`
	ResourceLimit     int     `json:"resource_limit"`
	Description       *string `json:"description,omitempty"`
}

type savedProjectEndpoint struct {
	ProjectID  string `json:"project_id"`
	EndpointID string `json:"endpoint_id"`
}

type savedGroupProject struct {
	EndpointGroupID string `json:"endpoint_group_id"`
	ProjectID       string `json:"project_id"`
}

type savedPolicyAssoc struct {
	PolicyID   string `json:"policy_id"`
	EndpointID string `json:"endpoint_id,omitempty"`
	ServiceID  string `json:"service_id,omitempty"`
	RegionID   string `json:"region_id,omitempty"`
}

type savedTrust struct {
	Trust   v3s.Trust `json:"trust"`
	RoleIDs []string  `json:"role_ids"`
	// Deleted trusts stay, as Keystone soft-deletes them.
	Deleted bool `json:"deleted,omitempty"`
}

type savedConsumer struct {
	Consumer v3s.OAuth1Consumer `json:"consumer"`
	Secret   string             `json:"secret"`
}

type savedRequestToken struct {
	ID                string    `json:"id"`
	Secret            string    `json:"secret"`
	ConsumerID        string    `json:"consumer_id"`
	ProjectID         string    `json:"project_id"`
	ExpiresAt         time.Time `json:"expires_at,omitzero"` // zero: no expiry
	AuthorizingUserID string    `json:"authorizing_user_id,omitempty"`
	Verifier          string    `json:"verifier,omitempty"`
	RoleIDs           []string  `json:"role_ids"`
}

type savedAccessToken struct {
	ID         string    `json:"id"`
	Secret     string    `json:"secret"`
	ConsumerID string    `json:"consumer_id"`
	ProjectID  string    `json:"project_id"`
	UserID     string    `json:"authorizing_user_id"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"` // zero: no expiry
	RoleIDs    []string  `json:"role_ids"`
}

type savedProtocol struct {
	IdpID             string  `json:"idp_id"`
	ID                string  `json:"id"`
	MappingID         string  `json:"mapping_id"`
	RemoteIDAttribute *string `json:"remote_id_attribute,omitempty"`
}

type savedRevocation struct {
	UserID       string    `json:"user_id,omitempty"`
	ProjectID    string    `json:"project_id,omitempty"`
	AuditID      string    `json:"audit_id,omitempty"`
	RevokedAt    time.Time `json:"revoked_at"`
	IssuedBefore time.Time `json:"issued_before"`
}

// hashedPassword prefixes the stored password of a user imported from a
// state file: what follows is its hash. (No password given to the API
// starts with a NUL byte in practice.)
const hashedPassword = "\x00"

const pbkdf2Iterations = 100_000

func hashPassword(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	if err != nil {
		panic(err) // only for parameters outside FIPS limits
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(pbkdf2Iterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

func checkPasswordHash(hash, given string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, given, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// ExportState returns the server's resources as JSON (version 2), for
// ImportState: domains, projects, users, groups and their members, roles,
// implied roles, role assignments, regions, services, endpoints, policies,
// application credentials and access rules, credentials, registered limits
// and limits, endpoint groups and the project, endpoint group and policy
// associations of endpoints, domain configurations, trusts, OAuth 1.0a
// consumers and request and access tokens, identity providers, their
// protocols, mappings, service providers, and revocation events. It leaves
// out tokens and auth receipts (and so which tokens came from a trust or an
// OAuth 1.0a access token).
//
// Secrets are kept as Keystone keeps them. Passwords and application
// credential secrets, which Keystone hashes, are saved as a salted
// PBKDF2-SHA256 hash, never in clear. What Keystone must read back is saved
// in clear, so the file is to be kept private (keystone-fake writes it with
// mode 0600): the blob of credentials (an ec2 credential's secret, a totp
// credential's seed: Keystone encrypts them with its credential keys, which
// the fake has not), the secrets of OAuth 1.0a consumers and tokens (in clear
// in Keystone's tables, to check signatures), and the sensitive options of
// domain configurations (in clear in Keystone's sensitive_config table).
//
// The same state exports the same bytes.
func (s *Server) ExportState() ([]byte, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLimits()
	out := savedState{
		Version: stateVersion, Root: st.root,
		Domains: st.domains.all(), Projects: st.projects.all(), Groups: st.groups.all(),
		Members: map[string][]string{}, Roles: st.roles.all(), ImpliedRoles: map[string][]string{},
		Regions: st.regions.all(), Services: st.services.all(), Endpoints: st.endpoints.all(),
		Policies: st.policies.all(), Users: []savedUser{}, Grants: []savedGrant{},
		AppCreds: []savedAppCred{}, AccessRules: []savedAccessRule{}, Credentials: st.credentials.all(),
		RegisteredLimits: st.limitArea.registered.all(), Limits: []savedLimit{},
		EndpointGroups: st.epArea.groups.all(), ProjectEndpoints: []savedProjectEndpoint{},
		GroupProjects: []savedGroupProject{}, PolicyAssocs: []savedPolicyAssoc{},
		DomainConfigs: map[string]map[string]map[string]any{}, Trusts: []savedTrust{},
		OAuth1Consumers: []savedConsumer{}, OAuth1RequestTokens: []savedRequestToken{},
		OAuth1AccessTokens: []savedAccessToken{}, IdentityProviders: st.fedArea.idps.all(),
		Protocols: []savedProtocol{}, Mappings: st.fedArea.mappings.all(), ServiceProviders: st.fedArea.sps.all(),
		RevocationEvents: []savedRevocation{},
	}
	// The hashes of the secrets still in use, computed once for each: a new
	// salt at each export would change the bytes.
	hashes := map[[2]string]string{}
	hashOf := func(key, secret string) string {
		if h, ok := strings.CutPrefix(secret, hashedPassword); ok {
			return h // imported: only the hash is known
		}
		if secret == "" {
			return ""
		}
		k := [2]string{key, secret}
		h := st.hashes[k]
		if h == "" {
			h = hashPassword(secret)
		}
		hashes[k] = h
		return h
	}
	for _, u := range st.users.all() {
		out.Users = append(out.Users, savedUser{User: u.User, PasswordHash: hashOf(u.ID, u.password)})
	}
	for _, ac := range st.appcreds.all() {
		sa := savedAppCred{AppCred: ac.ApplicationCredential, RoleIDs: ac.roleIDs, Restricted: ac.restricted,
			SecretHash: hashOf("application_credential:"+ac.ID, ac.secret)}
		sa.AppCred.Secret = nil
		out.AppCreds = append(out.AppCreds, sa)
	}
	st.hashes = hashes // forget the secrets no longer in use
	for g, m := range st.members {
		if len(m) > 0 {
			out.Members[g] = slices.Sorted(maps.Keys(m))
		}
	}
	for r, is := range st.implies {
		if len(is) > 0 {
			out.ImpliedRoles[r] = is
		}
	}
	for g := range st.grants {
		out.Grants = append(out.Grants, savedGrant{Actor: g.actor, Group: g.group, Role: g.role,
			Project: g.project, Domain: g.domain, System: g.system, Inherited: g.inherited})
	}
	slices.SortFunc(out.Grants, func(a, b savedGrant) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	for _, r := range st.rules.all() {
		out.AccessRules = append(out.AccessRules, savedAccessRule{ID: r.id, UserID: r.userID, Service: r.service, Path: r.path, Method: r.method})
	}
	for _, l := range st.limitArea.limits.all() {
		out.Limits = append(out.Limits, savedLimit{ID: l.id, ProjectID: l.projectID, DomainID: l.domainID,
			RegisteredLimitID: l.registeredID, ResourceLimit: l.resourceLimit, Description: l.description})
	}
	ep := &st.epArea
	for _, a := range ep.projectEndpoints {
		out.ProjectEndpoints = append(out.ProjectEndpoints, savedProjectEndpoint{ProjectID: a.project, EndpointID: a.endpoint})
	}
	for _, a := range ep.groupProjects {
		out.GroupProjects = append(out.GroupProjects, savedGroupProject{EndpointGroupID: a.group, ProjectID: a.project})
	}
	for _, a := range ep.policyAssocs {
		out.PolicyAssocs = append(out.PolicyAssocs, savedPolicyAssoc{PolicyID: a.policy, EndpointID: a.endpoint, ServiceID: a.service, RegionID: a.region})
	}
	for d, c := range st.configArea.configs {
		if len(c) > 0 {
			out.DomainConfigs[d] = c
		}
	}
	for _, tr := range st.trustArea.trusts.all() {
		out.Trusts = append(out.Trusts, savedTrust{Trust: tr.Trust, RoleIDs: tr.roleIDs, Deleted: tr.deleted})
	}
	oa := &st.oauthArea
	for _, c := range oa.consumers.all() {
		out.OAuth1Consumers = append(out.OAuth1Consumers, savedConsumer{Consumer: c.OAuth1Consumer, Secret: c.secret})
	}
	for _, r := range oa.requests.all() {
		out.OAuth1RequestTokens = append(out.OAuth1RequestTokens, savedRequestToken{ID: r.id, Secret: r.secret,
			ConsumerID: r.consumerID, ProjectID: r.projectID, ExpiresAt: r.expires.UTC(),
			AuthorizingUserID: r.authorizingUserID, Verifier: r.verifier, RoleIDs: r.roleIDs})
	}
	for _, a := range oa.access.all() {
		out.OAuth1AccessTokens = append(out.OAuth1AccessTokens, savedAccessToken{ID: a.id, Secret: a.secret,
			ConsumerID: a.consumerID, ProjectID: a.projectID, UserID: a.userID, ExpiresAt: a.expires.UTC(), RoleIDs: a.roleIDs})
	}
	for _, p := range st.fedArea.protocols {
		out.Protocols = append(out.Protocols, savedProtocol{IdpID: p.idp, ID: p.id, MappingID: p.mapping, RemoteIDAttribute: p.remoteIDAttribute})
	}
	for _, e := range st.configArea.events {
		out.RevocationEvents = append(out.RevocationEvents, savedRevocation{UserID: e.userID, ProjectID: e.projectID,
			AuditID: e.auditID, RevokedAt: e.revokedAt.UTC(), IssuedBefore: e.issuedBefore.UTC()})
	}
	for g := range st.v2GlobalRoles {
		out.V2GlobalRoles = append(out.V2GlobalRoles, savedGlobalRole{UserID: g.user, RoleID: g.role})
	}
	slices.SortFunc(out.V2GlobalRoles, func(a, b savedGlobalRole) int {
		return strings.Compare(a.UserID+"/"+a.RoleID, b.UserID+"/"+b.RoleID)
	})
	return json.MarshalIndent(out, "", "  ")
}

// ImportState replaces the server's resources by those of data, from
// ExportState (see there for what it holds; a version 1 state, without the
// areas version 2 added, leaves them empty). It drops every token and auth
// receipt of the server. Links and endpoint URLs (and service provider URLs)
// under the exporting server's URL are moved under this one's. The
// administrator's IDs are those of the users and projects named
// Server.AdminUser and Server.AdminProject in the default domain, if any;
// Server.AdminPassword is emptied (the state has only its hash: see
// SetPassword). With the strict_two_level limit model (WithLimitModel), a
// state with a project under a project is refused, as Keystone refuses to
// start with one.
func (s *Server) ImportState(data []byte) error {
	var in savedState
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("keystonetest: state: %w", err)
	}
	if in.Version != 1 && in.Version != stateVersion {
		return fmt.Errorf("keystonetest: state: version %d, want 1 or %d", in.Version, stateVersion)
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if ids := st.limitArea.tooDeepProjects(in.Projects); len(ids) > 0 {
		return fmt.Errorf("keystonetest: state: %w", limitTreeExceeded(ids, st.limitArea.modelDepth()))
	}
	move := func(u string) string {
		if in.Root != "" && in.Root != st.root {
			if rest, ok := strings.CutPrefix(u, in.Root); ok && (rest == "" || rest[0] == '/') {
				return st.root + rest
			}
		}
		return u
	}
	st.domains, st.projects, st.users, st.groups = table[v3s.Domain]{}, table[v3s.Project]{}, table[userRec]{}, table[v3s.Group]{}
	st.roles, st.regions, st.services, st.endpoints = table[v3s.Role]{}, table[v3s.Region]{}, table[v3s.Service]{}, table[v3s.Endpoint]{}
	st.policies, st.appcreds, st.rules, st.credentials = table[v3s.Policy]{}, table[appCred]{}, table[accessRule]{}, table[v3s.Credential]{}
	st.members, st.implies, st.grants = map[string]map[string]bool{}, map[string][]string{}, map[grant]bool{}
	st.tokens, st.receipts = map[string]*token{}, map[string]*receipt{}
	st.v2GlobalRoles = nil
	// The areas: their configuration (the limit model, the request token
	// duration) and what the federation area may keep besides its
	// resources stay.
	st.limitArea.registered, st.limitArea.limits = table[v3s.RegisteredLimit]{}, table[limitRec]{}
	st.epArea = epFilterState{}
	st.configArea = domainConfigState{}
	st.trustArea = trustState{}
	st.oauthArea.consumers, st.oauthArea.requests, st.oauthArea.access = table[oauth1Consumer]{}, table[oauth1RequestToken]{}, table[oauth1AccessToken]{}
	st.oauthArea.tokens = nil
	st.fedArea.idps, st.fedArea.protocols = table[v3s.IdentityProvider]{}, nil
	st.fedArea.mappings, st.fedArea.sps = table[v3s.Mapping]{}, table[v3s.ServiceProvider]{}
	for _, d := range in.Domains {
		d.Links.Self = move(d.Links.Self)
		st.domains.put(d.ID, d)
	}
	for _, p := range in.Projects {
		p.Links.Self = move(p.Links.Self)
		st.projects.put(p.ID, p)
	}
	for _, u := range in.Users {
		u.User.Links.Self = move(u.User.Links.Self)
		rec := &userRec{User: u.User}
		if u.PasswordHash != "" {
			rec.password = hashedPassword + u.PasswordHash
		}
		st.users.put(u.User.ID, rec)
	}
	for _, g := range in.Groups {
		g.Links.Self = move(g.Links.Self)
		st.groups.put(g.ID, g)
	}
	for g, us := range in.Members {
		st.members[g] = map[string]bool{}
		for _, u := range us {
			st.members[g][u] = true
		}
	}
	for _, r := range in.Roles {
		r.Links.Self = move(r.Links.Self)
		st.roles.put(r.ID, r)
	}
	maps.Copy(st.implies, in.ImpliedRoles)
	for _, g := range in.Grants {
		st.grants[grant{actor: g.Actor, group: g.Group, role: g.Role, project: g.Project,
			domain: g.Domain, system: g.System, inherited: g.Inherited}] = true
	}
	for _, r := range in.Regions {
		r.Links.Self = move(r.Links.Self)
		st.regions.put(r.ID, r)
	}
	for _, v := range in.Services {
		v.Links.Self = move(v.Links.Self)
		st.services.put(v.ID, v)
	}
	for _, e := range in.Endpoints {
		e.Links.Self, e.URL = move(e.Links.Self), move(e.URL)
		st.endpoints.put(e.ID, e)
	}
	for _, p := range in.Policies {
		p.Links.Self = move(p.Links.Self)
		st.policies.put(p.ID, p)
	}
	st.importAreas(&in, move)
	s.AdminUserID, s.AdminProjectID, s.AdminPassword = "", "", ""
	if u := st.findUser(nil, &s.AdminUser, &v3s.DomainRef{ID: &s.DomainID}); u != nil {
		s.AdminUserID = u.ID
	}
	for _, p := range st.projects.all() {
		if d, _ := value(p.DomainID); d == s.DomainID && p.Name == s.AdminProject {
			s.AdminProjectID = p.ID
		}
	}
	return nil
}

// importAreas loads the resources of version 2 into the emptied areas, links
// moved by move. Called with st.mu held.
func (st *state) importAreas(in *savedState, move func(string) string) {
	for _, a := range in.AppCreds {
		ac := a.AppCred
		ac.Links.Self, ac.Secret = move(ac.Links.Self), nil
		rec := &appCred{ApplicationCredential: ac, roleIDs: a.RoleIDs, restricted: a.Restricted}
		if a.SecretHash != "" {
			rec.secret = hashedPassword + a.SecretHash
		}
		st.appcreds.put(ac.ID, rec)
	}
	for _, r := range in.AccessRules {
		st.rules.put(r.ID, &accessRule{id: r.ID, userID: r.UserID, service: r.Service, path: r.Path, method: r.Method})
	}
	for _, c := range in.Credentials {
		c.Links.Self = move(c.Links.Self)
		st.credentials.put(c.ID, c)
	}
	for _, rl := range in.RegisteredLimits {
		rl.Links.Self = move(rl.Links.Self)
		st.limitArea.registered.put(rl.ID, rl)
	}
	for _, l := range in.Limits {
		st.limitArea.limits.put(l.ID, &limitRec{id: l.ID, projectID: l.ProjectID, domainID: l.DomainID,
			registeredID: l.RegisteredLimitID, resourceLimit: l.ResourceLimit, description: l.Description})
	}
	ep := &st.epArea
	for _, g := range in.EndpointGroups {
		g.Links.Self = move(g.Links.Self)
		ep.groups.put(g.ID, g)
	}
	for _, a := range in.ProjectEndpoints {
		ep.projectEndpoints = append(ep.projectEndpoints, projectEndpoint{project: a.ProjectID, endpoint: a.EndpointID})
	}
	for _, a := range in.GroupProjects {
		ep.groupProjects = append(ep.groupProjects, groupProject{group: a.EndpointGroupID, project: a.ProjectID})
	}
	for _, a := range in.PolicyAssocs {
		ep.policyAssocs = append(ep.policyAssocs, policyAssoc{policy: a.PolicyID, endpoint: a.EndpointID, service: a.ServiceID, region: a.RegionID})
	}
	if len(in.DomainConfigs) > 0 {
		st.configArea.configs = in.DomainConfigs
	}
	for _, g := range in.V2GlobalRoles {
		if st.v2GlobalRoles == nil {
			st.v2GlobalRoles = map[globalRole]bool{}
		}
		st.v2GlobalRoles[globalRole{user: g.UserID, role: g.RoleID}] = true
	}
	for _, e := range in.RevocationEvents {
		st.configArea.events = append(st.configArea.events, revocationEvent{userID: e.UserID, projectID: e.ProjectID,
			auditID: e.AuditID, revokedAt: e.RevokedAt, issuedBefore: e.IssuedBefore})
	}
	for _, t := range in.Trusts {
		tr := t.Trust
		tr.Links.Self = move(tr.Links.Self)
		st.trustArea.trusts.put(tr.ID, &trustRec{Trust: tr, roleIDs: t.RoleIDs, deleted: t.Deleted})
	}
	oa := &st.oauthArea
	for _, c := range in.OAuth1Consumers {
		c.Consumer.Links.Self = move(c.Consumer.Links.Self)
		oa.consumers.put(c.Consumer.ID, &oauth1Consumer{OAuth1Consumer: c.Consumer, secret: c.Secret})
	}
	for _, r := range in.OAuth1RequestTokens {
		oa.requests.put(r.ID, &oauth1RequestToken{id: r.ID, secret: r.Secret, consumerID: r.ConsumerID, projectID: r.ProjectID,
			expires: r.ExpiresAt, authorizingUserID: r.AuthorizingUserID, verifier: r.Verifier, roleIDs: r.RoleIDs})
	}
	for _, a := range in.OAuth1AccessTokens {
		oa.access.put(a.ID, &oauth1AccessToken{id: a.ID, secret: a.Secret, consumerID: a.ConsumerID, projectID: a.ProjectID,
			userID: a.UserID, expires: a.ExpiresAt, roleIDs: a.RoleIDs})
	}
	f := &st.fedArea
	for _, idp := range in.IdentityProviders {
		idp.Links.Self, idp.Links.Protocols = move(idp.Links.Self), move(idp.Links.Protocols)
		f.idps.put(idp.ID, idp)
	}
	for _, p := range in.Protocols {
		f.protocols = append(f.protocols, fedProtocol{idp: p.IdpID, id: p.ID, mapping: p.MappingID, remoteIDAttribute: p.RemoteIDAttribute})
	}
	for _, m := range in.Mappings {
		m.Links.Self = move(m.Links.Self)
		f.mappings.put(m.ID, m)
	}
	for _, sp := range in.ServiceProviders {
		sp.Links.Self, sp.AuthURL, sp.SpURL = move(sp.Links.Self), move(sp.AuthURL), move(sp.SpURL)
		f.sps.put(sp.ID, sp)
	}
}

// SetPassword sets the password of the user with ID userID and revokes its
// tokens, as `openstack user set --password` does. Setting the
// administrator's sets Server.AdminPassword too.
func (s *Server) SetPassword(userID, password string) error {
	st := s.state
	st.mu.Lock()
	u := st.users.get(userID)
	if u == nil {
		st.mu.Unlock()
		return notFound("user", userID)
	}
	u.password = password
	st.revokeWhere(func(t *token) bool { return t.userID == userID })
	st.mu.Unlock()
	if userID == s.AdminUserID {
		s.AdminPassword = password
	}
	return nil
}
