package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func ctxWith(r *http.Request, k, v any) context.Context { return context.WithValue(r.Context(), k, v) }

// TestWithPages: the renderers answer through WithPages as through
// WithPageRenderer and WithInterstitialRenderer, other values pass
// through, and the CSRF settings are worked out once, on first use, and
// only for requests that use them.
func TestWithPages(t *testing.T) {
	type key struct{}
	loads := 0
	var pageStatus int
	p := &Pages{
		ErrorPage: func(w http.ResponseWriter, r *http.Request, status int, title, message string) {
			pageStatus = status
			w.WriteHeader(status)
		},
		Interstitial: func(w http.ResponseWriter, r *http.Request, ir *InterstitialRedirect) { w.WriteHeader(299) },
		CSRF: func(ctx context.Context) (CSRFConfig, bool) {
			loads++
			if ctx.Value(key{}) == "none" {
				return CSRFConfig{}, false
			}
			return CSRFConfig{CookieName: "csrf", CookiePath: "/", Origin: "https://a.example"}, true
		},
	}
	newReq := func(v string) *http.Request {
		r := httptest.NewRequest("POST", "https://a.example/x", nil)
		return r.WithContext(WithPages(context.WithValue(r.Context(), key{}, v), p))
	}

	r := newReq("some")
	if r.Context().Value(key{}) != "some" {
		t.Fatal("a parent value is lost")
	}
	rec := httptest.NewRecorder()
	WriteError(rec, r, &PageError{Status: 404, Title: "t", Message: "m"})
	if pageStatus != 404 {
		t.Errorf("error page not used: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	WriteError(rec, r, &InterstitialRedirect{Target: "https://rp.example/cb", ClientName: "RP", Code: "access_denied"})
	if rec.Code != 299 {
		t.Errorf("interstitial renderer not used: %d", rec.Code)
	}
	if loads != 0 {
		t.Fatalf("CSRF settings worked out %d times for a request that used none", loads)
	}

	rec = httptest.NewRecorder()
	tok := CSRFToken(rec, r)
	tok2 := CSRFToken(rec, r)
	if tok == "" || tok2 == "" || loads != 1 {
		t.Fatalf("tokens %q %q after %d loads", tok, tok2, loads)
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].Name != "csrf" {
		t.Fatalf("cookies %v", c)
	}
	// The token checks against its cookie under the loaded settings.
	post := httptest.NewRequest("POST", "https://a.example/x", strings.NewReader(CSRFField+"="+tok))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", "https://a.example")
	post.AddCookie(rec.Result().Cookies()[0])
	post = post.WithContext(WithPages(post.Context(), p))
	if err := CheckCSRF(post); err != nil {
		t.Errorf("valid token refused: %v", err)
	}
	post.Header.Set("Origin", "https://evil.example")
	if err := CheckCSRF(post); err == nil {
		t.Error("foreign origin accepted")
	}

	// No settings: no token, and every check fails closed.
	r = newReq("none")
	if tok := CSRFToken(httptest.NewRecorder(), r); tok != "" {
		t.Errorf("token %q without settings", tok)
	}
	if err := CheckCSRF(r); err == nil {
		t.Error("check passed without settings")
	}
}
