package keystone

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"sync"
)

// ReadBody reads and closes a response body, at most limit bytes (0 or
// less: the ResponseBody limit of the session that sent the request, see
// Limits). A larger body is an *InvalidResponseError matching
// ErrResponseTooLarge; a body that stalls past the session's timeout or the
// context's deadline is ErrTimeout; a connection that breaks is
// ErrConnectionFailure.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	return readBody(resp, limit, nil)
}

// DecodeJSON reads resp's body as ReadBody does (within the session's
// ResponseBody limit) and decodes the JSON object in it into v; then
// inspect, if not nil, is given the body to look further into (it must not
// keep it: the buffer is reused). A body that is not a JSON object, or does
// not decode into v, is an *InvalidResponseError; inspect's error is wrapped
// in one too. It is how the generated managers read their responses.
func DecodeJSON(resp *http.Response, v any, inspect func(body []byte) error) error {
	buf := bodyBuffers.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxPooledBody {
			bodyBuffers.Put(buf)
		}
	}()
	data, err := readBody(resp, 0, *buf)
	if err != nil {
		return err
	}
	*buf = data[:0]
	if !jsonObject(data) {
		return invalidResponse(resp, errors.New("the body is not a JSON object"))
	}
	if err := json.Unmarshal(data, v); err != nil {
		return invalidResponse(resp, err)
	}
	if inspect != nil {
		if err := inspect(data); err != nil {
			return invalidResponse(resp, err)
		}
	}
	return nil
}

// bodyBuffers are the buffers DecodeJSON reads into: JSON decoding copies
// what it keeps, so a body need not outlive its decoding.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// maxPooledBody is the largest buffer DecodeJSON gives back to the pool.
const maxPooledBody = 4 << 20

// jsonObject reports whether data starts, after white space, with '{'.
func jsonObject(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// readBody is ReadBody reading into buf (nil: a new slice).
func readBody(resp *http.Response, limit int64, buf []byte) ([]byte, error) {
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
		// One allocation (at most) instead of a growing buffer.
		buf = slices.Grow(buf[:0], int(n))[:n]
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, classifyReadError(resp, err)
		}
		return buf, nil
	}
	data, err := readAll(io.LimitReader(resp.Body, limit+1), buf)
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

// readAll is io.ReadAll into b (from 8 KiB when nil), growing by
// doubling: a body of unknown length (chunked) costs a few allocations
// rather than a dozen.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	if b == nil {
		b = make([]byte, 0, 8<<10)
	}
	b = b[:0]
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, max(cap(b), 512)) // double
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b, err
		}
	}
}
