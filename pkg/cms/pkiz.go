package cms

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// base64Raw decodes unpadded base64url.
func base64Raw(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

// inflate decompresses zlib data, failing past limit bytes.
func inflate(compressed []byte, limit int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, errTooLarge
	}
	return out, nil
}

// MaxPKIZSize bounds the size of the message that PKIZUncompress inflates
// a token to, so that a small hostile token cannot exhaust memory.
const MaxPKIZSize = 16 << 20

// PKIZUncompress returns the CMS message inside a PKIZ token
// (pkiz_uncompress): the zlib-inflated base64url body after "PKIZ_". The
// body may be padded or not. An error matches ErrInvalidPKIZ.
func PKIZUncompress(token string) ([]byte, error) {
	if !IsPKIZ(token) {
		return nil, fmt.Errorf("%w: missing %q prefix", ErrInvalidPKIZ, PKIZPrefix)
	}
	body := token[len(PKIZPrefix):]
	for len(body) > 0 && body[len(body)-1] == '=' {
		body = body[:len(body)-1]
	}
	compressed, err := base64Raw(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPKIZ, err)
	}
	out, err := inflate(compressed, MaxPKIZSize)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPKIZ, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrInvalidPKIZ)
	}
	return out, nil
}

var errTooLarge = errors.New("inflated message exceeds MaxPKIZSize")
