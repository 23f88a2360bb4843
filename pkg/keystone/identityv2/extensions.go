package identityv2

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/internal/rest"
)

// List lists the API extensions the server has (OS-KSADM, OS-EC2, …). It
// needs no token. Hand-written: the body nests the list in
// {"extensions": {"values": [...]}}.
//
// GET /v2.0/extensions (listExtensions).
// The iterator stops at the first error, which it yields.
func (m *ExtensionsManager) List(ctx context.Context) iter.Seq2[Extension, error] {
	return rest.List(ctx, m.c, rest.Req{Method: http.MethodGet, Path: "/v2.0/extensions", NoAuth: true},
		func([]byte, *listExtensionsPage) error { return nil },
		func(p *listExtensionsPage) ([]Extension, string, bool) {
			if p.Extensions == nil {
				return nil, "", false
			}
			return p.Extensions.Values, "", p.Extensions.Values != nil
		})
}

// listExtensionsPage is the body of GET /v2.0/extensions.
type listExtensionsPage struct {
	Extensions *struct {
		Values []Extension `json:"values"`
	} `json:"extensions"`
}
