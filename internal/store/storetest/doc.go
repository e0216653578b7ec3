// Package storetest is the conformance suite every store.Store
// implementation must pass. Run exercises each method's happy path,
// not-found and conflict cases, a cross-tenant case for every method (two
// tenants whose clients, users and other objects share ids and emails), and
// the atomic operations under concurrency. Times are fixed values passed as
// arguments, never the wall clock.
package storetest
