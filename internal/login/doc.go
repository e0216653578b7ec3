// Package login serves the hosted sign-in pages of every tenant: email
// entry and sign-up, one email carrying a 6-digit PIN (10 minutes, bound to
// the browser that asked) and a single-use magic link (24 hours, any
// browser), consent, RP-initiated logout (OpenID Connect RP-Initiated
// Logout 1.0) and a small start page.
//
// It authenticates people and starts browser sessions; it never mints
// tokens and never imports the protocol package. A parked authorization
// request is resumed by redirecting (303) to /oauth2/authorize?request_id=…
// of the same issuer, and the consent page's Deny goes through the
// Finisher interface, which the protocol layer implements.
//
// Every POST checks the anti-forgery token (httpx.CheckCSRF) and answers
// 303 or 200 HTML, never 307/308 (RFC 9700 §4.12). Whether an address has
// an account is never visible in a response (SECURITY-TESTS 38).
package login
