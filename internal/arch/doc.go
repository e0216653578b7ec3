// Package arch holds no code: its test enforces the import direction of
// DESIGN.md (idp <- store <- {keys, tenant, oauth, login, manage} <-
// view <- {api, admin, mcp} <- server <- app) with `go list -deps`.
package arch
