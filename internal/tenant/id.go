package tenant

import (
	"crypto/rand"
	"fmt"
	"io"
	"regexp"
)

// idPattern: a DNS label, lowercase, 3–40 characters, no leading or
// trailing hyphen.
var idPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$`)

// reserved ids would collide with the control plane's hosts or paths.
var reserved = map[string]bool{
	"login": true, "admin": true, "api": true, "www": true, "t": true, "mcp": true,
	"auth": true, "static": true, "assets": true, "mail": true, "localhost": true,
}

// ValidID reports whether id can name a tenant (a DNS label that is not
// reserved).
func ValidID(id string) error {
	if !idPattern.MatchString(id) {
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
