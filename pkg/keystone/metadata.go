package keystone

import (
	"context"
	"net/http"
	"sync"
)

// ResponseMetadata describes the HTTP responses of a call: what
// keystoneclient's include_metadata=True gives Python users.
type ResponseMetadata struct {
	// StatusCode, RequestID, Header, Method and URL describe the last
	// response.
	StatusCode int
	// RequestID is the server's X-Openstack-Request-Id.
	RequestID string
	// RequestIDs are the X-Openstack-Request-Id of every response the call
	// received, in order (those without one left out): each page of a
	// list, each retry and each redirect. The requests the session sends
	// for the call but not to the API (to authenticate, or to find the
	// endpoint: a token, a version discovery) are not listed.
	RequestIDs []string
	// Header holds the response headers (token headers removed).
	Header      http.Header
	Method, URL string
}

type metadataKey struct{}

// metadataRecorder is what a context made by WithResponseMetadata holds.
type metadataRecorder struct {
	mu sync.Mutex
	md *ResponseMetadata
}

// WithResponseMetadata returns a context whose calls (through a Session,
// including the typed clients and the generated clients over it) record
// their responses' metadata in md: for a call made of several requests (a
// list over several pages), md describes the last, and its RequestIDs list
// them all. It clears md; the calls made with the context add to it, so
// make one such context per call whose metadata you want, and read md
// once the call has returned.
func WithResponseMetadata(ctx context.Context, md *ResponseMetadata) context.Context {
	if md != nil {
		*md = ResponseMetadata{}
	}
	return context.WithValue(ctx, metadataKey{}, &metadataRecorder{md: md})
}

// withoutMetadata is ctx whose requests record no metadata.
func withoutMetadata(ctx context.Context) context.Context {
	if r, _ := ctx.Value(metadataKey{}).(*metadataRecorder); r == nil {
		return ctx
	}
	return context.WithValue(ctx, metadataKey{}, (*metadataRecorder)(nil))
}

func recordMetadata(req *http.Request, resp *http.Response) {
	r, _ := req.Context().Value(metadataKey{}).(*metadataRecorder)
	if r == nil || r.md == nil {
		return
	}
	h := resp.Header.Clone()
	h.Del("X-Subject-Token")
	h.Del("Openstack-Auth-Receipt")
	id := resp.Header.Get("X-Openstack-Request-Id")
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := r.md.RequestIDs
	if id != "" {
		ids = append(ids, id)
	}
	*r.md = ResponseMetadata{
		StatusCode: resp.StatusCode,
		RequestID:  id,
		RequestIDs: ids,
		Header:     h,
		Method:     req.Method,
		URL:        redactURL(req.URL),
	}
}
