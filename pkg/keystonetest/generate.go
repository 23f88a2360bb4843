package keystonetest

//go:generate go run github.com/gokeystone/keystone/internal/cmd/stubgen -in ../../gen/identityv3server/identityv3server.gen.go -import github.com/gokeystone/keystone/gen/identityv3server -pkg keystonetest -type unimplementedV3 -err errNotImplemented -out zz_unimplemented_v3.go
//go:generate go run github.com/gokeystone/keystone/internal/cmd/stubgen -in ../../gen/identityv2server/identityv2server.gen.go -import github.com/gokeystone/keystone/gen/identityv2server -pkg keystonetest -type unimplementedV2 -err errNotImplemented -out zz_unimplemented_v2.go
