package cli

import "github.com/spf13/cobra"

// federationCommands are the commands of identity providers, mappings and
// federation protocols.
func (a *app) federationCommands() []*cobra.Command { return nil }

// serviceProviderCommand is `service provider …`.
func (a *app) serviceProviderCommand() *cobra.Command { return group("provider", "Manage service providers") }
