package keystonetest

// limitState holds limits and registered limits.
type limitState struct{}
