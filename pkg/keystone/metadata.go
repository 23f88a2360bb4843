package keystone

import (
	"context"
	"net/http"
)

// ResponseMetadata describes the last HTTP response of a call: what
// keystoneclient's include_metadata=True gives Python users.
type ResponseMetadata struct {
	StatusCode int
	// RequestID is the server's X-Openstack-Request-Id.
	RequestID string
	// Header holds the response headers (token headers removed).
	Header      http.Header
	Method, URL string
}

type metadataKey struct{}

// WithResponseMetadata returns a context whose calls (through a Session,
// including the typed clients and the generated clients over it) record
// their final response's metadata in md. For a call made of several requests
// (a list over several pages), md describes the last.
func WithResponseMetadata(ctx context.Context, md *ResponseMetadata) context.Context {
	return context.WithValue(ctx, metadataKey{}, md)
}

func recordMetadata(req *http.Request, resp *http.Response) {
	md, ok := req.Context().Value(metadataKey{}).(*ResponseMetadata)
	if !ok || md == nil {
		return
	}
	h := resp.Header.Clone()
	h.Del("X-Subject-Token")
	h.Del("Openstack-Auth-Receipt")
	*md = ResponseMetadata{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Openstack-Request-Id"),
		Header:     h,
		Method:     req.Method,
		URL:        redactURL(req.URL),
	}
}
