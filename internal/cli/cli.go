// Package cli is the command-line client keystone: the identity commands of
// python-openstackclient (openstack token issue, project list, role add, …),
// with its global --os-* options and cliff's output formats, over the SDK.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gokeystone/keystone/pkg/cloudconfig"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// Exit statuses of Run.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// app holds the state of one run: the global options and the session.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string

	cloud, authURL, username, userID, password     string
	projectName, projectID                         string
	userDomainName, userDomainID                   string
	projectDomainName, projectDomainID             string
	domainName, domainID, defaultDomain            string
	regionName, iface, authType, token, apiVersion string
	cacert, cert, key                              string
	insecure, debug, noCache                       bool
	timeout                                        string
	root                                           *cobra.Command
	session                                        *keystone.Session
	identity                                       *identityv3.Client
	identityV2                                     *identityv2.Client
	// pluginOpts are the auth plugins' other options, by name.
	pluginOpts map[string]*string
}

// Run runs the keystone command line args (without the program's name) and
// returns the exit status: 0, 1 for a failure, 2 for a usage error. Errors are
// printed to stderr as one line, "keystone: <message>", without secrets.
// environ is the environment as KEY=value strings (nil: the process's).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
	root := a.newRoot(a.wantsV2(args))
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if a.session != nil {
		a.session.CloseIdleConnections()
	}
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "keystone: "+oneLine(err))
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitError
}

// oneLine returns the error's message on one line, without a repeated
// "keystone: " prefix.
func oneLine(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	for strings.HasPrefix(msg, "keystone: ") {
		msg = strings.TrimPrefix(msg, "keystone: ")
	}
	return msg
}

// wantsV2 reports whether the command line and the configuration ask for
// Identity v2.0 (--os-identity-api-version, OS_IDENTITY_API_VERSION, the
// cloud's identity_api_version; else an auth URL ending in /v2.0), which
// decides the commands offered. Only the global options are read here; a
// configuration that does not load is left for the command to report.
func (a *app) wantsV2(args []string) bool {
	pre := &app{environ: a.environ}
	fs := pflag.NewFlagSet("keystone", pflag.ContinueOnError)
	fs.ParseErrorsAllowlist.UnknownFlags = true
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	pre.globalFlags(fs)
	fs.BoolP("help", "h", false, "")
	_ = fs.Parse(args)
	vals, _ := pre.valuesFrom(fs)
	cfg, err := cloudconfig.Load(cloudconfig.Options{Values: vals, Environ: a.environ})
	if err != nil {
		return isV2(pre.apiVersion, pre.authURL)
	}
	return isV2(cfg.IdentityAPIVersion, cfg.Auth["auth_url"])
}

// Help groups of the root's commands.
const (
	mainGroupID  = "main"
	otherGroupID = "other"
)

func (a *app) newRoot(v2 bool) *cobra.Command {
	root := &cobra.Command{
		Use:           "keystone",
		Short:         "Command-line client for OpenStack Keystone (the identity commands of the openstack CLI)",
		Version:       keystone.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q", strings.Join(args, " "))
			}
			return cmd.Help()
		},
	}
	a.root = root
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{msg: err.Error()}
	})
	a.globalFlags(root.PersistentFlags())
	version := "Identity v3"
	if v2 {
		version = "Identity v2.0"
	}
	root.AddGroup(&cobra.Group{ID: mainGroupID, Title: "Commands (" + version + ", as the openstack CLI names them):"})
	root.AddGroup(&cobra.Group{ID: legacyGroupID, Title: "Commands of the keystone shell of python-keystoneclient (Identity v2.0):"})
	root.AddGroup(&cobra.Group{ID: otherGroupID, Title: "Other commands (completion: the shell completion scripts for bash, zsh, fish, powershell):"})
	root.AddCommand(a.legacyCommands()...)
	defer func() {
		a.legacyCatalog(root)
		for _, c := range root.Commands() {
			if c.GroupID == "" {
				c.GroupID = mainGroupID
			}
		}
		root.SetHelpCommandGroupID(otherGroupID)
		root.SetCompletionCommandGroupID(otherGroupID)
	}()
	root.AddCommand(a.versionsCommand())
	if v2 {
		root.AddCommand(a.v2Commands()...)
		return root
	}
	root.AddCommand(
		a.tokenCommand(),
		a.catalogCommand(),
		a.projectCommand(),
		a.userCommand(),
		a.roleCommand(),
		a.groupCommand(),
		a.domainCommand(),
		a.serviceCommand(),
		a.endpointCommand(),
		a.regionCommand(),
	)
	root.AddCommand(a.credentialCommands()...)
	root.AddCommand(a.limitCommands()...)
	root.AddCommand(a.federationCommands()...)
	return root
}

// globalFlags adds the global options, as openstack spells them, to f.
func (a *app) globalFlags(f *pflag.FlagSet) {
	f.StringVar(&a.cloud, "os-cloud", "", "cloud name in clouds.yaml (Env: OS_CLOUD)")
	f.StringVar(&a.authURL, "os-auth-url", "", "authentication URL (Env: OS_AUTH_URL)")
	f.StringVar(&a.username, "os-username", "", "username (Env: OS_USERNAME)")
	f.StringVar(&a.userID, "os-user-id", "", "user ID (Env: OS_USER_ID)")
	f.StringVar(&a.password, "os-password", "", "user's password (Env: OS_PASSWORD)")
	f.StringVar(&a.projectName, "os-project-name", "", "project name to scope to (Env: OS_PROJECT_NAME)")
	f.StringVar(&a.projectID, "os-project-id", "", "project ID to scope to (Env: OS_PROJECT_ID)")
	f.StringVar(&a.userDomainName, "os-user-domain-name", "", "domain name of the user (Env: OS_USER_DOMAIN_NAME)")
	f.StringVar(&a.userDomainID, "os-user-domain-id", "", "domain ID of the user (Env: OS_USER_DOMAIN_ID)")
	f.StringVar(&a.projectDomainName, "os-project-domain-name", "", "domain name of the project (Env: OS_PROJECT_DOMAIN_NAME)")
	f.StringVar(&a.projectDomainID, "os-project-domain-id", "", "domain ID of the project (Env: OS_PROJECT_DOMAIN_ID)")
	f.StringVar(&a.domainName, "os-domain-name", "", "domain name to scope to (Env: OS_DOMAIN_NAME)")
	f.StringVar(&a.domainID, "os-domain-id", "", "domain ID to scope to (Env: OS_DOMAIN_ID)")
	f.StringVar(&a.defaultDomain, "os-default-domain", "", "default domain ID (Env: OS_DEFAULT_DOMAIN, default: default)")
	f.StringVar(&a.regionName, "os-region-name", "", "region name (Env: OS_REGION_NAME)")
	f.StringVar(&a.iface, "os-interface", "", "interface: public, internal or admin (Env: OS_INTERFACE)")
	f.StringVar(&a.authType, "os-auth-type", "", "authentication type: password, v3password, token, v3applicationcredential… (Env: OS_AUTH_TYPE)")
	f.StringVar(&a.token, "os-token", "", "authentication token (Env: OS_TOKEN)")
	f.StringVar(&a.apiVersion, "os-identity-api-version", "", "Identity API version (Env: OS_IDENTITY_API_VERSION)")
	f.StringVar(&a.cacert, "os-cacert", "", "CA certificate bundle file (Env: OS_CACERT)")
	f.StringVar(&a.cert, "os-cert", "", "client certificate bundle file (Env: OS_CERT)")
	f.StringVar(&a.key, "os-key", "", "client certificate key file (Env: OS_KEY)")
	f.BoolVar(&a.insecure, "insecure", false, "disable server certificate verification")
	f.BoolVar(&a.debug, "debug", false, "log the requests and responses (secrets redacted) to stderr")
	f.BoolVar(&a.noCache, "no-cache", false, "do not keep or reuse tokens in the token cache (~/.cache/gokeystone/tokens)")
	f.StringVar(&a.timeout, "timeout", "", "timeout of each HTTP exchange, in seconds (or a duration such as 30s)")

	// Every other option of the registered auth plugins (OpenID Connect,
	// SAML2, OAuth, application credentials…), as --os-<option>: the
	// openstack CLI adds those of the chosen plugin the same way.
	a.pluginOpts = map[string]*string{}
	for _, name := range cloudconfig.PluginNames() {
		p, _ := cloudconfig.LookupPlugin(name)
		options := p.Options
		if p.OptionsFor != nil { // v3multifactor: its methods' options come with the others
			options = append(options, cloudconfig.Option{Name: "auth_methods"})
		}
		for _, o := range options {
			flag := "os-" + strings.ReplaceAll(o.Name, "_", "-")
			if f.Lookup(flag) != nil || a.pluginOpts[o.Name] != nil {
				continue
			}
			v := new(string)
			a.pluginOpts[o.Name] = v
			f.StringVar(v, flag, "", "auth option "+o.Name+" (Env: OS_"+strings.ToUpper(o.Name)+")")
		}
	}
}

// group makes a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	c.AddCommand(subs...)
	return c
}

// values maps the global options onto cloudconfig.Values.
func (a *app) values() (cloudconfig.Values, error) {
	return a.valuesFrom(a.root.PersistentFlags())
}

// valuesFrom maps the global options parsed into fs onto cloudconfig.Values.
func (a *app) valuesFrom(fs *pflag.FlagSet) (cloudconfig.Values, error) {
	v := cloudconfig.Values{
		Cloud:              a.cloud,
		AuthType:           a.authType,
		RegionName:         a.regionName,
		Interface:          a.iface,
		IdentityAPIVersion: a.apiVersion,
		CACert:             a.cacert,
		Cert:               a.cert,
		Key:                a.key,
		DefaultDomain:      a.defaultDomain,
		Auth:               map[string]string{},
	}
	for name, val := range map[string]string{
		"auth_url":            a.authURL,
		"username":            a.username,
		"user_id":             a.userID,
		"password":            a.password,
		"project_name":        a.projectName,
		"project_id":          a.projectID,
		"user_domain_name":    a.userDomainName,
		"user_domain_id":      a.userDomainID,
		"project_domain_name": a.projectDomainName,
		"project_domain_id":   a.projectDomainID,
		"domain_name":         a.domainName,
		"domain_id":           a.domainID,
		"token":               a.token,
	} {
		if val != "" {
			v.Auth[name] = val
		}
	}
	for name, val := range a.pluginOpts {
		if *val != "" {
			v.Auth[name] = *val
		}
	}
	if fs.Changed("insecure") {
		v.Insecure = &a.insecure
	}
	return v, nil
}

// parseTimeout reads --timeout: seconds, as openstack takes it, or a Go
// duration.
func parseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs < 0 {
			return 0, usageErrorf("invalid --timeout %q", s)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, usageErrorf("invalid --timeout %q: seconds or a duration such as 30s", s)
	}
	return d, nil
}

// getSession loads the configuration and builds the session, once.
func (a *app) getSession() (*keystone.Session, error) {
	if a.session != nil {
		return a.session, nil
	}
	timeout, err := parseTimeout(a.timeout)
	if err != nil {
		return nil, err
	}
	vals, err := a.values()
	if err != nil {
		return nil, err
	}
	cfg, err := cloudconfig.Load(cloudconfig.Options{Values: vals, Environ: a.environ})
	if err != nil {
		return nil, err
	}
	opts := []keystone.SessionOption{keystone.WithUserAgent("keystone-cli", keystone.Version)}
	if a.debug {
		opts = append(opts, keystone.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	if timeout > 0 {
		opts = append(opts, keystone.WithTimeout(timeout))
	}
	var authOpts []keystone.AuthOption
	if !a.noCache {
		// One authentication for a whole shell session of commands: the
		// token is kept in the user's cache directory, under a key derived
		// from every auth parameter (secrets included, as a keyed digest).
		if store, err := keystone.NewFileStore(tokenDir(a.environ)); err == nil {
			authOpts = append(authOpts, keystone.WithTokenStore(store))
		} else if a.debug {
			fmt.Fprintf(a.stderr, "keystone: token cache off: %v\n", err)
		}
	}
	own, err := cfg.SessionOptions(authOpts...)
	if err != nil {
		return nil, err
	}
	s, err := keystone.NewSession(append(own, opts...)...)
	if err != nil {
		return nil, err
	}
	a.session = s
	return s, nil
}

// tokenDir is the token cache directory for the environment environ:
// gokeystone/tokens under $XDG_CACHE_HOME, else ~/.cache (else the
// process's user cache directory).
func tokenDir(environ []string) string {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	switch {
	case env["XDG_CACHE_HOME"] != "":
		return filepath.Join(env["XDG_CACHE_HOME"], "gokeystone", "tokens")
	case env["HOME"] != "":
		return filepath.Join(env["HOME"], ".cache", "gokeystone", "tokens")
	}
	return "" // keystone.DefaultTokenDir
}

// client returns the Identity v3 client, once.
func (a *app) client(ctx context.Context) (*identityv3.Client, error) {
	if a.identity != nil {
		return a.identity, nil
	}
	s, err := a.getSession()
	if err != nil {
		return nil, err
	}
	c, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		return nil, err
	}
	a.identity = c
	return c, nil
}

// access returns what Keystone says about the session's token,
// authenticating first when needed.
func (a *app) access(ctx context.Context) (*keystone.AccessInfo, error) {
	s, err := a.getSession()
	if err != nil {
		return nil, err
	}
	if s.Auth() == nil {
		return nil, errors.New("no authentication configured")
	}
	return s.Auth().Access(ctx, s)
}
