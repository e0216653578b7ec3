// Package cliauth signs the command-line tool in to a remote Authalla
// server and keeps its tokens: the OAuth 2.0 authorization code flow
// for native apps (RFC 8252) with PKCE S256 (RFC 7636) and a loopback
// redirect on a port the system picks (§7.3), the authorization
// response's state and iss checks (RFC 6749 §10.12, RFC 9207), the
// credentials file in the user's configuration directory (mode 0600,
// written atomically), refresh before expiry with rotation (RFC 6749 §6,
// OAuth 2.1 §4.3.1) and revocation at logout (RFC 7009).
package cliauth
