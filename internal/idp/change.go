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
	Kind     ChangeKind `json:"k"`
	TenantID string     `json:"t"`
	// ID is the object within the tenant (client id, kid, jti…); empty
	// means every object of Kind in the tenant.
	ID string `json:"i,omitempty"`
}
