// Package idp is Authalla's vocabulary: the domain types every other package
// speaks (tenants, clients, users, sessions, grants, tokens), typed ids,
// sentinel errors and the injected clock. It imports the standard library only.
package idp
