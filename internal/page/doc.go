// Package page renders Authalla's hosted HTML pages from the embedded web
// templates: one layout, the tenant's theme as CSS custom properties in a
// nonce'd <style>, a fresh CSP nonce per response, and the security headers
// every HTML response carries (SECURITY-TESTS 28). It also serves the
// static assets under /assets/ of every issuer, so login pages load nothing
// from a third party (SECURITY-TESTS 29), and provides the error page and
// untrusted-client interstitial renderers that httpx.WriteError uses.
package page
