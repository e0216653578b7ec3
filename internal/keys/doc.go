// Package keys manages per-tenant signing keys: creation (RS256 by default,
// ES256 and EdDSA per tenant), private keys sealed with the master key,
// staged rotation (publish, activate, retire) that never empties the JWKS,
// deterministic signing (RFC 6979 for ES256), the public JWKS, and strict
// verification of our own JWTs with an explicit algorithm allow-list. A
// token of the active ES256 or EdDSA key is recognised by signing its
// input again, which costs less than verifying it (compact.go). Access tokens that verified are remembered
// by the SHA-256 of their exact bytes until their exp, while their key is
// still published (verified.go), so a token presented again costs no
// signature check.
package keys
