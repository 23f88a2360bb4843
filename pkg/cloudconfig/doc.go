// Package cloudconfig reads an OpenStack client configuration, clouds.yaml
// files and OS_* environment variables, the way openstacksdk's config loader
// and the openstack CLI do, and builds a ready *keystone.Session from it.
//
// Load finds clouds.yaml (or clouds.yml, clouds.json), secure.yaml and
// clouds-public.yaml in the current directory, the user's configuration
// directory ($XDG_CONFIG_HOME/openstack, ~/.config/openstack), the site
// directories ($XDG_CONFIG_DIRS/openstack, /etc/openstack) or where
// OS_CLIENT_CONFIG_FILE and OS_CLIENT_SECURE_FILE say; merges secure.yaml over
// clouds.yaml and a cloud's profile (from clouds-public.yaml) under the cloud;
// selects the cloud (Values.Cloud, OS_CLOUD, the cloud made of OS_* variables,
// or the only cloud there is); lays the environment and then the explicit
// Values over it; and applies openstacksdk's fix-ups (tenant and project
// names, default domains, endpoint_type, verify and insecure, regions).
//
//	cfg, err := cloudconfig.Load(cloudconfig.Options{})
//	if err != nil { … }
//	session, err := cfg.NewSession(keystone.WithUserAgent("myapp", "1.0"))
//
// The auth_type of the configuration picks a plugin in a registry keyed by
// keystoneauth1's names (password, v3password, v3applicationcredential, …);
// Register adds more. A Config prints, logs and encodes its secrets
// (passwords, tokens, secrets, passcodes) masked, and no error of the package
// contains one.
//
// # Where it differs from the openstack CLI, on purpose
//
// The result agrees with `openstack configuration show` over the cases of
// its oracle test (build tag integration). Deliberate differences, from
// reading osc-lib 2.6 and openstacksdk 0.101:
//
//   - Precedence is explicit Values over OS_* variables over files for every
//     key. The openstack CLI lets a cloud file's project, domain and token
//     keys beat its own flags and OS_* variables, which surprises users.
//   - With no cloud named (no Values.Cloud, no OS_CLOUD), the cloud is the
//     one made of OS_* variables when any is set, else the only cloud of
//     clouds.yaml, as openstacksdk chooses.
//   - Built-in vendor profiles are not shipped (clouds-public.yaml is read);
//     cache, networks and per-service settings are not read; a missing
//     password is never prompted for (the keystone CLI reads one from
//     standard input where its commands offer --password-prompt).
//   - The generic password plugin checks the user's and project's domains
//     when it has chosen Identity v3, not before: a v2.0 openrc names none.
package cloudconfig
