package identityv2

import (
	"context"
	"fmt"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// FindByType returns the only service of this type ("compute", "identity",
// …), as python-keystoneclient's services.find(type=…) does: Find matches
// IDs and names only. No service of the type, or several, is a
// *keystone.NoUniqueMatchError (errors.Is ErrNoUniqueMatch, and ErrNotFound
// when none has it).
func (m *ServicesManager) FindByType(ctx context.Context, serviceType string) (*Service, error) {
	if serviceType == "" {
		return nil, fmt.Errorf("%w: empty service type", keystone.ErrInvalidArgument)
	}
	var found []Service
	for s, err := range m.List(ctx, nil) {
		if err != nil {
			return nil, err
		}
		if s.Type == serviceType {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		return nil, &keystone.NoUniqueMatchError{Kind: "service", Name: serviceType, Count: len(found)}
	}
	return &found[0], nil
}
