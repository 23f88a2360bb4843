package tokenstore_test

import (
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/tokenstore"
)

// A Protector seals cache entries: an entry opens only with the same secret,
// strategy and name, and anything altered is refused.
func ExampleProtector() {
	p, err := tokenstore.NewProtector("a long, random, shared secret", tokenstore.Encrypt)
	if err != nil {
		log.Fatal(err)
	}
	name := "gokeystone:" + p.KeyName("t", "the key of a token")
	entry, err := p.Seal(name, []byte(`{"token": "..."}`))
	if err != nil {
		log.Fatal(err)
	}
	data, err := p.Open(name, entry)
	fmt.Printf("%s %v\n", data, err)

	entry[len(entry)-1] ^= 1
	_, err = p.Open(name, entry)
	fmt.Println(err)

	other, _ := tokenstore.NewProtector("another secret, just as long", tokenstore.Encrypt)
	fmt.Println(string(other.DigestKey()) == string(p.DigestKey()))
	// Output:
	// {"token": "..."} <nil>
	// entry fails authentication (tampered, or another secret)
	// false
}
