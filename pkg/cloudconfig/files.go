package cloudconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// SearchDirs returns the directories searched for configuration files, in
// order, as openstacksdk searches them: dir (the current directory when
// empty), the user's configuration directory ($XDG_CONFIG_HOME/openstack,
// else ~/.config/openstack, or under $SNAP_REAL_HOME in a snap), then
// ~/.config/openstack, the site directories ($XDG_CONFIG_DIRS/openstack, by
// default /etc/xdg/openstack) and /etc/openstack. getenv reads the
// environment (os.Getenv when nil).
func SearchDirs(dir string, getenv func(string) string) []string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if dir == "" {
		dir, _ = os.Getwd()
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	userDir := filepath.Join(home, ".config", "openstack")
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		userDir = filepath.Join(x, "openstack")
	}
	unixUserDir := filepath.Join(home, ".config", "openstack")
	if snap := getenv("SNAP_REAL_HOME"); snap != "" {
		unixUserDir = filepath.Join(snap, ".config", "openstack")
	}
	dirs := []string{dir, userDir, unixUserDir}
	site := getenv("XDG_CONFIG_DIRS")
	if site == "" {
		site = "/etc/xdg"
	}
	for _, d := range strings.Split(site, string(os.PathListSeparator)) {
		if d != "" {
			dirs = append(dirs, filepath.Join(d, "openstack"))
		}
	}
	return append(dirs, "/etc/openstack")
}

// candidates lists base.yaml, base.yml and base.json in each of dirs.
func candidates(dirs []string, base string) []string {
	var out []string
	for _, d := range dirs {
		for _, ext := range []string{".yaml", ".yml", ".json"} {
			out = append(out, filepath.Join(d, base+ext))
		}
	}
	return out
}

// loadFirst reads the first of paths that exists and can be read (a file
// that cannot be read for lack of permission is skipped, as openstacksdk
// does). It returns "" and nil when there is none.
func loadFirst(paths []string) (string, map[string]any, error) {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
				continue
			}
			return p, nil, &Error{Err: ErrInvalidFile, File: p, Cause: err}
		}
		m, err := parseFile(p, data)
		if err != nil {
			return p, nil, err
		}
		return p, m, nil
	}
	return "", nil, nil
}

// parseFile decodes a YAML or (by its extension) JSON configuration file.
func parseFile(path string, data []byte) (map[string]any, error) {
	var v any
	if strings.HasSuffix(path, "json") {
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, &Error{Err: ErrInvalidFile, File: path, Detail: "invalid JSON"}
		}
	} else if err := yaml.Unmarshal(data, &v); err != nil {
		// yaml.v3's syntax errors name lines, not values; type errors cannot
		// happen when decoding into any.
		return nil, &Error{Err: ErrInvalidFile, File: path, Detail: "invalid YAML", Cause: err}
	}
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := normalize(v).(map[string]any)
	if !ok {
		return nil, &Error{Err: ErrInvalidFile, File: path, Detail: "the document is not a mapping"}
	}
	return m, nil
}

// normalize converts what a decoder gives into maps keyed by strings, with
// "-" in keys replaced by "_", integers and floats made strings and booleans
// kept, as openstacksdk's normalize_keys does.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[normKey(k)] = normalizeValue(normKey(k), e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			ks := fmt.Sprint(k)
			out[normKey(ks)] = normalizeValue(normKey(ks), e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

// normKey replaces "-" with "_".
func normKey(k string) string { return strings.ReplaceAll(k, "-", "_") }

func normalizeValue(key string, v any) any {
	switch t := v.(type) {
	case int, int64, uint64:
		if key == "api_timeout" || key == "verbose_level" {
			return t
		}
		return fmt.Sprint(t)
	case float64:
		if key == "api_timeout" {
			return t
		}
		return fmt.Sprint(t)
	}
	return normalize(v)
}

// mergeClouds merges src over dst recursively (openstacksdk's merge_clouds):
// maps are merged key by key, other values replaced. dst is not modified.
func mergeClouds(dst, src map[string]any) map[string]any {
	out := make(map[string]any, len(dst)+len(src))
	for k, v := range dst {
		out[k] = v
	}
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := out[k].(map[string]any); ok {
				out[k] = mergeClouds(dm, sm)
				continue
			}
			out[k] = copyMap(sm)
			continue
		}
		out[k] = v
	}
	return out
}

// authUpdate lays src over dst like dict.update, except that the nested auth
// mappings are merged (openstacksdk's _auth_update). It modifies dst.
func authUpdate(dst, src map[string]any) {
	for k, v := range src {
		if k == "auth" {
			if sm, ok := v.(map[string]any); ok {
				dm, ok := dst["auth"].(map[string]any)
				if !ok {
					dm = map[string]any{}
				} else {
					dm = copyMap(dm)
				}
				for ak, av := range sm {
					dm[ak] = av
				}
				dst["auth"] = dm
				continue
			}
		}
		dst[k] = deepCopy(v)
	}
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return copyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
