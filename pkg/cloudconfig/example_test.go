package cloudconfig_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gokeystone/keystone/pkg/cloudconfig"
)

// Load a cloud from a clouds.yaml and a secure.yaml, as the openstack CLI
// does with OS_CLOUD=demo; the password stays out of what is printed.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "clouds")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	clouds := filepath.Join(dir, "clouds.yaml")
	secure := filepath.Join(dir, "secure.yaml")
	os.WriteFile(clouds, []byte(`clouds:
  demo:
    auth:
      auth_url: https://keystone.example.com/v3
      username: alice
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: internal
`), 0o600)
	os.WriteFile(secure, []byte("clouds:\n  demo:\n    auth:\n      password: s3cret\n"), 0o600)

	cfg, err := cloudconfig.Load(cloudconfig.Options{
		Values:      cloudconfig.Values{Cloud: "demo"},
		Environ:     []string{}, // no OS_* variables
		ConfigFiles: []string{clouds}, SecureFiles: []string{secure}, VendorFiles: []string{},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.AuthType, cfg.RegionName, cfg.Interface, cfg.Auth["username"])
	fmt.Println(cfg.IsSecret("password"), cfg.Auth["password"] == "s3cret")
	// Output:
	// password RegionOne internal alice
	// true true
}
