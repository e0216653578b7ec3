// Package store declares the persistence contracts, one file per aggregate.
// Every method that touches tenant-owned data takes the tenant id right after
// the context, and an object of another tenant is reported as
// idp.ErrNotFound. The one implementation lives in store/sqlstore; the
// conformance suite in store/storetest holds every implementation to these
// comments.
package store
