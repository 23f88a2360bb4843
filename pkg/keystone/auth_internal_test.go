package keystone

import (
	"bytes"
	"errors"
	"net"
	"testing"
)

// TestEncodeCacheKeyUnambiguous: fields that joined with NUL would collide
// give different keys.
func TestEncodeCacheKeyUnambiguous(t *testing.T) {
	pairs := [][2][]string{
		{{"a\x00b", "c"}, {"a", "b\x00c"}},
		{{"ab", ""}, {"a", "b"}},
		{{"", "ab"}, {"ab", ""}},
		{{"x"}, {"x", ""}},
	}
	for _, p := range pairs {
		if bytes.Equal(encodeCacheKey(p[0]), encodeCacheKey(p[1])) {
			t.Errorf("%q and %q encode alike", p[0], p[1])
		}
	}
	if !bytes.Equal(encodeCacheKey([]string{"a", "b"}), encodeCacheKey([]string{"a", "b"})) {
		t.Error("equal fields encode differently")
	}
}

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestDialTimeoutIsATimeout: a dial that times out is ErrTimeout (it was
// ErrConnectionRefused), and is known not to have sent the request.
func TestDialTimeoutIsATimeout(t *testing.T) {
	err := classifyNetError(&net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}})
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrConnectionRefused) || !err.notSent {
		t.Errorf("dial timeout: %v (not sent: %v), want ErrTimeout, not sent", err, err.notSent)
	}
	err = classifyNetError(&net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}})
	if !errors.Is(err, ErrTimeout) || err.notSent {
		t.Errorf("read timeout: %v (not sent: %v), want ErrTimeout, maybe sent", err, err.notSent)
	}
}
