package idp

// ChangeKind names the kind of object a Change is about.
type ChangeKind string

// Change kinds: the objects that nodes cache.
const (
	ChangeTenant         ChangeKind = "tenant"          // settings, status, allowed origins, deletion
	ChangeClient         ChangeKind = "client"          // a client, its redirect URIs or its secrets
	ChangeKeys           ChangeKind = "keys"            // the tenant's signing keys
	ChangeResourceServer ChangeKind = "resource_server" // a resource server or its scopes
	ChangeTheme          ChangeKind = "theme"           // branding and its images
	ChangeUser           ChangeKind = "user"            // a user's status (suspension ends access)
	ChangeToken          ChangeKind = "token"           // a grant or access token was revoked
)

// Change says what a committed write changed, so that the caches of every
// node can drop it. It carries identifiers only, never secrets.
type Change struct {
	// Kind is the kind of object; empty means every kind (see Covers).
	Kind ChangeKind `json:"k"`
	// TenantID is the tenant; empty means every tenant (see Covers).
	TenantID string `json:"t"`
	// ID is the object within the tenant (client id, kid, jti…); empty
	// means every object of Kind in the tenant.
	ID string `json:"i,omitempty"`
}

// ChangeEverything names every cached object of every tenant. A node that
// may have missed changes (its notification connection dropped) publishes
// it to itself; subscribers drop all they hold.
var ChangeEverything = Change{}

// Covers reports whether c names objects of kind in tenantID: an empty
// Kind names every kind and an empty TenantID every tenant. Whether c
// names one object or all of them is then c.ID ("" is all).
func (c Change) Covers(kind ChangeKind, tenantID string) bool {
	return (c.Kind == "" || c.Kind == kind) && (c.TenantID == "" || c.TenantID == tenantID)
}
