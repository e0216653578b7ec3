package httpx

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// TestServiceUnavailable: every 503 carries Retry-After (RFC 9110
// §10.2.3) whatever produced it, and the management API answers JSON under
// a path issuer as on a tenant host (SECURITY-TESTS 51).
func TestServiceUnavailable(t *testing.T) {
	down := fmt.Errorf("sqlstore: get user: %w: dial tcp 127.0.0.1:5432: connect: connection refused", idp.ErrUnavailable)
	tests := []struct {
		name     string
		err      error
		path     string
		wantJSON bool
	}{
		{"store down, API on a tenant host", down, "/api/v1/users", true},
		{"store down, API under a path issuer", down, "/t/shop/api/v1/users", true},
		{"store down, a page", down, "/t/shop/oauth2/login", false},
		{"oauth 503", &OAuthError{Code: "temporarily_unavailable", Status: http.StatusServiceUnavailable}, "/oauth2/token", true},
		{"api 503", &APIError{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable"}, "/api/v1/users", true},
		{"page 503", &PageError{Status: http.StatusServiceUnavailable, Title: "Unavailable"}, "/oauth2/login", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, httptest.NewRequest(http.MethodGet, tc.path, nil), tc.err)
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("status = %d, want 503", rec.Code)
			}
			if got := rec.Header().Get("Retry-After"); got != retryAfterSeconds {
				t.Errorf("Retry-After = %q, want %q", got, retryAfterSeconds)
			}
			isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
			if isJSON != tc.wantJSON {
				t.Errorf("Content-Type = %q, want JSON %v", rec.Header().Get("Content-Type"), tc.wantJSON)
			}
			if isJSON {
				var body map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] != "temporarily_unavailable" {
					t.Errorf("body = %s, want error temporarily_unavailable", rec.Body)
				}
			}
			if strings.Contains(rec.Body.String(), "5432") || strings.Contains(rec.Body.String(), "dial") {
				t.Errorf("the answer shows the cause: %s", rec.Body)
			}
		})
	}
}

// TestIsAPIPath: only the management API's paths.
func TestIsAPIPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/api/v1/users": true, "/t/shop/api/v1/users": true, "/t/shop/api/": true,
		"/t/api/oauth2/token": false, "/oauth2/token": false, "/t/shop/oauth2/login": false, "/apix": false, "/t/": false,
	} {
		if got := isAPIPath(p); got != want {
			t.Errorf("isAPIPath(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestAPIErrorRetryAfter: an APIError's wait becomes Retry-After in whole
// seconds, rounded up so that a client never retries too early, and at
// least 1.
func TestAPIErrorRetryAfter(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want string
	}{
		{1500 * time.Millisecond, "2"},
		{30 * time.Second, "30"},
		{time.Millisecond, "1"},
		{0, ""},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest(http.MethodGet, "/api/v1/users", nil),
			&APIError{Status: http.StatusTooManyRequests, Code: "too_many_requests", RetryAfter: tc.wait})
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("wait %v: status %d, want 429", tc.wait, rec.Code)
		}
		if got := rec.Header().Get("Retry-After"); got != tc.want {
			t.Errorf("wait %v: Retry-After = %q, want %q", tc.wait, got, tc.want)
		}
	}
}
