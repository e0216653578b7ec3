// Package secret makes and checks secrets: random tokens from an injected
// reader, SHA-256 digests for high-entropy secrets (client secrets, codes,
// refresh tokens, session ids), constant-time comparison, numeric PINs and
// AES-256-GCM encryption at rest under the master key.
package secret
