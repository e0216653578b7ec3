// Command floor is the benchmark's lower bound: the least work a server
// can do to answer the requests Authalla is measured on, written with the
// standard library's net/http and go-jose and nothing else.
//
// It serves, at a path issuer {url}/t/{tenant} shaped like Authalla's:
//
//   - POST /t/{tenant}/oauth2/token: a client_credentials request
//     authenticated with client_secret_basic (RFC 6749 §2.3.1). It parses
//     the form, checks grant_type, compares the SHA-256 of the presented
//     secret with the stored hash in constant time and signs the same
//     access-token JWT Authalla issues (RFC 9068: typ at+jwt, kid, and the
//     claims iss, sub, aud, exp, iat, nbf, jti, tid, client_id) with an
//     RS256, ES256 or EdDSA key (-alg).
//   - GET /t/{tenant}/.well-known/openid-configuration: a discovery
//     document marshalled once at start.
//   - GET /t/{tenant}/.well-known/jwks.json: the public key, marshalled
//     once at start.
//
// Authalla's rate for the same request divided by the floor's rate is the
// figure docs/benchmarks.md reports ("Speed against the floor"). The bench
// command targets it like a server: -url {floor} -tenant {tenant}
// -scenarios client_credentials,discovery,jwks. It listens on loopback only.
//
// Usage:
//
//	go run ./bench/floor -listen 127.0.0.1:18090 -alg ES256 \
//	    -client-id floor-client -client-secret <secret>
package main
