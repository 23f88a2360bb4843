// Command keystone is a command-line client for OpenStack Keystone that
// speaks the identity vocabulary of the openstack CLI:
//
//	keystone token issue
//	keystone project list -f json
//	keystone role add --user alice --project demo member
//
// It reads clouds.yaml and the OS_* variables as openstack does.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gokeystone/keystone/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}
