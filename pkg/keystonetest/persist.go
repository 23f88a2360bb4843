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

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// stateVersion is the version of the ExportState format.
const stateVersion = 1

// savedState is the ExportState format.
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

// ExportState returns the server's resources as JSON, for ImportState:
// domains, projects, users (with a salted PBKDF2-SHA256 hash of their
// password, never the password), groups and their members, roles, implied
// roles, role assignments, regions, services, endpoints and policies. It
// leaves out tokens, auth receipts, application credentials, access rules,
// credentials (EC2, TOTP: the fake keeps their secrets in clear), and the
// areas of files of their own (limits, endpoint filters, domain
// configurations, revocation events). The same state exports the same bytes.
func (s *Server) ExportState() ([]byte, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := savedState{
		Version: stateVersion, Root: st.root,
		Domains: st.domains.all(), Projects: st.projects.all(), Groups: st.groups.all(),
		Members: map[string][]string{}, Roles: st.roles.all(), ImpliedRoles: map[string][]string{},
		Regions: st.regions.all(), Services: st.services.all(), Endpoints: st.endpoints.all(),
		Policies: st.policies.all(), Users: []savedUser{}, Grants: []savedGrant{},
	}
	if st.hashes == nil {
		st.hashes = map[[2]string]string{}
	}
	hashes := map[[2]string]string{}
	for _, u := range st.users.all() {
		su := savedUser{User: u.User}
		switch h, ok := strings.CutPrefix(u.password, hashedPassword); {
		case ok:
			su.PasswordHash = h
		case u.password != "":
			k := [2]string{u.ID, u.password}
			h := st.hashes[k]
			if h == "" {
				h = hashPassword(u.password)
			}
			hashes[k] = h
			su.PasswordHash = h
		}
		out.Users = append(out.Users, su)
	}
	st.hashes = hashes // forget the passwords no longer in use
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
	return json.MarshalIndent(out, "", "  ")
}

// ImportState replaces the server's resources by those of data, from
// ExportState (see there for what it holds). It drops every token, auth
// receipt, application credential, access rule and credential of the server.
// Links and endpoint URLs under the exporting server's URL are moved under
// this one's. The administrator's IDs are those of the users and projects
// named Server.AdminUser and Server.AdminProject in the default domain, if
// any; Server.AdminPassword is emptied (the state has only its hash: see
// SetPassword).
func (s *Server) ImportState(data []byte) error {
	var in savedState
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("keystonetest: state: %w", err)
	}
	if in.Version != stateVersion {
		return fmt.Errorf("keystonetest: state: version %d, want %d", in.Version, stateVersion)
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
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
