package cli

import "github.com/spf13/cobra"

// credentialCommands are the commands of the user-owned secrets:
// credential, application credential, access rule, trust, ec2 credentials.
func (a *app) credentialCommands() []*cobra.Command { return nil }
