package httpx

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSec18InterstitialMapping: an InterstitialRedirect, also when
// wrapped, is answered by the context's renderer, or without one as a
// plain-text 200 that still carries the link; it never becomes a redirect
// or a logged failure.
func TestSec18InterstitialMapping(t *testing.T) {
	ir := &InterstitialRedirect{
		Target: "https://app.example/cb?error=access_denied&state=s1&iss=https%3A%2F%2Fidp.example",
		Host:   "app.example", ClientName: "Some Agent", Code: "access_denied",
	}
	tests := map[string]struct {
		err      error
		renderer bool
	}{
		"with renderer":          {ir, true},
		"wrapped, with renderer": {fmt.Errorf("deny: %w", ir), true},
		"without renderer":       {ir, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/oauth2/authorize", nil)
			var got *InterstitialRedirect
			if tc.renderer {
				r = r.WithContext(WithInterstitialRenderer(r.Context(), func(w http.ResponseWriter, _ *http.Request, ir *InterstitialRedirect) {
					got = ir
					w.WriteHeader(http.StatusOK)
				}))
			}
			rec := httptest.NewRecorder()
			WriteError(rec, r, tc.err)
			if rec.Code != http.StatusOK || rec.Header().Get("Location") != "" {
				t.Fatalf("status %d, Location %q; want 200 without Location", rec.Code, rec.Header().Get("Location"))
			}
			if tc.renderer {
				if got != ir {
					t.Fatalf("renderer got %+v, want the redirect itself", got)
				}
				return
			}
			body := rec.Body.String()
			if !strings.Contains(body, "\nReturn to the application: "+ir.Target+"\n") || !strings.Contains(body, "access_denied") {
				t.Fatalf("plain-text interstitial = %q", body)
			}
			h := rec.Header()
			if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
				t.Fatalf("plain-text interstitial headers: %v", h)
			}
		})
	}
}
