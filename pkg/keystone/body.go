package keystone

import (
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
)

// ReadBody reads and closes a response body, at most limit bytes (0 or
// less: the ResponseBody limit of the session that sent the request, see
// Limits). A larger body is an *InvalidResponseError matching
// ErrResponseTooLarge; a body that stalls past the session's timeout or the
// context's deadline is ErrTimeout; a connection that breaks is
// ErrConnectionFailure.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp == nil || resp.Body == nil {
		return nil, fmt.Errorf("%w: nil response or body", ErrInvalidArgument)
	}
	defer resp.Body.Close()
	if resp.Body == http.NoBody || resp.Request != nil && resp.Request.Method == http.MethodHead {
		return nil, nil // a HEAD response has no body, whatever its Content-Length says
	}
	if limit <= 0 {
		limit = limitsOf(resp).ResponseBody
	}
	tooLarge := func() error {
		return invalidResponse(resp, fmt.Errorf("%w: the body exceeds %d bytes", ErrResponseTooLarge, limit))
	}
	if n := resp.ContentLength; n > limit {
		return nil, tooLarge()
	} else if n > 0 {
		// One allocation instead of a growing buffer.
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, classifyReadError(resp, err)
		}
		return buf, nil
	}
	data, err := readAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, classifyReadError(resp, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge()
	}
	return data, nil
}

// invalidResponse describes resp, which could not be understood because of err.
func invalidResponse(resp *http.Response, err error) *InvalidResponseError {
	e := &InvalidResponseError{StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Err: err}
	if resp.Request != nil {
		e.Method, e.URL = resp.Request.Method, redactURL(resp.Request.URL)
	}
	return e
}

// limitsOf returns the limits of the session that sent resp's request.
func limitsOf(resp *http.Response) Limits {
	if resp.Request != nil {
		if s, ok := resp.Request.Context().Value(sessionKey{}).(*Session); ok {
			return s.Limits()
		}
	}
	return DefaultLimits()
}

// Collect gathers every item of a list, stopping at the first error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for it, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// readAll is io.ReadAll growing by doubling from 8 KiB: a body of unknown
// length (chunked) costs a few allocations rather than a dozen.
func readAll(r io.Reader) ([]byte, error) {
	b := make([]byte, 0, 8<<10)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = slices.Grow(b, cap(b)) // double
		}
	}
}
