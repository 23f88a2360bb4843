package authtoken

// CacheLen is the number of entries in m's memory cache.
func CacheLen(m *Middleware) int { return m.mem.len() }
