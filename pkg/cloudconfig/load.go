package cloudconfig

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Values are settings given explicitly, typically from command-line flags.
// They win over the environment, which wins over the files. Empty fields are
// unset.
type Values struct {
	// Cloud selects a cloud of clouds.yaml (like --os-cloud); it wins over
	// OS_CLOUD.
	Cloud string
	// AuthType is the auth plugin (like --os-auth-type).
	AuthType string
	// Auth holds auth options by their keystoneauth1 names (auth_url,
	// username, password, project_name, …), like --os-<option> flags.
	Auth map[string]string
	// RegionName, Interface and IdentityAPIVersion are like --os-region-name,
	// --os-interface and --os-identity-api-version.
	RegionName, Interface, IdentityAPIVersion string
	// CACert, Cert and Key are TLS files (--os-cacert, --os-cert, --os-key).
	CACert, Cert, Key string
	// Insecure, when set, turns certificate verification off (true, like
	// --insecure) or on (false, like --verify).
	Insecure *bool
	// DefaultDomain is like --os-default-domain (OS_DEFAULT_DOMAIN, else
	// "default").
	DefaultDomain string
}

// Options tell Load where to look. The zero Options read the process's
// environment and the standard locations.
type Options struct {
	// Values are the explicit settings, over the environment and the files.
	Values Values
	// Environ is the environment as KEY=value strings; nil means os.Environ().
	Environ []string
	// Dir is the current directory searched first; "" means os.Getwd().
	Dir string
	// ConfigFiles, SecureFiles and VendorFiles, when not nil, replace the
	// searched clouds.yaml, secure.yaml and clouds-public.yaml paths
	// (OS_CLIENT_CONFIG_FILE and OS_CLIENT_SECURE_FILE still go first).
	ConfigFiles, SecureFiles, VendorFiles []string
}

// EnvCloudName is the name of the cloud made of OS_* variables, unless
// OS_CLOUD_NAME names it otherwise.
const EnvCloudName = "envvars"

// envSelectors are the variables that select a cloud without describing one.
var envSelectors = []string{"OS_CLOUD", "OS_REGION_NAME", "OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE", "OS_CLOUD_NAME"}

// defaults are openstacksdk's defaults for the settings this package uses.
func defaults() map[string]any {
	return map[string]any{"interface": "public", "verify": true, "auth": map[string]any{}}
}

type loader struct {
	o          Options
	env        map[string]string
	file       string // the clouds file read
	secureFile string
	vendorFile string
	vendor     map[string]any
	vendorRead bool
	envKey     string
	warnings   []string
}

func (l *loader) getenv(k string) string { return l.env[k] }

// Load resolves the configuration of one cloud, as openstacksdk's
// OpenStackConfig.get_one and the openstack CLI do:
//
//   - the cloud is o.Values.Cloud, else OS_CLOUD, else the cloud made of the
//     OS_* variables (when any other than selectors such as OS_CLOUD and
//     OS_REGION_NAME is set), else the only cloud of clouds.yaml;
//   - its settings are openstacksdk's defaults, under its profile from
//     clouds-public.yaml (profile:, or the older cloud:), under the cloud's
//     entry of clouds.yaml with secure.yaml merged over it, under the
//     region's values (regions:), under the environment's OS_* variables
//     (those the openstack CLI reads as flag defaults), under o.Values;
//   - then come openstacksdk's fix-ups: tenant_* become project_* (the
//     reverse for v2password), endpoint_type becomes interface, auth_plugin
//     is dropped (openstacksdk's default auth_type beats it), domain_id and
//     domain_name fill the user and project domains of a project-scoped cloud, insecure and verify become Insecure;
//     and the openstack CLI's: auth_type defaults by identity_api_version to
//     v3password, v2password or password (token, v3token, v2token with a
//     token), tenants for v2 plugins, no domains with v2.0, and
//     default_domain as the user's and project's domain ID with Identity v3;
//   - the plugin's options are moved into Config.Auth and the required ones
//     checked.
func Load(o Options) (*Config, error) {
	l := &loader{o: o, env: map[string]string{}}
	environ := o.Environ
	if environ == nil {
		environ = os.Environ()
	}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			l.env[k] = v
		}
	}
	return l.load()
}

func (l *loader) load() (*Config, error) {
	dirs := SearchDirs(l.o.Dir, l.getenv)
	cfgFiles := l.o.ConfigFiles
	if cfgFiles == nil {
		cfgFiles = candidates(dirs, "clouds")
	}
	secFiles := l.o.SecureFiles
	if secFiles == nil {
		secFiles = candidates(dirs, "secure")
	}
	if f := l.getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
		cfgFiles = append([]string{f}, cfgFiles...)
	}
	if f := l.getenv("OS_CLIENT_SECURE_FILE"); f != "" {
		secFiles = append([]string{f}, secFiles...)
	}
	file, cfg, err := loadFirst(cfgFiles)
	if err != nil {
		return nil, err
	}
	l.file = file
	secFile, sec, err := loadFirst(secFiles)
	if err != nil {
		return nil, err
	}
	l.secureFile = secFile
	if sec != nil {
		cfg = mergeClouds(orEmpty(cfg), sec)
	}
	clouds := map[string]any{}
	if c, ok := orEmpty(cfg)["clouds"].(map[string]any); ok {
		clouds = copyMap(c)
	} else if _, present := orEmpty(cfg)["clouds"]; present && orEmpty(cfg)["clouds"] != nil {
		return nil, &Error{Err: ErrInvalidFile, File: l.file, Option: "clouds", Detail: "clouds is not a mapping"}
	}

	l.envKey = l.getenv("OS_CLOUD_NAME")
	if l.envKey == "" {
		l.envKey = EnvCloudName
	}
	if _, ok := clouds[l.envKey]; ok {
		return nil, &Error{Err: ErrInvalidConfig, File: l.file, Cloud: l.envKey,
			Detail: "a cloud of the file has the name of the environment's cloud (OS_CLOUD_NAME)"}
	}
	name := l.o.Values.Cloud
	if name == "" {
		name = l.getenv("OS_CLOUD")
	}
	if envCloud := l.envCloud(); envCloud != nil {
		clouds[l.envKey] = envCloud
		if name == "" {
			name = l.envKey
		}
	}
	if name == "" && len(clouds) == 1 {
		for n := range clouds {
			name = n
		}
	}
	if len(clouds) == 0 && name == "" {
		name = "defaults"
		clouds[name] = map[string]any{}
	}
	var our map[string]any
	if name != "" {
		c, ok := clouds[name]
		if !ok {
			names := make([]string, 0, len(clouds))
			for n := range clouds {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, &Error{Err: ErrCloudNotFound, File: l.file, Cloud: name,
				Detail: fmt.Sprintf("known clouds: %s", strings.Join(names, ", "))}
		}
		our, _ = c.(map[string]any)
		if our == nil && c != nil {
			return nil, &Error{Err: ErrInvalidFile, File: l.file, Cloud: name, Detail: "the cloud is not a mapping"}
		}
	}
	our = orEmpty(our)

	// Base: defaults, the profile, the cloud.
	config := defaults()
	if err := l.expandProfile(name, config, our); err != nil {
		return nil, err
	}
	authUpdate(config, our)
	delete(config, "cloud")
	delete(config, "profile")

	// The region.
	region, err := l.region(name, our)
	if err != nil {
		return nil, err
	}
	delete(config, "regions")
	for k, v := range region.values {
		if v == nil {
			continue
		}
		if m, ok := v.(map[string]any); ok && k == "auth" {
			authUpdate(config, map[string]any{"auth": m})
			continue
		}
		config[k] = v
	}
	config["region_name"] = region.name

	// The environment and the explicit values, as the CLI's flags.
	for k, v := range l.args() {
		config[k] = v
	}
	config = l.magicFixes(config)
	config = authConfigHook(config)
	return l.validate(name, config)
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// envCloud builds the cloud of the OS_* variables, or returns nil when only
// selectors are set (openstacksdk's _get_os_environ).
func (l *loader) envCloud() map[string]any {
	c := defaults()
	c["auth_type"] = "password"
	describes := false
	for k, v := range l.env {
		if !strings.HasPrefix(k, "OS_") || strings.HasPrefix(k, "OS_TEST") || strings.HasPrefix(k, "OS_STD") || strings.HasPrefix(k, "OS_LOG") {
			continue
		}
		c[strings.ToLower(k[len("OS_"):])] = v
		if !slices.Contains(envSelectors, k) {
			describes = true
		}
	}
	if !describes {
		return nil
	}
	return c
}

// args returns the settings that the openstack CLI takes from its flags,
// whose defaults are OS_* variables, with o.Values over them.
func (l *loader) args() map[string]any {
	out := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	// Every auth option of every plugin has a flag with an OS_ default.
	for _, name := range allOptionNames() {
		if strings.HasPrefix(name, "tenant_") {
			continue
		}
		set(name, l.getenv("OS_"+strings.ToUpper(name)))
	}
	if out["project_id"] == nil {
		set("project_id", l.getenv("OS_TENANT_ID"))
	}
	if out["project_name"] == nil {
		set("project_name", l.getenv("OS_TENANT_NAME"))
	}
	set("cacert", l.getenv("OS_CACERT"))
	set("cert", l.getenv("OS_CERT"))
	set("key", l.getenv("OS_KEY"))
	set("interface", l.getenv("OS_INTERFACE"))
	set("auth_type", l.getenv("OS_AUTH_TYPE"))
	set("identity_api_version", l.getenv("OS_IDENTITY_API_VERSION"))
	out["default_domain"] = "default"
	set("default_domain", l.getenv("OS_DEFAULT_DOMAIN"))

	v := l.o.Values
	for k, val := range v.Auth {
		set(k, val)
	}
	set("auth_type", v.AuthType)
	set("interface", v.Interface)
	set("identity_api_version", v.IdentityAPIVersion)
	set("cacert", v.CACert)
	set("cert", v.Cert)
	set("key", v.Key)
	set("default_domain", v.DefaultDomain)
	if v.Insecure != nil {
		if *v.Insecure {
			out["insecure"] = true
		} else {
			out["verify"], out["insecure"] = true, false
		}
	}
	return out
}

// allOptionNames lists the options of every registered plugin.
func allOptionNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range PluginNames() {
		p, _ := LookupPlugin(n)
		for _, o := range p.options(map[string]string{"auth_methods": strings.Join(methodPlugins, ",")}) {
			if !seen[o.Name] {
				seen[o.Name] = true
				out = append(out, o.Name)
			}
		}
	}
	return out
}

// expandProfile lays the cloud's profile from clouds-public.yaml under it.
func (l *loader) expandProfile(name string, config, our map[string]any) error {
	profile, _ := our["profile"].(string)
	if profile == "" {
		profile, _ = our["cloud"].(string)
	}
	if profile == "" || profile == l.envKey {
		return nil
	}
	vendor, err := l.vendorFileData()
	if err != nil {
		return err
	}
	if pcs, ok := vendor["public_clouds"].(map[string]any); ok {
		if p, ok := pcs[profile].(map[string]any); ok {
			authUpdate(config, p)
			return nil
		}
	}
	l.warn(fmt.Sprintf("vendor profile %q of cloud %q not found in clouds-public.yaml (openstacksdk's built-in vendor profiles are not supported)", profile, name))
	return nil
}

func (l *loader) warn(w string) {
	if !slices.Contains(l.warnings, w) {
		l.warnings = append(l.warnings, w)
	}
}

func (l *loader) vendorFileData() (map[string]any, error) {
	if !l.vendorRead {
		l.vendorRead = true
		files := l.o.VendorFiles
		if files == nil {
			files = candidates(SearchDirs(l.o.Dir, l.getenv), "clouds-public")
		}
		f, v, err := loadFirst(files)
		if err != nil {
			return nil, err
		}
		l.vendorFile, l.vendor = f, v
	}
	return orEmpty(l.vendor), nil
}

type region struct {
	name   string
	values map[string]any
}

// knownRegions lists the cloud's regions: regions:, else region_name (a
// list or a comma-separated string), else its profile's.
func (l *loader) knownRegions(name string, our map[string]any) ([]region, error) {
	expand := func(list []any) ([]region, error) {
		var out []region
		for _, r := range list {
			switch t := r.(type) {
			case map[string]any:
				n, ok := t["name"].(string)
				extra := false
				for k := range t {
					if k != "name" && k != "values" {
						extra = true
					}
				}
				if !ok || extra {
					return nil, &Error{Err: ErrInvalidConfig, File: l.file, Cloud: name, Option: "regions",
						Detail: "a region entry must have a name and no key but name and values"}
				}
				vals, _ := t["values"].(map[string]any)
				out = append(out, region{n, orEmpty(vals)})
			default:
				out = append(out, region{fmt.Sprint(t), map[string]any{}})
			}
		}
		return out, nil
	}
	if rs, ok := our["regions"]; ok {
		list, _ := rs.([]any)
		return expand(list)
	}
	if rn, ok := our["region_name"]; ok {
		switch t := rn.(type) {
		case []any:
			return expand(t)
		case string:
			var list []any
			for _, s := range strings.Split(t, ",") {
				list = append(list, s)
			}
			return expand(list)
		}
		return expand([]any{rn})
	}
	prof := map[string]any{}
	if err := l.expandProfile(name, prof, our); err != nil {
		return nil, err
	}
	if rs, ok := prof["regions"].([]any); ok && len(rs) > 0 {
		return expand(rs)
	}
	if rn, ok := prof["region_name"].(string); ok && rn != "" {
		return []region{{rn, map[string]any{}}}, nil
	}
	return nil, nil
}

// region picks the requested region (o.Values.RegionName, else
// OS_REGION_NAME) among the cloud's, or its first region.
func (l *loader) region(name string, our map[string]any) (region, error) {
	want := l.o.Values.RegionName
	if want == "" {
		want = l.getenv("OS_REGION_NAME")
	}
	known, err := l.knownRegions(name, our)
	if err != nil {
		return region{}, err
	}
	if len(known) == 0 {
		return region{want, map[string]any{}}, nil
	}
	if want == "" {
		return known[0], nil
	}
	var names []string
	for _, r := range known {
		if r.name == want {
			return r, nil
		}
		names = append(names, r.name)
	}
	return region{}, &Error{Err: ErrRegionNotFound, File: l.file, Cloud: name, Option: "region_name",
		Detail: fmt.Sprintf("region %q is not one of %s (region names are case sensitive)", want, strings.Join(names, ", "))}
}

// getBool is openstacksdk's get_boolean.
func getBool(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}

func authOf(config map[string]any) map[string]any {
	a, ok := config["auth"].(map[string]any)
	if !ok {
		a = map[string]any{}
		config["auth"] = a
	}
	return a
}

func present(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	}
	return true
}

// magicFixes is openstacksdk's magic_fixes, except that a value at the top
// level (from the environment or the explicit values) wins over the same in
// auth (openstacksdk lets auth win for the project and domain keys).
func (l *loader) magicFixes(config map[string]any) map[string]any {
	auth := authOf(config)
	if _, ok := config["auth_token"]; ok {
		if _, has := config["token"]; !has {
			config["token"] = config["auth_token"]
		}
		delete(config, "auth_token")
	}
	if p, ok := config["passcode"]; ok {
		auth["passcode"] = p
		delete(config, "passcode")
	}
	if v, ok := config["endpoint_type"]; ok {
		config["interface"] = v
		delete(config, "endpoint_type")
	}
	// auth_plugin is the older name of auth_type, but openstacksdk's defaults
	// always hold an auth_type (None in the openstack CLI), which beats it:
	// it is dropped.
	delete(config, "auth_plugin")
	mappings := [][]string{
		{"domain_id", "domain_id"}, {"domain_name", "domain_name"},
		{"user_domain_id", "user_domain_id"}, {"user_domain_name", "user_domain_name"},
		{"project_domain_id", "project_domain_id"}, {"project_domain_name", "project_domain_name"},
		{"token", "auth_token", "token"},
	}
	if config["auth_type"] == "v2password" {
		mappings = append(mappings, []string{"tenant_id", "project_id", "tenant_id"}, []string{"tenant_name", "project_name", "tenant_name"})
	} else {
		mappings = append(mappings, []string{"project_id", "tenant_id", "project_id"}, []string{"project_name", "tenant_name", "project_name"})
	}
	for _, m := range mappings {
		target := m[0]
		var auths, tops any
		for _, k := range m[1:] {
			if v, ok := auth[k]; ok {
				if present(v) {
					auths = v
				}
				delete(auth, k)
			}
			if v, ok := config[k]; ok {
				if present(v) {
					tops = v
				}
				delete(config, k)
			}
		}
		if present(tops) {
			auth[target] = fmt.Sprint(tops)
		} else if present(auths) {
			auth[target] = fmt.Sprint(auths)
		}
	}
	// Other service-prefixed endpoint types.
	for k, v := range config {
		if strings.HasSuffix(k, "endpoint_type") {
			delete(config, k)
			config[strings.TrimSuffix(k, "endpoint_type")+"interface"] = v
		}
	}
	handleDomainID(config)
	if v, ok := config["insecure"]; ok {
		config["insecure"] = getBool(v)
	}
	if u, ok := auth["auth_url"].(string); ok {
		auth["auth_url"] = expandFormat(u, config)
	}
	return config
}

var placeholder = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandFormat replaces {key} in s with the top-level setting key, as
// openstacksdk formats auth_url with the cloud's settings.
func expandFormat(s string, config map[string]any) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := config[m[1:len(m)-1]]; ok && v != nil {
			if _, isMap := v.(map[string]any); !isMap {
				return fmt.Sprint(v)
			}
		}
		return m
	})
}

func projectScoped(config map[string]any) bool {
	auth := authOf(config)
	for _, k := range []string{"project_id", "project_name"} {
		if _, ok := config[k]; ok {
			return true
		}
		if _, ok := auth[k]; ok {
			return true
		}
	}
	return false
}

// handleDomainID is openstacksdk's _handle_domain_id: domain_id and
// domain_name stand for the user's and the project's domains of a
// project-scoped cloud, and for the domain scope otherwise.
func handleDomainID(config map[string]any) {
	auth := authOf(config)
	for _, m := range [][3]string{{"domain_id", "user_domain_id", "project_domain_id"}, {"domain_name", "user_domain_name", "project_domain_name"}} {
		target := m[0]
		if !projectScoped(config) {
			if v, ok := config[target]; ok {
				if _, inAuth := auth[target]; !inAuth {
					auth[target] = v
				}
				delete(config, target)
			}
			continue
		}
		if v, ok := auth[target]; ok {
			for _, k := range m[1:] {
				if _, has := auth[k]; !has {
					auth[k] = v
				}
			}
		}
		delete(config, target)
		delete(auth, target)
	}
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// authConfigHook is the openstack CLI's auth_config_hook.
func authConfigHook(config map[string]any) map[string]any {
	auth := authOf(config)
	version := str(config["identity_api_version"])
	authType := str(config["auth_type"])
	if authType == "" {
		pick := func(v3, v2, any string) string {
			switch {
			case version == "3":
				return v3
			case strings.HasPrefix(version, "2"):
				return v2
			}
			return any
		}
		switch {
		case present(config["username"]):
			authType = pick("v3password", "v2password", "password")
		case present(config["token"]):
			authType = pick("v3token", "v2token", "token")
		default:
			authType = "password"
		}
		config["auth_type"] = authType
	}
	if strings.HasPrefix(authType, "v2") {
		if v, ok := auth["project_id"]; ok {
			auth["tenant_id"] = v
		}
		if v, ok := auth["project_name"]; ok {
			auth["tenant_name"] = v
		}
	}
	if strings.HasPrefix(version, "2") && strings.HasSuffix(authType, "password") {
		for _, k := range []string{"project_domain_id", "project_domain_name", "user_domain_id", "user_domain_name"} {
			delete(auth, k)
		}
	}
	dd := str(config["default_domain"])
	if version == "3" && !strings.HasPrefix(authType, "v2") && dd != "" &&
		slices.Contains([]string{"password", "v3password", "v3totp"}, authType) {
		if !present(auth["project_domain_id"]) && !present(auth["project_domain_name"]) {
			auth["project_domain_id"] = dd
		}
		if !present(auth["user_domain_id"]) && !present(auth["user_domain_name"]) {
			auth["user_domain_id"] = dd
		}
	}
	return config
}

// validate picks the plugin, moves its options into auth (a top-level value
// wins, as in the openstack CLI) and checks the required ones.
func (l *loader) validate(name string, config map[string]any) (*Config, error) {
	authType := str(config["auth_type"])
	switch authType {
	case "", "None":
		authType = "none"
	case "token_endpoint":
		authType = "admin_token"
	}
	file := l.file
	if name == l.envKey {
		file = ""
	}
	p, ok := LookupPlugin(authType)
	if !ok {
		return nil, &Error{Err: ErrUnknownAuthType, File: file, Cloud: name, Option: "auth_type",
			Detail: fmt.Sprintf("%q (registered: %s)", authType, strings.Join(PluginNames(), ", "))}
	}
	auth := authOf(config)
	strAuth := func() map[string]string {
		out := map[string]string{}
		for k, v := range auth {
			if present(v) {
				out[k] = stringValue(v)
			}
		}
		for k, v := range config {
			if present(v) && k == "auth_methods" {
				out[k] = stringValue(v)
			}
		}
		return out
	}
	var missing []string
	for _, o := range p.options(strAuth()) {
		var win any
		for _, src := range []map[string]any{config, auth} {
			for _, k := range append([]string{o.Name}, o.Deprecated...) {
				if v, ok := src[k]; ok && present(v) {
					win = v
					break
				}
			}
			if win != nil {
				break
			}
		}
		for _, k := range append([]string{o.Name}, o.Deprecated...) {
			delete(config, k)
			delete(auth, k)
		}
		if win != nil {
			auth[o.Name] = win
		} else if o.Required {
			missing = append(missing, "auth."+o.Name)
		}
	}
	c := &Config{
		Cloud:              name,
		AuthType:           authType,
		Auth:               strAuth(),
		RegionName:         str(config["region_name"]),
		Interface:          str(config["interface"]),
		IdentityAPIVersion: str(config["identity_api_version"]),
		CACert:             str(config["cacert"]),
		Cert:               str(config["cert"]),
		Key:                str(config["key"]),
		Insecure:           getBool(config["insecure"]) || (config["verify"] != nil && !getBool(config["verify"])),
		APITimeout:         str(config["api_timeout"]),
		File:               file,
		SecureFile:         l.secureFile,
		Warnings:           l.warnings,
	}
	if file == "" {
		c.SecureFile = ""
	}
	c.secrets = map[string]bool{}
	for _, o := range p.options(c.Auth) {
		if o.Secret {
			c.secrets[o.Name] = true
		}
	}
	if len(missing) > 0 {
		where := file
		if name == l.envKey {
			where = "environment (OS_* variables)"
		}
		return nil, &Error{Err: ErrMissingOption, File: where, Cloud: name, Option: strings.Join(missing, ", "),
			Detail: "auth_type " + authType + " needs it"}
	}
	return c, nil
}

// stringValue renders a setting as a string; lists (auth_methods) are joined
// with commas.
func stringValue(v any) string {
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}
