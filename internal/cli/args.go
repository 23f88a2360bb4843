package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// The checks of the command line that cobra has too, but as usage errors
// (exit status 2, as argparse exits): cobra's NoArgs, MarkFlagRequired and
// MarkFlagsMutuallyExclusive fail outside the usage path, with status 1.

// noArgs refuses positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s: unrecognized arguments: %s", cmd.CommandPath(), strings.Join(args, " "))
	}
	return nil
}

// exactArgs and minArgs check the number of positional arguments.
func exactArgs(n int, names string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s: expected %s (%d argument(s), got %d)", cmd.CommandPath(), names, n, len(args))
		}
		return nil
	}
}

func minArgs(n int, names string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("%s: expected %s", cmd.CommandPath(), names)
		}
		return nil
	}
}

// exclusive checks that at most one of the named flags is given, as
// argparse's mutually exclusive groups do.
func exclusive(cmd *cobra.Command, names ...string) error {
	var given []string
	for _, n := range names {
		if cmd.Flags().Changed(n) {
			given = append(given, n)
		}
	}
	if len(given) > 1 {
		return usageErrorf("%s: argument --%s: not allowed with argument --%s", cmd.CommandPath(), given[1], given[0])
	}
	return nil
}

// required checks that each named flag is given, as argparse's required
// options are.
func required(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return usageErrorf("%s: the following arguments are required: %s", cmd.CommandPath(), strings.Join(missing, ", "))
	}
	return nil
}

// readBlobFile reads a file given on the command line (policy rules,
// endpoint group filters, mapping rules) as osc_lib's
// read_blob_file_contents does: its contents without leading and trailing
// white space.
func readBlobFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("error occurred trying to read from file %s: %w", path, err)
	}
	return strings.TrimSpace(string(data)), nil
}
