package keystonetest

// epFilterState holds endpoint groups, project-endpoint associations and
// endpoint policy associations.
type epFilterState struct{}
