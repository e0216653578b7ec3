// Package manage holds every management operation of Authalla: tenants,
// clients and their secrets, users, resource servers, signing keys and the
// first-start bootstrap. Each operation validates its input, checks the
// caller's rights (the Actor in the context), calls the store and writes an
// audit record that never carries a secret. The CLI, the REST API, the
// Admin UI and the MCP server all call this package and nothing below it.
//
// Errors are idp sentinels: idp.ErrNotFound (also for objects of tenants the
// caller cannot see), idp.ErrForbidden, idp.ErrConflict, and
// *idp.ValidationError (idp.ErrInvalid) naming the JSON field at fault.
package manage
