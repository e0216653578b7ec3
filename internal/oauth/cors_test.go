package oauth

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

func TestCORS(t *testing.T) {
	info := &tenant.Info{Tenant: &idp.Tenant{ID: "acme", AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000"}}, Issuer: "https://acme.example.com"}
	p := &Provider{}
	reached := false
	h := p.cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		w.WriteHeader(http.StatusTeapot)
	}))
	tests := []struct {
		name, method, origin, reqMethod string
		wantStatus                      int
		wantACAO                        string
		wantReached                     bool
		wantMethods                     string
	}{
		{"allowed origin", "POST", "https://app.example.com", "", http.StatusTeapot, "https://app.example.com", true, ""},
		{"allowed loopback origin", "GET", "http://localhost:3000", "", http.StatusTeapot, "http://localhost:3000", true, ""},
		{"unknown origin", "POST", "https://evil.example", "", http.StatusTeapot, "", true, ""},
		{"origin differs by scheme", "POST", "http://app.example.com", "", http.StatusTeapot, "", true, ""},
		{"origin with trailing slash", "POST", "https://app.example.com/", "", http.StatusTeapot, "", true, ""},
		{"origin differs by case", "POST", "https://APP.example.com", "", http.StatusTeapot, "", true, ""},
		{"null origin", "POST", "null", "", http.StatusTeapot, "", true, ""},
		{"no origin", "GET", "", "", http.StatusTeapot, "", true, ""},
		{"preflight allowed", "OPTIONS", "https://app.example.com", "POST", http.StatusNoContent, "https://app.example.com", false, "GET, POST"},
		{"preflight refused", "OPTIONS", "https://evil.example", "POST", http.StatusNoContent, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reached = false
			r := httptest.NewRequest(tt.method, "https://acme.example.com/oauth2/token", nil)
			r = r.WithContext(tenant.NewContext(r.Context(), info))
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.reqMethod != "" {
				r.Header.Set("Access-Control-Request-Method", tt.reqMethod)
				r.Header.Set("Access-Control-Request-Headers", "authorization")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tt.wantACAO {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantACAO)
			}
			if got := w.Header().Get("Access-Control-Allow-Methods"); got != tt.wantMethods {
				t.Errorf("Access-Control-Allow-Methods = %q, want %q", got, tt.wantMethods)
			}
			if tt.wantMethods != "" && w.Header().Get("Access-Control-Allow-Headers") != corsAllowHeaders {
				t.Errorf("Access-Control-Allow-Headers = %q", w.Header().Get("Access-Control-Allow-Headers"))
			}
			if reached != tt.wantReached {
				t.Errorf("handler reached = %v, want %v", reached, tt.wantReached)
			}
			if got := w.Header().Values("Vary"); len(got) != 1 || got[0] != "Origin" {
				t.Errorf("Vary = %q, want [Origin]", got)
			}
			if w.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials must never be allowed")
			}
		})
	}
}

// TestCORSVaryAppends: Vary: Origin joins a Vary set before the CORS
// wrapper and never changes another answer's shared value.
func TestCORSVaryAppends(t *testing.T) {
	info := &tenant.Info{Tenant: &idp.Tenant{ID: "acme"}, Issuer: "https://acme.example.com"}
	h := (&Provider{}).cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, before := range [][]string{nil, {"Accept-Encoding"}} {
		w := httptest.NewRecorder()
		if before != nil {
			w.Header()["Vary"] = append([]string(nil), before...)
		}
		r := httptest.NewRequest("GET", "https://acme.example.com/.well-known/jwks.json", nil)
		h.ServeHTTP(w, r.WithContext(tenant.NewContext(r.Context(), info)))
		got := w.Header().Values("Vary")
		if want := append(before, "Origin"); len(got) != len(want) || got[len(got)-1] != "Origin" || got[0] != want[0] {
			t.Errorf("Vary = %q, want %q", got, want)
		}
		w.Header().Add("Vary", "Cookie") // a later Add must not reach the shared value
	}
	if len(hdrVaryOrigin) != 1 || hdrVaryOrigin[0] != "Origin" {
		t.Fatalf("shared Vary value changed: %q", hdrVaryOrigin)
	}
}
