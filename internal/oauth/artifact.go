package oauth

import (
	"net/url"

	"github.com/authalla/authalla/internal/secret"
)

// maxArtifactLen bounds a presented code or refresh token: ours are 43
// characters, so anything longer is not ours and is refused before any
// lookup.
const maxArtifactLen = 512

// presentedArtifact reads the opaque credential in form field (an
// authorization code or a refresh token) and returns the hash the store
// keys it by. A missing one is invalid_request (RFC 6749 §5.2); an
// oversized one is invalid_grant, like any credential that is not ours.
func presentedArtifact(form url.Values, field string) (string, error) {
	raw := form.Get(field)
	if raw == "" {
		return "", oauthError(oauthInvalidRequest, field+" is required.")
	}
	if len(raw) > maxArtifactLen {
		return "", grantError()
	}
	return secret.Hash(raw), nil
}
