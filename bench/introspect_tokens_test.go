package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestIntrospectTokensDistinct: with -introspect-tokens at least -n,
// every introspection of a run asks about a token minted for that run
// and never asked about before; without it, the setup token every time.
func TestIntrospectTokensDistinct(t *testing.T) {
	var mu sync.Mutex
	issued := 0
	asked := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		issued++
		tok := "tok-" + strconv.Itoa(issued)
		mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": tok})
	})
	mux.HandleFunc("POST /introspect", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.FormValue("token")]++
		mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]bool{"active": true})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, tc := range []struct {
		name          string
		tokens, n     int
		wantDistinct  int
		wantMaxRepeat int
	}{
		{"one token", 0, 20, 1, 40},
		{"distinct", 20, 20, 40, 1},
		{"fewer tokens than requests", 5, 20, 10, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			issued, asked = 0, map[string]int{}
			mu.Unlock()
			b := &bench{
				o:              options{clientID: "c", clientSecret: "s", workers: 3, introspectTokens: tc.tokens, scenarios: "introspect"},
				http:           srv.Client(),
				tokenURL:       srv.URL + "/token",
				introspectURL:  srv.URL + "/introspect",
				introspectWhat: "setup-token",
			}
			sc := b.introspectScenario()
			for range 2 { // two runs
				if _, err := run(context.Background(), sc, limits{workers: 3, requests: tc.n, duration: time.Minute}); err != nil {
					t.Fatal(err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			most := 0
			for _, c := range asked {
				most = max(most, c)
			}
			if len(asked) != tc.wantDistinct || most != tc.wantMaxRepeat {
				t.Fatalf("%d distinct tokens introspected, one at most %d times; want %d and %d", len(asked), most, tc.wantDistinct, tc.wantMaxRepeat)
			}
		})
	}
}
