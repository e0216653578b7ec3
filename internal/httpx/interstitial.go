package httpx

import (
	"context"
	"io"
	"net/http"
)

// InterstitialRedirect answers an authorization request of a client the
// tenant does not operate (idp.Client.ThirdParty) whose answer is an
// error: instead of redirecting at once, the mapper shows a page that
// names the client, says in plain words why the request ended and offers
// a plain link to Target. Nothing redirects by itself, so a client that
// registered itself cannot use the server as an open redirector by
// sending a request that is sure to fail (RFC 9700 §4.11.2; SECURITY-TESTS
// 18 and 46).
//
// It travels as an error so that handlers can return it, but it is an
// answer, not a failure: the page is a 200 and nothing is logged.
type InterstitialRedirect struct {
	// Target is the complete error response URL (RFC 6749 §4.1.2.1 with
	// error, error_description, state and the RFC 9207 iss). Only the
	// protocol layer sets it, and only from a redirect URI it has matched
	// against the client's registration.
	Target string
	// Host is the host of the redirect URI ("" for a private-use scheme),
	// for the link's label.
	Host string
	// ClientName is the client's display name (its id when it has none).
	ClientName string
	// Code is the RFC 6749 §4.1.2.1 / OIDC Core §3.1.2.6 error code.
	Code string
}

func (e *InterstitialRedirect) Error() string {
	return "interstitial: " + e.Code + " for client " + e.ClientName
}

// InterstitialRenderer writes the page of an InterstitialRedirect. The
// server installs one in the request context (WithInterstitialRenderer);
// without it the mapper writes the same content as plain text.
type InterstitialRenderer func(w http.ResponseWriter, r *http.Request, ir *InterstitialRedirect)

type interstitialKey struct{}

// WithInterstitialRenderer returns ctx carrying the interstitial renderer.
func WithInterstitialRenderer(ctx context.Context, f InterstitialRenderer) context.Context {
	return context.WithValue(ctx, interstitialKey{}, f)
}

// writeInterstitial renders ir with the context's renderer, or as plain
// text. Either way it is a 200 that is never cached and whose link sends
// no Referer (the page's own URL carries the authorization request).
func writeInterstitial(w http.ResponseWriter, r *http.Request, ir *InterstitialRedirect) {
	if f, ok := r.Context().Value(interstitialKey{}).(InterstitialRenderer); ok && f != nil {
		f(w, r, ir)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, ir.ClientName+" asked for sign-in and the request ended with the error "+ir.Code+
		".\nReturn to the application: "+ir.Target+"\n")
}
