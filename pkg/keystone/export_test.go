package keystone

// Test hooks for the external tests of this package.

// WithSleepForTest replaces the wait between retries.
var WithSleepForTest = withSleep
