package oauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/httpx"
)

// oauthCode returns the OAuth error code and status of err, or "" if err
// is not an *httpx.OAuthError.
func oauthCode(err error) (string, int) {
	var oe *httpx.OAuthError
	if !errors.As(err, &oe) {
		return "", 0
	}
	return oe.Code, oe.Status
}

func TestReadPostForm(t *testing.T) {
	tests := []struct {
		name, contentType, body, wantCode string
	}{
		{"ok", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=a", ""},
		{"charset parameter", "application/x-www-form-urlencoded; charset=UTF-8", "grant_type=x", ""},
		{"resource may repeat (RFC 8707)", "application/x-www-form-urlencoded", "resource=https://a&resource=https://b", ""},
		{"repeated parameter", "application/x-www-form-urlencoded", "code=a&code=b", "invalid_request"},
		{"json body", "application/json", `{"grant_type":"x"}`, "invalid_request"},
		{"no content type", "", "grant_type=x", "invalid_request"},
		{"bad encoding", "application/x-www-form-urlencoded", "a=%zz", "invalid_request"},
		{"too large", "application/x-www-form-urlencoded", "a=" + strings.Repeat("x", maxFormBytes), "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			_, err := readPostForm(httptest.NewRecorder(), r)
			if code, _ := oauthCode(err); code != tt.wantCode || (tt.wantCode == "" && err != nil) {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
		})
	}
}

func TestRejectQuery(t *testing.T) {
	tests := []struct {
		query, wantCode string
		wantStatus      int
	}{
		{"", "", 0},
		{"client_secret=s", "invalid_client", http.StatusUnauthorized},
		{"client_id=app-web", "invalid_client", http.StatusUnauthorized},
		{"code=abc", "invalid_request", http.StatusBadRequest},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/token?"+tt.query, nil)
		code, status := oauthCode(rejectQuery(r))
		if code != tt.wantCode || status != tt.wantStatus {
			t.Errorf("query %q: %q %d, want %q %d", tt.query, code, status, tt.wantCode, tt.wantStatus)
		}
	}
}

// writeErrorForTest writes err through the one error mapper.
func writeErrorForTest(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, err)
}
