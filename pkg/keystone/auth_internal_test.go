package keystone

import (
	"bytes"
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
