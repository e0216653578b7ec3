package oauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// successorLabel separates the successor MAC from any other use of the key.
const successorLabel = "authalla refresh successor v1"

// RefreshSuccessorKeyLabel is the HKDF label (secret.DeriveKey) under
// which the server derives Options.RefreshSuccessorKey from the master key.
const RefreshSuccessorKeyLabel = "authalla refresh successor key v1"

// successorRefreshToken returns the refresh token that replaces the
// presented token when it is rotated (RFC 9700 §4.14.2), with its stored
// form.
//
// With a successor key the successor is derived, not drawn:
//
//	base64url(HMAC-SHA256(K, label || 0 || tenant id || 0 || presented))
//
// 32 bytes, the same length, encoding and entropy as a random refresh
// token. It is as unpredictable as one: computing it needs both the
// presented token (256 random bits, secret, known only to its client and
// stored here only as a hash) and K (a subkey of the master key). An
// attacker who has neither learns nothing from seeing successors, and one
// who steals a token can already refresh with it, which rotation detects.
//
// Deriving it makes rotation idempotent: every racer presenting the same
// token within the client's grace window gets the same successor, which
// the store keeps as the family's single successor (RotateRefreshToken).
// Random successors would give each racer its own live token, forking one
// family into several lineages that all stay valid; reuse detection then
// cannot tell a thief's lineage from the client's. With one lineage a
// later replay of any retired token still revokes the family. Outside the
// window, or for strict clients (no grace), nothing changes: reuse revokes
// the family before the successor matters.
//
// Without a key (Options.RefreshSuccessorKey nil) the successor is random,
// as for a first refresh token.
func (p *Provider) successorRefreshToken(info *tenant.Info, g *idp.Grant, clientID string, scope []string, presented string, now time.Time) (string, *idp.RefreshToken, error) {
	if p.successorKey == nil {
		return p.newRefreshToken(info, g, clientID, scope, now)
	}
	plain := deriveSuccessor(p.successorKey, info.Tenant.ID, presented)
	return plain, refreshRecord(info, g, clientID, scope, plain, now), nil
}

// deriveSuccessor computes the successor of the refresh token presented
// in tenant tenantID under key.
func deriveSuccessor(key []byte, tenantID, presented string) string {
	mac := hmac.New(sha256.New, key)
	// The zero bytes end the label and the tenant id, neither of which
	// contains one, so distinct inputs never concatenate alike.
	fmt.Fprintf(mac, "%s\x00%s\x00%s", successorLabel, tenantID, presented)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// A successor is as long as a random refresh token: these fail to compile
// if the sizes ever differ.
var (
	_ [sha256.Size - refreshTokenBytes]struct{}
	_ [refreshTokenBytes - sha256.Size]struct{}
)
