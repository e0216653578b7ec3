package page

import (
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

// SetSecurityHeaders sets the headers every HTML response carries
// (SECURITY-TESTS 28; ASVS 3.4): the CSP for nonce, X-Frame-Options,
// Referrer-Policy, nosniff, no-store, COOP, and HSTS when secure.
func SetSecurityHeaders(h http.Header, nonce string, secure bool) {
	h.Set("Content-Security-Policy", CSP(nonce))
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if secure {
		h.Set("Strict-Transport-Security", hstsValue)
	} else {
		h.Del("Strict-Transport-Security")
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
// in the request context, and sets the security headers with a
// script-less CSP (Render replaces it with the page's nonce), so
// redirects and errors carry them too. Mount it behind the tenant resolver.
func (r *Renderer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := httpx.WithPageRenderer(req.Context(), r.ErrorPage)
		ctx = httpx.WithInterstitialRenderer(ctx, r.Interstitial)
		secure := req.TLS != nil
		if info, ok := tenant.FromContext(ctx); ok {
			cfg := CSRFConfig(info)
			cfg.Random = r.random
			ctx = httpx.WithCSRF(ctx, cfg)
			secure = info.Secure
		}
		SetSecurityHeaders(w.Header(), "", secure)
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}
