package cli

import "github.com/spf13/cobra"

// limitCommands are the commands of limits, registered limits, implied roles
// and policies.
func (a *app) limitCommands() []*cobra.Command { return nil }

// endpointGroupCommand is `endpoint group …`.
func (a *app) endpointGroupCommand() *cobra.Command { return group("group", "Manage endpoint groups") }
