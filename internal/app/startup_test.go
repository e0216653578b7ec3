package app

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestServeAnswersDuringStartup: a client that asks for the admin
// issuer's discovery document while the server starts (its port is bound
// before the start is prepared, so its connection may wait in the
// backlog) gets the right answer as its first answer, never one served
// before the install is ready: on a first start the admin tenant does not
// exist until the bootstrap has created it.
func TestServeAnswersDuringStartup(t *testing.T) {
	for _, restart := range []bool{false, true} {
		name := "first start"
		if restart {
			name = "restart"
		}
		t.Run(name, func(t *testing.T) { testAnswersDuringStartup(t, restart) })
	}
}

func testAnswersDuringStartup(t *testing.T, restart bool) {
	dir := t.TempDir()
	if restart {
		_, _, stop, stderr := startServe(t, dir)
		if code := stop(); code != 0 {
			t.Fatalf("first start: exit code %d\n%s", code, stderr.String())
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	type answer struct {
		code   int
		issuer string
	}
	got := make(chan answer, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	asking := make(chan struct{})
	go func() {
		c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		close(asking)
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/.well-known/openid-configuration", nil)
			req.Host = "localhost:8080"
			resp, err := c.Do(req)
			if err != nil {
				time.Sleep(time.Millisecond) // not bound yet
				continue
			}
			var doc struct {
				Issuer string `json:"issuer"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			got <- answer{resp.StatusCode, doc.Issuer}
			return
		}
	}()
	<-asking
	_, _, stop, stderr := startServe(t, dir, "--listen", addr)
	defer func() {
		if code := stop(); code != 0 {
			t.Errorf("restart: exit code %d\n%s", code, stderr.String())
		}
	}()
	select {
	case a := <-got:
		if a.code != http.StatusOK || a.issuer != "http://localhost:8080" {
			t.Fatalf("first answer during the start: %d, issuer %q", a.code, a.issuer)
		}
	case <-ctx.Done():
		t.Fatal("no answer")
	}
}
