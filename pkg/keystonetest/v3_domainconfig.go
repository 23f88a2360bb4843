package keystonetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// domainConfigState holds domain-specific configurations and revocation
// events.
type domainConfigState struct {
	// configs are the domains' configurations: domain ID -> group -> option ->
	// value (any JSON value, as Keystone stores it), sensitive options included.
	configs map[string]map[string]map[string]any
	// events are the revocation events, oldest first (v3_revoke.go).
	events []revocationEvent
}

// The options a domain may set (Keystone 22's DomainConfigManager):
// whitelisted ones are returned, sensitive ones never.
var (
	configWhitelisted = map[string][]string{
		"identity": {"driver", "list_limit"},
		"ldap": {
			"url", "user", "suffix", "query_scope", "page_size",
			"alias_dereferencing", "debug_level", "chase_referrals",
			"user_tree_dn", "user_filter", "user_objectclass",
			"user_id_attribute", "user_name_attribute", "user_mail_attribute",
			"user_description_attribute", "user_pass_attribute",
			"user_enabled_attribute", "user_enabled_invert",
			"user_enabled_mask", "user_enabled_default",
			"user_attribute_ignore", "user_default_project_id_attribute",
			"user_enabled_emulation", "user_enabled_emulation_dn",
			"user_enabled_emulation_use_group_config",
			"user_additional_attribute_mapping", "group_tree_dn",
			"group_filter", "group_objectclass", "group_id_attribute",
			"group_name_attribute", "group_members_are_ids",
			"group_member_attribute", "group_desc_attribute",
			"group_attribute_ignore", "group_additional_attribute_mapping",
			"tls_cacertfile", "tls_cacertdir", "use_tls", "tls_req_cert",
			"use_pool", "pool_size", "pool_retry_max", "pool_retry_delay",
			"pool_connection_timeout", "pool_connection_lifetime",
			"use_auth_pool", "auth_pool_size", "auth_pool_connection_lifetime",
		},
	}
	configSensitive = map[string][]string{"identity": {}, "ldap": {"password"}}
)

// configDefaults are the values of Keystone 22's own configuration (its
// defaults, with `[identity] driver = sql`) for the options a domain may set.
var configDefaults = func() map[string]map[string]any {
	const defaults = `{"identity": {"driver": "sql", "list_limit": null}, "ldap": {"url": "ldap://localhost", "user": null,
	"suffix": "cn=example,cn=com", "query_scope": "one", "page_size": 0, "alias_dereferencing": "default",
	"debug_level": null, "chase_referrals": null, "user_tree_dn": null, "user_filter": null,
	"user_objectclass": "inetOrgPerson", "user_id_attribute": "cn", "user_name_attribute": "sn",
	"user_mail_attribute": "mail", "user_description_attribute": "description", "user_pass_attribute": "userPassword",
	"user_enabled_attribute": "enabled", "user_enabled_invert": false, "user_enabled_mask": 0,
	"user_enabled_default": "True", "user_attribute_ignore": ["default_project_id"],
	"user_default_project_id_attribute": null, "user_enabled_emulation": false, "user_enabled_emulation_dn": null,
	"user_enabled_emulation_use_group_config": false, "user_additional_attribute_mapping": [], "group_tree_dn": null,
	"group_filter": null, "group_objectclass": "groupOfNames", "group_id_attribute": "cn", "group_name_attribute": "ou",
	"group_members_are_ids": false, "group_member_attribute": "member", "group_desc_attribute": "description",
	"group_attribute_ignore": [], "group_additional_attribute_mapping": [], "tls_cacertfile": null,
	"tls_cacertdir": null, "use_tls": false, "tls_req_cert": "demand", "use_pool": true, "pool_size": 10,
	"pool_retry_max": 3, "pool_retry_delay": 0.1, "pool_connection_timeout": -1, "pool_connection_lifetime": 600,
	"use_auth_pool": true, "auth_pool_size": 100, "auth_pool_connection_lifetime": 60}}`
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(defaults), &m); err != nil {
		panic(err)
	}
	return m
}()

// securityCompliance is Keystone's readable [security_compliance] (its
// defaults: no password regex).
var securityCompliance = map[string]any{"password_regex": nil, "password_regex_description": nil}

func init() {
	// Keystone checks no schema on these bodies: it reads "config" and answers
	// 403 for what it cannot store, a body without "config" included.
	for _, op := range []string{"createDomainConfig", "updateDomainConfig", "updateDomainConfigGroup", "updateDomainConfigOption"} {
		unvalidatedBodies[op] = true
	}
}

// rawBodyKey holds, in the context of a request that writes a domain
// configuration, its raw body: the typed one loses the groups and options
// the spec does not declare, which Keystone refuses.
type rawBodyKey struct{}

// keepConfigBody keeps the raw body of a domain configuration write in r's
// context (called from requestID in server.go).
func keepConfigBody(r *http.Request) *http.Request {
	if (r.Method != http.MethodPut && r.Method != http.MethodPatch) || !strings.HasPrefix(r.URL.Path, "/v3/domains/") ||
		!strings.Contains(r.URL.Path, "/config") || r.Body == nil {
		return r
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return r
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r.WithContext(context.WithValue(r.Context(), rawBodyKey{}, body))
}

// requestConfig returns the "config" member of the request's body, raw when
// it was kept, else as decoded.
func requestConfig(ctx context.Context, typed any) any {
	if raw, ok := ctx.Value(rawBodyKey{}).([]byte); ok {
		var b map[string]any
		if json.Unmarshal(raw, &b) == nil {
			if c, ok := b["config"]; ok {
				return c
			}
			return map[string]any{}
		}
	}
	raw, _ := json.Marshal(typed)
	var c any
	_ = json.Unmarshal(raw, &c)
	return c
}

func invalidConfig(format string, args ...any) *Error {
	return errorf(http.StatusForbidden, "Invalid domain specific configuration: %s.", fmt.Sprintf(format, args...))
}

func configNotFound(domainID, what string) *Error {
	return errorf(http.StatusNotFound, "Could not find %s in domain configuration for domain %s.", what, domainID)
}

func configWhat(group, option string) string {
	switch {
	case option != "":
		return fmt.Sprintf("option %s in group %s", option, group)
	case group != "":
		return "group " + group
	}
	return "any options"
}

// checkGroupOption is Keystone's _assert_valid_group_and_option.
func checkGroupOption(group, option string) error {
	if group == "" {
		return nil
	}
	if _, ok := configWhitelisted[group]; !ok {
		return invalidConfig("Group %s is not supported for domain specific configurations", group)
	}
	if option != "" && !slices.Contains(configWhitelisted[group], option) && !slices.Contains(configSensitive[group], option) {
		return invalidConfig("Option %s in group %s is not supported for domain specific configurations", option, group)
	}
	return nil
}

// checkConfig is Keystone's _assert_valid_config.
func checkConfig(config any) (map[string]map[string]any, error) {
	c, _ := config.(map[string]any)
	if len(c) == 0 {
		return nil, invalidConfig("No options specified")
	}
	out := map[string]map[string]any{}
	for _, group := range sortedKeys(c) {
		g, ok := c[group].(map[string]any)
		if !ok || len(g) == 0 {
			return nil, invalidConfig("The value of group %s specified in the config should be a dictionary of options", group)
		}
		for option := range g {
			if err := checkGroupOption(group, option); err != nil {
				return nil, err
			}
		}
		out[group] = g
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// canReadConfig reports whether the caller may read domain configurations:
// an administrator or a system reader.
func (st *state) canReadConfig(ctx context.Context) bool {
	c := callerFrom(ctx)
	if c == nil {
		return false
	}
	if c.admin || c.policyChecked {
		return true
	}
	if !c.tok.scope.system {
		return false
	}
	for _, r := range st.tokenRoles(c.tok) {
		if st.roles.get(r).Name == "reader" {
			return true
		}
	}
	return false
}

// configOf returns the stored configuration of a domain, filtered by group and
// option; sensitive options are left out unless withSensitive.
func (st *state) configOf(domainID, group, option string, withSensitive bool) map[string]map[string]any {
	out := map[string]map[string]any{}
	for g, opts := range st.configArea.configs[domainID] {
		if group != "" && g != group {
			continue
		}
		for o, v := range opts {
			if option != "" && o != option || !withSensitive && slices.Contains(configSensitive[g], o) {
				continue
			}
			if out[g] == nil {
				out[g] = map[string]any{}
			}
			out[g][o] = v
		}
	}
	return out
}

// getConfig is Keystone's DomainConfigManager.get_config: the response body's
// "config".
func (st *state) getConfig(domainID, group, option string) (map[string]any, error) {
	if err := checkGroupOption(group, option); err != nil {
		return nil, err
	}
	c := st.configOf(domainID, group, option, false)
	if len(c) == 0 {
		return nil, configNotFound(domainID, configWhat(group, option))
	}
	if option != "" {
		return map[string]any{option: c[group][option]}, nil
	}
	out := map[string]any{}
	for g, opts := range c {
		out[g] = opts
	}
	return out, nil
}

// readConfig serves the GETs of a domain's configuration as Keystone's
// DomainConfigBase.get: the policy first, then the configuration, then the
// domain's existence.
func (s *v3) readConfig(ctx context.Context, domainID, group, option string) (configJSON, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	var config map[string]any
	if group == "security_compliance" {
		if domainID != "default" {
			return configJSON{}, invalidConfig("Reading security compliance information for any domain other than the default domain is not allowed or supported.") // sic: Keystone ends it with ".."
		}
		if option != "" {
			if _, ok := securityCompliance[option]; !ok {
				return configJSON{}, invalidConfig("Reading security compliance values other than password_regex and password_regex_description is not allowed")
			}
			config = map[string]any{option: securityCompliance[option]}
		} else {
			config = map[string]any{group: securityCompliance}
		}
	} else {
		if !st.canReadConfig(ctx) {
			return configJSON{}, forbidden()
		}
		var err error
		if config, err = st.getConfig(domainID, group, option); err != nil {
			return configJSON{}, err
		}
	}
	if st.domains.get(domainID) == nil {
		return configJSON{}, notFound("domain", domainID)
	}
	return configJSON{200, map[string]any{"config": config}}, nil
}

// GetDomainConfig shows a domain's configuration.
func (s *v3) GetDomainConfig(ctx context.Context, req v3s.GetDomainConfigRequestObject) (v3s.GetDomainConfigResponseObject, error) {
	return s.readConfig(ctx, req.DomainID, "", "")
}

// GetDomainConfigGroup shows a group of a domain's configuration.
func (s *v3) GetDomainConfigGroup(ctx context.Context, req v3s.GetDomainConfigGroupRequestObject) (v3s.GetDomainConfigGroupResponseObject, error) {
	return s.readConfig(ctx, req.DomainID, req.Group, "")
}

// GetDomainConfigOption shows an option of a domain's configuration.
func (s *v3) GetDomainConfigOption(ctx context.Context, req v3s.GetDomainConfigOptionRequestObject) (v3s.GetDomainConfigOptionResponseObject, error) {
	return s.readConfig(ctx, req.DomainID, req.Group, req.Option)
}

// CreateDomainConfig creates or replaces a domain's configuration.
func (s *v3) CreateDomainConfig(ctx context.Context, req v3s.CreateDomainConfigRequestObject) (v3s.CreateDomainConfigResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.domains.get(req.DomainID) == nil {
		return nil, notFound("domain", req.DomainID)
	}
	var typed any
	if req.Body != nil {
		typed = req.Body.Config
	}
	config, err := checkConfig(requestConfig(ctx, typed))
	if err != nil {
		return nil, err
	}
	status := http.StatusCreated
	if len(st.configArea.configs[req.DomainID]) > 0 {
		status = http.StatusOK
	}
	if st.configArea.configs == nil {
		st.configArea.configs = map[string]map[string]map[string]any{}
	}
	st.configArea.configs[req.DomainID] = config
	out := map[string]any{}
	for g, opts := range st.configOf(req.DomainID, "", "", false) {
		out[g] = opts
	}
	return configJSON{status, map[string]any{"config": out}}, nil
}

// updateConfig is Keystone's DomainConfigManager.update_config.
func (s *v3) updateConfig(ctx context.Context, domainID, group, option string, typed any) (configJSON, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.domains.get(domainID) == nil {
		return configJSON{}, notFound("domain", domainID)
	}
	body := requestConfig(ctx, typed)
	if group != "" && option != "" {
		body = map[string]any{group: body}
	}
	config, err := checkConfig(body)
	if err != nil {
		return configJSON{}, err
	}
	if err := checkGroupOption(group, option); err != nil {
		return configJSON{}, err
	}
	if group != "" {
		if len(config) != 1 || option != "" && len(config[group]) != 1 {
			if option != "" {
				return configJSON{}, invalidConfig("Trying to update option %s in group %s, so that, and only that, option must be specified  in the config", option, group)
			}
			return configJSON{}, invalidConfig("Trying to update group %s, so that, and only that, group must be specified in the config", group)
		}
		if config[group] == nil {
			return configJSON{}, invalidConfig("request to update group %s, but config provided contains group %s instead", group, sortedKeys(config)[0])
		}
		if _, ok := config[group][option]; option != "" && !ok {
			return configJSON{}, invalidConfig("Trying to update option %s in group %s, but config provided contains option %s instead", option, group, sortedKeys(config[group])[0])
		}
		if len(st.configOf(domainID, group, option, true)) == 0 {
			return configJSON{}, configNotFound(domainID, configWhat(group, option))
		}
	}
	if st.configArea.configs == nil {
		st.configArea.configs = map[string]map[string]map[string]any{}
	}
	stored := st.configArea.configs[domainID]
	if stored == nil {
		stored = map[string]map[string]any{}
		st.configArea.configs[domainID] = stored
	}
	for g, opts := range config {
		if stored[g] == nil {
			stored[g] = map[string]any{}
		}
		for o, v := range opts {
			stored[g][o] = v
		}
	}
	out, err := st.getConfig(domainID, "", "")
	if err != nil {
		return configJSON{}, err
	}
	return configJSON{200, map[string]any{"config": out}}, nil
}

// UpdateDomainConfig merges options into a domain's configuration.
func (s *v3) UpdateDomainConfig(ctx context.Context, req v3s.UpdateDomainConfigRequestObject) (v3s.UpdateDomainConfigResponseObject, error) {
	var typed any
	if req.Body != nil {
		typed = req.Body.Config
	}
	return s.updateConfig(ctx, req.DomainID, "", "", typed)
}

// UpdateDomainConfigGroup merges options into a group of a domain's
// configuration.
func (s *v3) UpdateDomainConfigGroup(ctx context.Context, req v3s.UpdateDomainConfigGroupRequestObject) (v3s.UpdateDomainConfigGroupResponseObject, error) {
	var typed any
	if req.Body != nil {
		typed = req.Body.Config
	}
	return s.updateConfig(ctx, req.DomainID, req.Group, "", typed)
}

// UpdateDomainConfigOption updates an option of a domain's configuration.
func (s *v3) UpdateDomainConfigOption(ctx context.Context, req v3s.UpdateDomainConfigOptionRequestObject) (v3s.UpdateDomainConfigOptionResponseObject, error) {
	var typed any
	if req.Body != nil {
		typed = req.Body.Config
	}
	return s.updateConfig(ctx, req.DomainID, req.Group, req.Option, typed)
}

// deleteConfig is Keystone's DomainConfigManager.delete_config.
func (s *v3) deleteConfig(domainID, group, option string) error {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.domains.get(domainID) == nil {
		return notFound("domain", domainID)
	}
	if err := checkGroupOption(group, option); err != nil {
		return err
	}
	stored := st.configArea.configs[domainID]
	if group == "" {
		delete(st.configArea.configs, domainID)
		return nil
	}
	if len(stored[group]) == 0 {
		return configNotFound(domainID, configWhat(group, ""))
	}
	if option == "" {
		delete(stored, group)
		return nil
	}
	if !truthy(stored[group][option]) {
		// Keystone checks the option's value, not its presence.
		return configNotFound(domainID, configWhat(group, option))
	}
	delete(stored[group], option)
	if len(stored[group]) == 0 {
		delete(stored, group)
	}
	return nil
}

// truthy is Python's truth of a JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// DeleteDomainConfig deletes a domain's configuration.
func (s *v3) DeleteDomainConfig(_ context.Context, req v3s.DeleteDomainConfigRequestObject) (v3s.DeleteDomainConfigResponseObject, error) {
	if err := s.deleteConfig(req.DomainID, "", ""); err != nil {
		return nil, err
	}
	return v3s.DeleteDomainConfig204Response{}, nil
}

// DeleteDomainConfigGroup deletes a group of a domain's configuration.
func (s *v3) DeleteDomainConfigGroup(_ context.Context, req v3s.DeleteDomainConfigGroupRequestObject) (v3s.DeleteDomainConfigGroupResponseObject, error) {
	if err := s.deleteConfig(req.DomainID, req.Group, ""); err != nil {
		return nil, err
	}
	return v3s.DeleteDomainConfigGroup204Response{}, nil
}

// DeleteDomainConfigOption deletes an option of a domain's configuration.
func (s *v3) DeleteDomainConfigOption(_ context.Context, req v3s.DeleteDomainConfigOptionRequestObject) (v3s.DeleteDomainConfigOptionResponseObject, error) {
	if err := s.deleteConfig(req.DomainID, req.Group, req.Option); err != nil {
		return nil, err
	}
	return v3s.DeleteDomainConfigOption204Response{}, nil
}

// defaultConfig is Keystone's DomainConfigManager.get_config_default.
func defaultConfig(ctx context.Context, st *state, group, option string) (configJSON, error) {
	st.mu.Lock()
	ok := st.canReadConfig(ctx)
	st.mu.Unlock()
	if !ok {
		return configJSON{}, forbidden()
	}
	if err := checkGroupOption(group, option); err != nil {
		return configJSON{}, err
	}
	config := map[string]any{}
	switch {
	case option != "":
		if !slices.Contains(configWhitelisted[group], option) {
			return configJSON{}, invalidConfig("Reading the default for option %s in group %s is not supported", option, group)
		}
		config[option] = configDefaults[group][option]
	case group != "":
		config[group] = configDefaults[group]
	default:
		for g, opts := range configDefaults {
			config[g] = opts
		}
	}
	return configJSON{200, map[string]any{"config": config}}, nil
}

// GetDefaultDomainConfig shows the defaults of the options a domain may set.
func (s *v3) GetDefaultDomainConfig(ctx context.Context, _ v3s.GetDefaultDomainConfigRequestObject) (v3s.GetDefaultDomainConfigResponseObject, error) {
	return defaultConfig(ctx, s.state, "", "")
}

// GetDefaultDomainConfigGroup shows the defaults of a group.
func (s *v3) GetDefaultDomainConfigGroup(ctx context.Context, req v3s.GetDefaultDomainConfigGroupRequestObject) (v3s.GetDefaultDomainConfigGroupResponseObject, error) {
	return defaultConfig(ctx, s.state, req.Group, "")
}

// GetDefaultDomainConfigOption shows the default of an option.
func (s *v3) GetDefaultDomainConfigOption(ctx context.Context, req v3s.GetDefaultDomainConfigOptionRequestObject) (v3s.GetDefaultDomainConfigOptionResponseObject, error) {
	return defaultConfig(ctx, s.state, req.Group, req.Option)
}

// domainDeleted drops a deleted domain's configuration and records the
// revocation event Keystone records for it (called from DeleteDomain).
func (st *state) domainDeleted(domainID string) {
	delete(st.configArea.configs, domainID)
	st.recordRevocation(revocationEvent{projectID: domainID})
}

// configJSON writes a configuration body as Keystone does, with the option
// values as stored (any JSON value).
type configJSON struct {
	status int
	body   any
}

func (c configJSON) write(w http.ResponseWriter) error {
	b, err := json.Marshal(c.body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(c.status)
	_, err = w.Write(b)
	return err
}

func (c configJSON) VisitGetDefaultDomainConfigResponse(w http.ResponseWriter) error {
	return c.write(w)
}
func (c configJSON) VisitGetDefaultDomainConfigGroupResponse(w http.ResponseWriter) error {
	return c.write(w)
}
func (c configJSON) VisitGetDefaultDomainConfigOptionResponse(w http.ResponseWriter) error {
	return c.write(w)
}
func (c configJSON) VisitGetDomainConfigResponse(w http.ResponseWriter) error      { return c.write(w) }
func (c configJSON) VisitGetDomainConfigGroupResponse(w http.ResponseWriter) error { return c.write(w) }
func (c configJSON) VisitGetDomainConfigOptionResponse(w http.ResponseWriter) error {
	return c.write(w)
}
func (c configJSON) VisitCreateDomainConfigResponse(w http.ResponseWriter) error { return c.write(w) }
func (c configJSON) VisitUpdateDomainConfigResponse(w http.ResponseWriter) error { return c.write(w) }
func (c configJSON) VisitUpdateDomainConfigGroupResponse(w http.ResponseWriter) error {
	return c.write(w)
}
func (c configJSON) VisitUpdateDomainConfigOptionResponse(w http.ResponseWriter) error {
	return c.write(w)
}
