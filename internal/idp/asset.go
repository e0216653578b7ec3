package idp

import "time"

// Theme asset kinds: the uploaded images of a tenant's branding.
const (
	ThemeAssetLogo = "logo"
	ThemeAssetIcon = "icon"
)

// ThemeAsset is an uploaded branding image (a logo or an icon) of one
// tenant, served by the hosted pages from the tenant's own host. Data is
// the image as uploaded; ContentType is its sniffed media type.
type ThemeAsset struct {
	TenantID    string
	Kind        string // ThemeAssetLogo or ThemeAssetIcon
	ContentType string // image/png, image/jpeg or image/webp
	Data        []byte
	UpdatedAt   time.Time
}
