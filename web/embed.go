// Package web holds the hosted pages' HTML templates and static assets,
// embedded in the binary so that `go run` needs no build step. It has no
// logic: internal/page parses and serves what is here.
package web

import "embed"

// FS holds templates/*.html (html/template sources, one page per file plus
// layout.html) and static/* (served under /assets/ of every issuer).
//
//go:embed templates static
var FS embed.FS
