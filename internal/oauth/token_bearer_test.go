package oauth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name, method, target string
		headers              []string
		form                 string
		allowBody            bool
		want, wantCode       string
		wantStatus           int
	}{
		{"header", "GET", "/oauth2/userinfo", []string{"Bearer abc.def.ghi"}, "", false, "abc.def.ghi", "", 0},
		{"scheme case-insensitive", "GET", "/oauth2/userinfo", []string{"bearer abc"}, "", false, "abc", "", 0},
		{"b64token padding", "GET", "/oauth2/userinfo", []string{"Bearer ab+/c=="}, "", false, "ab+/c==", "", 0},
		{"missing", "GET", "/oauth2/userinfo", nil, "", false, "", "invalid_token", 401},
		{"basic scheme", "GET", "/oauth2/userinfo", []string{"Basic YTpi"}, "", false, "", "invalid_token", 401},
		{"bad characters", "GET", "/oauth2/userinfo", []string{"Bearer a b"}, "", false, "", "invalid_token", 401},
		{"only padding", "GET", "/oauth2/userinfo", []string{"Bearer =="}, "", false, "", "invalid_token", 401},
		{"two headers", "GET", "/oauth2/userinfo", []string{"Bearer a", "Bearer b"}, "", false, "", "invalid_request", 400},
		{"query string (RFC 6750 §2.3)", "GET", "/oauth2/userinfo?access_token=abc", nil, "", false, "", "invalid_request", 400},
		{"query string with header too", "GET", "/oauth2/userinfo?access_token=abc", []string{"Bearer abc"}, "", false, "", "invalid_request", 400},
		{"form body", "POST", "/oauth2/userinfo", nil, "access_token=abc", true, "abc", "", 0},
		{"form body not allowed", "POST", "/oauth2/me", nil, "access_token=abc", false, "", "invalid_token", 401},
		{"header and body", "POST", "/oauth2/userinfo", []string{"Bearer abc"}, "access_token=abc", true, "", "invalid_request", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.form))
			if tt.form != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			for _, h := range tt.headers {
				r.Header.Add("Authorization", h)
			}
			got, err := bearerToken(httptest.NewRecorder(), r, tt.allowBody)
			code, status := oauthCode(err)
			if got != tt.want || code != tt.wantCode || status != tt.wantStatus {
				t.Fatalf("bearerToken = %q, %v (%q %d); want %q (%q %d)", got, err, code, status, tt.want, tt.wantCode, tt.wantStatus)
			}
		})
	}
	// The challenge names the error (RFC 6750 §3).
	r := httptest.NewRequest(http.MethodGet, "/oauth2/userinfo", nil)
	_, err := bearerToken(httptest.NewRecorder(), r, false)
	w := httptest.NewRecorder()
	writeErrorForTest(w, r, err)
	if got := w.Header().Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
		t.Fatalf("WWW-Authenticate = %q", got)
	}
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d", w.Code)
	}
}
