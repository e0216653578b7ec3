package tenant

import (
	"crypto/rand"
	"fmt"
	"io"
)

// idSyntax reports whether id is a DNS label (RFC 1035 §2.3.1, lower
// case): 3–40 letters, digits or hyphens, no leading or trailing hyphen.
// The resolver checks it on every request that names a tenant, so it is a
// loop over bytes rather than a regular expression.
func idSyntax(id string) bool {
	if len(id) < 3 || len(id) > 40 || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// reserved ids would collide with the control plane's hosts or paths.
var reserved = map[string]bool{
	"login": true, "admin": true, "api": true, "www": true, "t": true, "mcp": true,
	"auth": true, "static": true, "assets": true, "mail": true, "localhost": true,
}

// ValidID reports whether id can name a tenant (a DNS label that is not
// reserved).
func ValidID(id string) error {
	if !idSyntax(id) {
		return fmt.Errorf("tenant id must be 3-40 lowercase letters, digits or hyphens, not starting or ending with a hyphen")
	}
	if reserved[id] {
		return fmt.Errorf("tenant id %q is reserved", id)
	}
	return nil
}

var (
	adjectives = []string{"brave", "calm", "clever", "eager", "gentle", "happy", "jolly", "kind", "lively", "merry", "proud", "quiet", "swift", "witty", "bold", "bright", "cosmic", "golden", "silver", "sunny"}
	animals    = []string{"otter", "falcon", "badger", "heron", "lynx", "marten", "osprey", "panda", "raven", "seal", "tiger", "wolf", "koala", "bison", "crane", "finch", "gecko", "ibis", "moose", "newt"}
	things     = []string{"lantern", "harbor", "meadow", "river", "summit", "canyon", "beacon", "forest", "garden", "island", "valley", "comet", "ember", "glacier", "orchard", "prairie", "quarry", "tundra", "willow", "zephyr"}
)

// NewID returns a random readable id such as "brave-otter-lantern-4821",
// drawing from rnd (crypto/rand when nil).
func NewID(rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var b [5]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "", fmt.Errorf("tenant id: %w", err)
	}
	n := (int(b[3])<<8 | int(b[4])) % 10000
	return fmt.Sprintf("%s-%s-%s-%04d", adjectives[int(b[0])%len(adjectives)], animals[int(b[1])%len(animals)], things[int(b[2])%len(things)], n), nil
}
