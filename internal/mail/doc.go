// Package mail sends the tenant's email: an SMTP sender built on a
// maintained client library, the message templates (magic link + PIN), and
// a development outbox that prints mail to the log and keeps the last
// messages for inspection.
package mail
