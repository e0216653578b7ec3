package seed

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// Client ids every seeded tenant has (client ids are unique per tenant
// only, so they repeat across tenants by design).
const (
	BackendClientID = "seed-backend"
	SPAClientID     = "seed-spa"
	// RedirectURI is the spa client's redirect URI. Nothing listens there:
	// the benchmark reads the code from the redirect without following it.
	RedirectURI = "http://127.0.0.1:9/callback"
)

// Limits of a plan, so that ids keep their shape (tenant ids are DNS
// labels of at most 40 characters).
const (
	MaxTenants = 999_999
	MaxUsers   = 100_000_000
)

// Plan is the size of a seed: Tenants tenants seed-00001 …; when
// LargeTenantUsers > 0 the first tenant holds that many users and the
// other Users-LargeTenantUsers are spread evenly over the rest; otherwise
// all Users are spread evenly over all tenants.
type Plan struct {
	Tenants          int
	Users            int
	LargeTenantUsers int
}

// Validate checks that the plan can be laid out.
func (p Plan) Validate() error {
	switch {
	case p.Tenants < 1 || p.Tenants > MaxTenants:
		return fmt.Errorf("tenants must be between 1 and %d", MaxTenants)
	case p.Users < 0 || p.Users > MaxUsers:
		return fmt.Errorf("users must be between 0 and %d", MaxUsers)
	case p.LargeTenantUsers < 0 || p.LargeTenantUsers > p.Users:
		return errors.New("large-tenant-users must be between 0 and users")
	case p.LargeTenantUsers > 0 && p.Tenants == 1 && p.LargeTenantUsers != p.Users:
		return errors.New("with one tenant, large-tenant-users must equal users")
	}
	return nil
}

// TenantID is the id of tenant i (1-based): seed-00001, seed-00002, …
func TenantID(i int) string { return fmt.Sprintf("seed-%05d", i) }

// TenantIndex is the inverse of TenantID; ok is false for other ids.
func TenantIndex(id string) (int, bool) {
	if len(id) < 10 || id[:5] != "seed-" {
		return 0, false
	}
	n, err := strconv.Atoi(id[5:])
	if err != nil || n < 1 || TenantID(n) != id {
		return 0, false
	}
	return n, true
}

// UsersIn is how many users tenant i (1-based) holds.
func (p Plan) UsersIn(i int) int {
	if i < 1 || i > p.Tenants {
		return 0
	}
	rest, first, n := p.Users, 1, p.Tenants
	if p.LargeTenantUsers > 0 {
		if i == 1 {
			return p.LargeTenantUsers
		}
		rest, first, n = p.Users-p.LargeTenantUsers, 2, p.Tenants-1
	}
	k := i - first
	out := rest / n
	if k < rest%n {
		out++
	}
	return out
}

// TenantName is tenant i's display name.
func TenantName(i int) string {
	h := mix(uint64(i), 0x7e)
	return companies[h%uint64(len(companies))] + " " + suffixes[(h>>16)%uint64(len(suffixes))] + " " + strconv.Itoa(i)
}

// User is one seeded user of a tenant, as the seed writes it.
type User struct {
	ID            string
	Email         string // lower-case, unique in the tenant
	Name          string
	Status        string // "active", "inactive" or "suspended"
	EmailVerified bool
	// SignedIn reports whether the user has signed in before (the seed
	// then sets a last-login time).
	SignedIn bool
}

// UserAt is user j (0-based) of the tenant with id tenantID: a pure
// function of both, so the benchmark can pick any seeded user without
// reading the database. One user in 50 is inactive and one in 100
// suspended; the rest are active.
func UserAt(tenantID string, j int) User {
	h := mix(uint64(j), fnv(tenantID))
	first := firstNames[h%uint64(len(firstNames))]
	last := lastNames[(h>>12)%uint64(len(lastNames))]
	domain := domains[(h>>24)%uint64(len(domains))]
	u := User{
		ID:            userID(tenantID, j),
		Email:         lower(first) + "." + lower(last) + strconv.Itoa(j) + "@" + domain,
		Name:          first + " " + last,
		Status:        "active",
		EmailVerified: (h>>40)%10 != 0,
		SignedIn:      (h>>44)%4 != 0,
	}
	switch (h >> 32) % 100 {
	case 0, 1:
		u.Status = "inactive"
	case 2:
		u.Status = "suspended"
	}
	return u
}

// userID has the shape of the product's ids ("usr_" and 32 hex digits),
// derived from the tenant and index instead of drawn at random.
func userID(tenantID string, j int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(j))
	sum := sha256.Sum256(append([]byte("authalla-seed/user/"+tenantID+"/"), b[:]...))
	return "usr_" + hex.EncodeToString(sum[:16])
}

// mix is splitmix64 of x with a salt: cheap, well-spread bits.
func mix(x, salt uint64) uint64 {
	z := x + salt*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// fnv is FNV-1a of s.
func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// lower is ASCII lower-casing (the name lists are ASCII).
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
