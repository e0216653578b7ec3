// Package mailtest is a real SMTP listener for tests (RFC 5321, the
// subset a submission client uses: EHLO/HELO, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT; no TLS, no AUTH) on 127.0.0.1. It records every message,
// parses its subject and text part, and lets a test wait for the mail to
// one recipient without sleeping. End-to-end tests point the built binary
// at it with AUTHALLA_SMTP_TLS=none.
package mailtest
