package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// v3Func is the body of an Identity v3 command: it runs with the command's
// context and the Identity v3 client.
type v3Func func(ctx context.Context, c *identityv3.Client, cmd *cobra.Command, args []string) error

// runV3 returns the RunE of an Identity v3 command: it validates the output
// options (when out is not nil), gets the Identity v3 client and calls f.
// Checks of the command line that come before these run first in the
// command's own RunE, which then calls runV3(...)(cmd, args).
func (a *app) runV3(out *outputOptions, f v3Func) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if out != nil {
			if err := out.validate(); err != nil {
				return err
			}
		}
		ctx := cmd.Context()
		c, err := a.client(ctx)
		if err != nil {
			return err
		}
		return f(ctx, c, cmd, args)
	}
}

// showCommand is the `show <arg>` command of an Identity v3 resource: get
// finds the resource the argument names, show prints it.
func showCommand[T any](a *app, arg, short string, get func(ctx context.Context, c *identityv3.Client, id string) (T, error), show func(a *app, out *outputOptions, v T) error) *cobra.Command {
	cmd := &cobra.Command{Use: "show " + arg, Short: short, Args: exactArgs(1, arg)}
	out := addOutputFlags(cmd, false)
	cmd.RunE = a.runV3(out, func(ctx context.Context, c *identityv3.Client, _ *cobra.Command, args []string) error {
		v, err := get(ctx, c, args[0])
		if err != nil {
			return err
		}
		return show(a, out, v)
	})
	return cmd
}
