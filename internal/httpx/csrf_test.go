package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

var testCSRF = CSRFConfig{
	CookieName: "__Host-authalla_csrf",
	CookiePath: "/",
	Secure:     true,
	Origin:     "https://acme.example.test",
}

// issue runs CSRFToken on a fresh GET and returns the form value and the
// cookie it set.
func issue(t *testing.T, cfg CSRFConfig) (string, *http.Cookie) {
	t.Helper()
	r := httptest.NewRequest("GET", "https://acme.example.test/oauth2/login", nil)
	r = r.WithContext(WithCSRF(r.Context(), cfg))
	w := httptest.NewRecorder()
	tok := CSRFToken(w, r)
	// A second call in the same request reuses the token: one cookie only.
	tok2 := CSRFToken(w, r)
	if tok == "" || tok2 == "" || tok == tok2 {
		t.Fatalf("tokens %q %q: want two different non-empty masked values", tok, tok2)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie count = %d, want 1", len(cookies))
	}
	return tok, cookies[0]
}

func TestCSRFCookieAttributes(t *testing.T) {
	_, c := issue(t, testCSRF)
	if c.Name != "__Host-authalla_csrf" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie = %+v", c)
	}
	if len(c.Value) != 43 { // 32 bytes, base64url
		t.Fatalf("cookie value length %d", len(c.Value))
	}
}

func TestCSRFTokenReusesCookie(t *testing.T) {
	tok, c := issue(t, testCSRF)
	r := httptest.NewRequest("GET", "https://acme.example.test/oauth2/login", nil)
	r.AddCookie(c)
	r = r.WithContext(WithCSRF(r.Context(), testCSRF))
	w := httptest.NewRecorder()
	tok2 := CSRFToken(w, r)
	if len(w.Result().Cookies()) != 0 {
		t.Fatal("a valid cookie was replaced")
	}
	a, _ := unmask(tok)
	b, _ := unmask(tok2)
	if string(a) != string(b) {
		t.Fatal("masked values of the same cookie unmask differently")
	}
}

func TestSec30CSRFCheck(t *testing.T) {
	tok, c := issue(t, testCSRF)
	_, other := issue(t, testCSRF)
	tests := []struct {
		name    string
		field   string
		cookie  *http.Cookie
		headers map[string]string
		cfg     *CSRFConfig
		ok      bool
	}{
		{name: "valid", field: tok, cookie: c, ok: true},
		{name: "valid same-origin fetch metadata", field: tok, cookie: c, headers: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "https://acme.example.test"}, ok: true},
		{name: "Origin null (no-referrer page)", field: tok, cookie: c, headers: map[string]string{"Origin": "null"}, ok: true},
		{name: "user-initiated", field: tok, cookie: c, headers: map[string]string{"Sec-Fetch-Site": "none"}, ok: true},
		{name: "missing field", cookie: c},
		{name: "missing cookie", field: tok},
		{name: "cookie of another browser", field: tok, cookie: other},
		{name: "unmasked cookie value as field", field: c.Value, cookie: c},
		{name: "garbage field", field: strings.Repeat("A", len(tok)), cookie: c},
		{name: "cross-site", field: tok, cookie: c, headers: map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{name: "same-site sibling host", field: tok, cookie: c, headers: map[string]string{"Sec-Fetch-Site": "same-site"}},
		{name: "foreign Origin", field: tok, cookie: c, headers: map[string]string{"Origin": "https://evil.example"}},
		{name: "sibling tenant Origin", field: tok, cookie: c, headers: map[string]string{"Origin": "https://other.example.test"}},
		{name: "no configuration", field: tok, cookie: c, cfg: &CSRFConfig{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			if tc.field != "" {
				form.Set(CSRFField, tc.field)
			}
			r := httptest.NewRequest("POST", "https://acme.example.test/oauth2/login", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if tc.cookie != nil {
				r.AddCookie(tc.cookie)
			}
			if tc.cfg == nil {
				r = r.WithContext(WithCSRF(r.Context(), testCSRF))
			}
			err := CheckCSRF(r)
			if tc.ok {
				if err != nil {
					t.Fatalf("CheckCSRF = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrCSRF) {
				t.Fatalf("CheckCSRF = %v, want ErrCSRF", err)
			}
			w := httptest.NewRecorder()
			WriteError(w, r, err)
			if w.Code != http.StatusForbidden {
				t.Fatalf("status = %d, want 403", w.Code)
			}
		})
	}
}

func TestCSRFTokenWithoutConfig(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	if got := CSRFToken(w, r); got != "" {
		t.Fatalf("CSRFToken without config = %q", got)
	}
	if len(w.Result().Cookies()) != 0 {
		t.Fatal("cookie set without config")
	}
}
