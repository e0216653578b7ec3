// Package session manages browser login sessions: a random cookie per
// tenant issuer whose SHA-256 keys a server-side record. Sessions are
// rotated at every login (no fixation), bounded by idle and absolute
// lifetimes, and never accepted on another tenant's host.
package session
