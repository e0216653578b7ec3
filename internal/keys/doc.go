// Package keys manages per-tenant signing keys: creation (RS256 by default,
// ES256 and EdDSA per tenant), private keys sealed with the master key,
// staged rotation (publish, activate, retire) that never empties the JWKS,
// signing, the public JWKS, and strict verification of our own JWTs with an
// explicit algorithm allow-list.
package keys
