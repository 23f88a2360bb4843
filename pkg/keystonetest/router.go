package keystonetest

import (
	"net/http"
	"net/url"
	"strings"
)

// router is the ServeMux of the generated server. net/http.ServeMux refuses
// some of Keystone's routes as ambiguous (/v3/domains/{domain_id}/config/{group}
// and /v3/domains/config/{group}/default), which Keystone resolves by
// preferring literal segments: so does router. A path that matches with another
// method is a 405, as in Keystone; HEAD falls back to GET.
type router struct {
	routes []route
	// notFound answers paths no route matches.
	notFound func(w http.ResponseWriter, r *http.Request, status int)
}

type route struct {
	method   string
	segments []string // "{name}" for a wildcard
	handler  http.HandlerFunc
}

// HandleFunc registers a pattern of the form "METHOD /path/{wildcard}".
func (rt *router) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	rt.routes = append(rt.routes, route{method: method, segments: split(path), handler: h})
}

func split(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// match reports whether segs match r, and how specific the match is: a bit
// per segment, set for a literal, most significant first.
func (r route) match(segs []string) (bool, uint64) {
	if len(segs) != len(r.segments) {
		return false, 0
	}
	var score uint64
	for i, s := range r.segments {
		score <<= 1
		if strings.HasPrefix(s, "{") {
			continue
		}
		if s != segs[i] {
			return false, 0
		}
		score |= 1
	}
	return true, score
}

func (rt *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	raw := split(req.URL.EscapedPath())
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			rt.notFound(w, req, http.StatusNotFound)
			return
		}
		segs[i] = u
	}
	best, bestScore, pathMatched := -1, uint64(0), false
	for _, method := range []string{req.Method, http.MethodGet} {
		for i, r := range rt.routes {
			ok, score := r.match(segs)
			if !ok {
				continue
			}
			pathMatched = true
			if r.method == method && (best < 0 || score > bestScore) {
				best, bestScore = i, score
			}
		}
		if best >= 0 || req.Method != http.MethodHead {
			break
		}
	}
	if best < 0 {
		if pathMatched {
			rt.notFound(w, req, http.StatusMethodNotAllowed)
		} else {
			rt.notFound(w, req, http.StatusNotFound)
		}
		return
	}
	r := rt.routes[best]
	for i, s := range r.segments {
		if strings.HasPrefix(s, "{") {
			req.SetPathValue(strings.Trim(s, "{}"), segs[i])
		}
	}
	r.handler(w, req)
}
