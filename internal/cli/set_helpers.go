package cli

import (
	"bufio"
	"errors"
	"io"
	"sort"
	"strings"
)

// enabledFlag maps --enable/--disable to the enabled member: nil when neither.
func enabledFlag(enable, disable bool) *bool {
	if !enable && !disable {
		return nil
	}
	v := enable
	return &v
}

// boolPair maps a pair of opposite flags (--immutable/--no-immutable,
// --enable-lock-password/--disable-lock-password…) to a value, nil when
// neither is given.
func boolPair(on, off bool) *bool {
	switch {
	case on:
		return new(true)
	case off:
		return new(false)
	}
	return nil
}

// parseProperties reads --property key=value options as openstack's
// KeyValueAction does (the first '=' splits; a later option wins).
func parseProperties(props []string) (map[string]any, error) {
	if len(props) == 0 {
		return nil, nil
	}
	m := make(map[string]any, len(props))
	for _, p := range props {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usageErrorf("argument --property: expected 'key=value' type, but got: %s", p)
		}
		m[k] = v
	}
	return m, nil
}

// sortedSet returns the distinct strings of s, sorted.
func sortedSet(s []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// readSecretLine reads one line of r (a password given on standard input),
// without its line ending.
func readSecretLine(r *bufio.Reader, what string) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", errors.New("no " + what + " on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
