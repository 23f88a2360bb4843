// Command keystone-fake serves an in-memory OpenStack Keystone (Identity v3
// and v2.0, checked against the OpenAPI specs of the module) for development
// and for tests not written in Go:
//
//	keystone-fake --admin-password secret --state keystone.json
//	openstack --os-auth-url http://127.0.0.1:5000/v3 --os-username admin \
//	    --os-password secret --os-project-name admin \
//	    --os-user-domain-id default --os-project-domain-id default project list
//
// It is bootstrapped as by `keystone-manage bootstrap` (flags --admin-user,
// --admin-password or $KEYSTONE_FAKE_ADMIN_PASSWORD, --admin-project,
// --region, --public-url), listens on --listen (127.0.0.1:5000; loopback only
// unless --allow-remote), adds --service type:name:url catalog entries, and
// keeps its state in the --state file if given. SIGINT or SIGTERM shut it
// down cleanly. Run keystone-fake -h for every flag.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gokeystone/keystone/internal/fakeserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := fakeserver.Main(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}
