package cliauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRevoke(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("client_id") != "authalla-cli" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got = append(got, r.PostFormValue("token_type_hint")+"="+r.PostFormValue("token"))
	}))
	defer srv.Close()
	hc := &http.Client{Timeout: 5 * time.Second}
	c := sampleCreds()
	c.RevocationEndpoint = srv.URL
	if err := Revoke(context.Background(), hc, c); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "refresh_token=rt-1" || got[1] != "access_token=at-1" {
		t.Fatalf("revocation requests %v", got)
	}
	c.ClientID = "other" // the server refuses: the error says so, without the token
	err := Revoke(context.Background(), hc, c)
	if err == nil {
		t.Fatal("a refused revocation succeeded")
	}
	for _, secret := range []string{"rt-1", "at-1"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error carries a token: %v", err)
		}
	}
	c.RevocationEndpoint = ""
	if err := Revoke(context.Background(), hc, c); err == nil {
		t.Fatal("no revocation endpoint: no error")
	}
}
