package keystonetest

// domainConfigState holds domain-specific configurations and revocation
// events.
type domainConfigState struct{}
