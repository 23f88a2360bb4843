package keystonetest

import (
	"net/http"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/gokeystone/keystone/api"
)

// flagParams are the query parameters the spec marks as flags
// (x-gokeystone-flag): Keystone takes their presence as true, as
// python-keystoneclient sends them (?parents_as_list, no value).
var flagParams = sync.OnceValue(func() map[string]bool {
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	flags := map[string]bool{}
	if yaml.Unmarshal(api.IdentityV3, &doc) != nil {
		return flags
	}
	type param struct {
		Name string `yaml:"name"`
		In   string `yaml:"in"`
		Flag bool   `yaml:"x-gokeystone-flag"`
	}
	for _, item := range doc.Paths {
		for _, node := range item {
			var op struct {
				Parameters []param `yaml:"parameters"`
			}
			var list []param
			if node.Decode(&op) == nil {
				list = op.Parameters
			} else {
				_ = node.Decode(&list) // a path item's own parameters
			}
			for _, p := range list {
				if p.Flag && p.In == "query" {
					flags[p.Name] = true
				}
			}
		}
	}
	return flags
})

// flagsAsTrue gives an empty flag parameter the value true before the
// generated handler binds it as a boolean.
func flagsAsTrue(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			q := r.URL.Query()
			changed := false
			for name, vs := range q {
				if flagParams()[name] && len(vs) > 0 && strings.TrimSpace(vs[0]) == "" {
					q.Set(name, "true")
					changed = true
				}
			}
			if changed {
				r = r.Clone(r.Context())
				r.URL.RawQuery = q.Encode()
			}
		}
		next.ServeHTTP(w, r)
	})
}
