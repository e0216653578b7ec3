package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestWriteErrorMapping(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		path       string
		wantStatus int
		wantCode   string
	}{
		{"oauth error", &OAuthError{Code: "invalid_grant", Description: "bad"}, "/oauth2/token", 400, "invalid_grant"},
		{"oauth 401", &OAuthError{Code: "invalid_client", Status: 401, WWWAuthenticate: `Basic realm="x"`}, "/oauth2/token", 401, "invalid_client"},
		{"not found", fmt.Errorf("get client: %w", idp.ErrNotFound), "/api/v1/clients/x", 404, "not_found"},
		{"conflict", idp.ErrConflict, "/api/v1/clients", 409, "conflict"},
		{"validation", idp.Invalid("redirect_uris", "must be https"), "/api/v1/clients", 400, "invalid_request"},
		{"forbidden", idp.ErrForbidden, "/api/v1/tenants", 403, "forbidden"},
		{"unavailable", fmt.Errorf("db: %w", idp.ErrUnavailable), "/api/v1/tenants", 503, "temporarily_unavailable"},
		{"internal", errors.New("pq: password authentication failed for secret-xyz"), "/api/v1/tenants", 500, "server_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, httptest.NewRequest("GET", tc.path, nil), tc.err)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body not JSON: %q", rec.Body.String())
			}
			if body["error"] != tc.wantCode {
				t.Fatalf("error = %v, want %s", body["error"], tc.wantCode)
			}
			if strings.Contains(rec.Body.String(), "secret-xyz") {
				t.Fatal("internal error text leaked to the client")
			}
		})
	}
}

func TestOAuthErrorHeaders(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, httptest.NewRequest("POST", "/oauth2/token", nil), &OAuthError{Code: "invalid_client", Status: 401, WWWAuthenticate: `Basic realm="r"`, Description: "line1\r\nline2\t\"x\""})
	if rec.Header().Get("WWW-Authenticate") != `Basic realm="r"` || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("headers: %v", rec.Header())
	}
	var body map[string]string
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if strings.ContainsAny(body["error_description"], "\r\n\t\"") {
		t.Fatalf("error_description not sanitised: %q", body["error_description"])
	}
}

func TestPageErrorUsesRenderer(t *testing.T) {
	var got string
	r := httptest.NewRequest("GET", "/oauth2/authorize", nil)
	r = r.WithContext(WithPageRenderer(r.Context(), func(w http.ResponseWriter, _ *http.Request, status int, title, msg string) {
		got = title + "|" + msg
		w.WriteHeader(status)
	}))
	rec := httptest.NewRecorder()
	WriteError(rec, r, &PageError{Status: 400, Title: "Invalid request", Message: "unknown client"})
	if rec.Code != 400 || got != "Invalid request|unknown client" || rec.Header().Get("Location") != "" {
		t.Fatalf("got %d %q", rec.Code, got)
	}
}

func TestProxies(t *testing.T) {
	p := Proxies{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		remote, xff, xfh string
		wantIP, wantHost string
	}{
		{"203.0.113.1:1", "1.2.3.4", "evil.test", "203.0.113.1", "app.test"},
		{"10.0.0.1:1", "1.2.3.4", "tenant.test", "1.2.3.4", "tenant.test"},
		{"10.0.0.1:1", "6.6.6.6, 1.2.3.4, 10.0.0.2", "", "1.2.3.4", "app.test"},
		{"[::ffff:10.0.0.1]:1", "1.2.3.4", "", "1.2.3.4", "app.test"},
		{"10.0.0.1:1", "garbage", "", "10.0.0.1", "app.test"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = "app.test"
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if tc.xfh != "" {
			r.Header.Set("X-Forwarded-Host", tc.xfh)
		}
		if got := p.ClientIP(r); got != tc.wantIP {
			t.Errorf("%s %s: ClientIP = %s, want %s", tc.remote, tc.xff, got, tc.wantIP)
		}
		if got := p.Host(r); got != tc.wantHost {
			t.Errorf("%s %s: Host = %s, want %s", tc.remote, tc.xfh, got, tc.wantHost)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	h := Front(FrontOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBody: 10}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(strings.Repeat("a", 100))))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413", rec.Code)
	}
}
