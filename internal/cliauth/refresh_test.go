package cliauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// tokenServer answers refresh requests: it accepts only the refresh
// token it issued last and rotates it (like the real server).
type tokenServer struct {
	current string
	calls   atomic.Int32
	noRT    bool
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if r.PostFormValue("grant_type") != "refresh_token" || r.PostFormValue("client_id") != "authalla-cli" ||
		r.PostFormValue("refresh_token") != s.current {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "unknown refresh token"})
		return
	}
	n := s.calls.Load()
	resp := map[string]any{"access_token": "at-new", "token_type": "Bearer", "expires_in": 900}
	if !s.noRT {
		s.current = "rt-" + string(rune('a'+n))
		resp["refresh_token"] = s.current
	}
	json.NewEncoder(w).Encode(resp)
}

func TestAccessTokenRefresh(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		expiry      time.Time
		refresh     string // stored refresh token
		noRT        bool   // the server does not rotate
		wantCalls   int32
		wantAT      string
		wantRT      string
		wantExpired bool
	}{
		{"valid for long", t0.Add(10 * time.Minute), "rt-0", false, 0, "at-old", "rt-0", false},
		{"unknown expiry is trusted", time.Time{}, "rt-0", false, 0, "at-old", "rt-0", false},
		{"within the skew", t0.Add(RefreshSkew - time.Second), "rt-0", false, 1, "at-new", "rt-b", false},
		{"exactly at the skew", t0.Add(RefreshSkew), "rt-0", false, 1, "at-new", "rt-b", false},
		{"expired", t0.Add(-time.Hour), "rt-0", false, 1, "at-new", "rt-b", false},
		{"no rotation keeps the refresh token", t0.Add(-time.Hour), "rt-0", true, 1, "at-new", "rt-0", false},
		{"refused refresh token", t0.Add(-time.Hour), "rt-stale", false, 1, "", "", true},
		{"no refresh token", t0.Add(-time.Hour), "", false, 0, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := &tokenServer{current: "rt-0", noRT: tc.noRT}
			srv := httptest.NewServer(ts)
			defer srv.Close()
			path := filepath.Join(t.TempDir(), "authalla", "credentials.json")
			c := sampleCreds()
			c.TokenEndpoint, c.AccessToken, c.RefreshToken, c.Expiry = srv.URL+"/token", "at-old", tc.refresh, tc.expiry
			if err := Save(path, c); err != nil {
				t.Fatal(err)
			}
			tok := &Tokens{Path: path, Creds: c, HTTP: &http.Client{Timeout: 5 * time.Second}, Clock: idp.NewFakeClock(t0)}
			at, err := tok.AccessToken(context.Background())
			if got := ts.calls.Load(); got != tc.wantCalls {
				t.Fatalf("%d token requests, want %d", got, tc.wantCalls)
			}
			if tc.wantExpired {
				if !errors.Is(err, ErrSessionExpired) {
					t.Fatalf("err = %v, want ErrSessionExpired", err)
				}
				return
			}
			if err != nil || at != tc.wantAT {
				t.Fatalf("AccessToken = %q, %v; want %q", at, err, tc.wantAT)
			}
			// What the caller uses is what the file holds.
			saved, err := Load(path)
			if err != nil || saved.AccessToken != tc.wantAT || saved.RefreshToken != tc.wantRT || tok.Creds.RefreshToken != tc.wantRT {
				t.Fatalf("saved %+v (%v); want at %q rt %q", saved, err, tc.wantAT, tc.wantRT)
			}
			if tc.wantCalls > 0 && !saved.Expiry.Equal(t0.Add(900*time.Second)) {
				t.Fatalf("expiry %v", saved.Expiry)
			}
		})
	}
}

// TestRefreshSavesBeforeUse: when the rotated tokens cannot be saved the
// new access token is not handed out (the old refresh token is already
// spent, and a token the file does not hold would be lost).
func TestRefreshSavesBeforeUse(t *testing.T) {
	ts := &tokenServer{current: "rt-0"}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	dir := t.TempDir()
	c := sampleCreds()
	c.TokenEndpoint, c.RefreshToken, c.Expiry = srv.URL+"/token", "rt-0", time.Time{}
	c.AccessToken = ""
	// The credentials "file" is a directory that cannot be replaced.
	blocked := filepath.Join(dir, "blocked")
	if err := Save(filepath.Join(blocked, "x", "y"), sampleCreds()); err != nil {
		t.Fatal(err)
	}
	tok := &Tokens{Path: blocked, Creds: c, HTTP: &http.Client{Timeout: 5 * time.Second}, Clock: idp.NewFakeClock(time.Now())}
	at, err := tok.AccessToken(context.Background())
	if err == nil || at != "" {
		t.Fatalf("AccessToken = %q, %v; want a save error", at, err)
	}
	if c.AccessToken != "" || c.RefreshToken != "rt-0" {
		t.Fatalf("credentials changed in memory although not saved: %+v", c)
	}
}

// TestConcurrentRuns: two runs of the CLI hold the same login; the first
// refreshes (rotating the refresh token). The second, holding the spent
// refresh token, takes the saved tokens instead of presenting the spent
// one, both before asking (the file already changed) and after a refusal
// (the file changed while it asked).
func TestConcurrentRuns(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := idp.NewFakeClock(t0)
	hc := &http.Client{Timeout: 5 * time.Second}
	for _, during := range []bool{false, true} {
		ts := &tokenServer{current: "rt-0"}
		path := filepath.Join(t.TempDir(), "authalla", "credentials.json")
		var mux http.ServeMux
		var winner *Tokens
		mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
			if during && r.PostFormValue("refresh_token") == "rt-0" && winner != nil {
				// The other run wins the race while this request is on its way.
				w2 := winner
				winner = nil
				if _, err := w2.AccessToken(r.Context()); err != nil {
					t.Error(err)
				}
			}
			ts.ServeHTTP(w, r)
		})
		srv := httptest.NewServer(&mux)
		c := sampleCreds()
		c.TokenEndpoint, c.RefreshToken, c.Expiry = srv.URL+"/token", "rt-0", t0.Add(-time.Minute)
		if err := Save(path, c); err != nil {
			t.Fatal(err)
		}
		load := func() *Tokens {
			cr, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			return &Tokens{Path: path, Creds: cr, HTTP: hc, Clock: clock}
		}
		first, second := load(), load()
		if during {
			winner = first
		} else if _, err := first.AccessToken(context.Background()); err != nil {
			t.Fatal(err)
		}
		at, err := second.AccessToken(context.Background())
		if err != nil || at != "at-new" || second.Creds.RefreshToken != ts.current {
			t.Fatalf("during=%v: second run: %q %v, refresh token %q (live %q)", during, at, err, second.Creds.RefreshToken, ts.current)
		}
		srv.Close()
	}
}
