package page

import (
	"context"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/tenant"
)

// CSRFCookieBase is the anti-forgery cookie's name before issuer prefixes.
const CSRFCookieBase = "authalla_csrf"

// hstsValue asks browsers to use HTTPS only for two years. It has no
// includeSubDomains: a path issuer lives on the operator's public host,
// whose sibling subdomains are not ours to pin.
const hstsValue = "max-age=63072000"

// CSP returns the Content-Security-Policy of an HTML page whose inline
// <style> and <script> elements carry nonce. Scripts run only with the
// nonce; styles come from our own /assets/ or carry the nonce; nothing can
// frame the page (RFC 9700 §4.16). There is deliberately no form-action:
// Chromium applies it to every redirect after a form POST, which would block
// the final redirect to the client's redirect_uri.
func CSP(nonce string) string {
	script := "'none'"
	style := "'self'"
	if nonce != "" {
		script = "'nonce-" + nonce + "'"
		style = "'self' 'nonce-" + nonce + "'"
	}
	return "default-src 'none'; script-src " + script + "; style-src " + style +
		"; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// The header values every response of the hosted pages carries, built
// once. They are assigned into the header map directly (the keys are in
// canonical form), which spares Header.Set a key check and a slice per
// header on every request. Each slice has length and capacity 1, so a
// handler that Adds to one of these headers appends to a copy; nothing
// writes into a header value in place.
var (
	hdrCSPNoScript = []string{CSP("")}
	hdrDeny        = []string{"DENY"}
	hdrNoReferrer  = []string{"no-referrer"}
	hdrNosniff     = []string{"nosniff"}
	hdrNoStore     = []string{"no-store"}
	hdrNoCache     = []string{"no-cache"}
	hdrSameOrigin  = []string{"same-origin"}
	hdrHSTS        = []string{hstsValue}
)

// SetSecurityHeaders sets the headers every HTML response carries
// (SECURITY-TESTS 28; ASVS 3.4): the CSP for nonce, X-Frame-Options,
// Referrer-Policy, nosniff, no-store, COOP, and HSTS when secure.
func SetSecurityHeaders(h http.Header, nonce string, secure bool) {
	if nonce == "" {
		h["Content-Security-Policy"] = hdrCSPNoScript
	} else {
		h["Content-Security-Policy"] = []string{CSP(nonce)}
	}
	h["X-Frame-Options"] = hdrDeny
	h["Referrer-Policy"] = hdrNoReferrer
	h["X-Content-Type-Options"] = hdrNosniff
	h["Cache-Control"] = hdrNoStore
	h["Pragma"] = hdrNoCache
	h["Cross-Origin-Opener-Policy"] = hdrSameOrigin
	setHSTS(h, secure)
}

// SetJSONHeaders sets the headers of a protocol answer that is only ever
// JSON (or empty): nosniff, no-store (the handler replaces it when the
// answer may be cached) and HSTS when secure. The page-only headers (CSP,
// X-Frame-Options, Referrer-Policy, COOP, Pragma) govern documents a
// browser renders, which a JSON answer never is (SECURITY-TESTS 28 asks
// them of every HTML response).
func SetJSONHeaders(h http.Header, secure bool) {
	h["X-Content-Type-Options"] = hdrNosniff
	h["Cache-Control"] = hdrNoStore
	setHSTS(h, secure)
}

// setHSTS sets Strict-Transport-Security on an https issuer and removes it
// otherwise (RFC 6797 §7.2: it is ignored over plain HTTP).
func setHSTS(h http.Header, secure bool) {
	if secure {
		h["Strict-Transport-Security"] = hdrHSTS
	} else {
		delete(h, "Strict-Transport-Security")
	}
}

// CSRFConfig returns the anti-forgery settings of an issuer: an
// issuer-scoped cookie (__Host- on an https host issuer) and its origin.
func CSRFConfig(info *tenant.Info) httpx.CSRFConfig {
	return httpx.CSRFConfig{
		CookieName: info.CookieName(CSRFCookieBase),
		CookiePath: info.CookiePath(),
		Secure:     info.Secure,
		Origin:     info.Origin(),
	}
}

// Middleware prepares a route group of hosted pages: it installs this
// renderer's error page and interstitial and the issuer's CSRF settings
// in the request context (in one allocation; the CSRF settings are worked
// out only if a handler asks for them), and sets the security headers
// with a script-less CSP (Render replaces it with the page's nonce), so
// redirects and errors carry them too. Mount it behind the tenant
// resolver.
func (r *Renderer) Middleware(next http.Handler) http.Handler {
	support := &httpx.Pages{ErrorPage: r.ErrorPage, Interstitial: r.Interstitial, CSRF: r.csrfConfig}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := req.Context()
		secure := req.TLS != nil
		if info, ok := tenant.FromContext(ctx); ok {
			secure = info.Secure
		}
		SetSecurityHeaders(w.Header(), "", secure)
		next.ServeHTTP(w, req.WithContext(httpx.WithPages(ctx, support)))
	})
}

// csrfConfig is the CSRF settings of the issuer the request resolved to
// (httpx.Pages.CSRF); a request outside the tenant resolver has none.
func (r *Renderer) csrfConfig(ctx context.Context) (httpx.CSRFConfig, bool) {
	info, ok := tenant.FromContext(ctx)
	if !ok {
		return httpx.CSRFConfig{}, false
	}
	cfg := CSRFConfig(info)
	cfg.Random = r.random
	return cfg, true
}

// JSONMiddleware is Middleware's counterpart for routes whose every answer
// is JSON or empty (discovery, JWKS, token, introspection, revocation,
// userinfo): it sets SetJSONHeaders' headers and installs nothing else — no
// error page (an unexpected error is answered in plain text, never HTML),
// no interstitial, no CSRF settings. Mount it behind the tenant resolver.
func JSONMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		secure := req.TLS != nil
		if info, ok := tenant.FromContext(req.Context()); ok {
			secure = info.Secure
		}
		SetJSONHeaders(w.Header(), secure)
		next.ServeHTTP(w, req)
	})
}
