package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// faultExhaustion is SECURITY-TESTS 56 (the parts a loopback test can
// reach): a body over the 1 MiB limit is refused with 413; a client that
// sends its headers slowly is disconnected by ReadHeaderTimeout; a spray of
// distinct source addresses (X-Forwarded-For from a trusted proxy) through
// the address-keyed limiters leaves the process's memory bounded; and
// SIGTERM lets a request already in flight finish before the process exits.
func faultExhaustion(ctx context.Context, t *testing.T, bin string) {
	fx := newFaultFixture(ctx, t, bin, "", "--trusted-proxies", "127.0.0.1/32", "--shutdown-grace", "20s")
	addr := strings.TrimPrefix(fx.srv.url, "http://")
	tokenURL := fx.srv.url + "/t/" + faultTenant + "/oauth2/token"

	t.Run("oversized body is 413", func(t *testing.T) {
		body := "grant_type=client_credentials&pad=" + strings.Repeat("a", 2<<20)
		for _, u := range []string{tokenURL, fx.srv.url + "/api/v1/users"} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Bearer "+fx.mach.token)
			a := send(faultClient(15*time.Second), req)
			if a.err == nil && a.status != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s with a 2 MiB body = %v, want 413", u, a)
			}
			if a.err != nil && !strings.Contains(a.err.Error(), "reset") && !strings.Contains(a.err.Error(), "broken pipe") {
				t.Errorf("POST %s with a 2 MiB body: %v", u, a.err)
			}
		}
	})

	t.Run("slow headers are dropped by ReadHeaderTimeout", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		began := time.Now()
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\nX-Slow: "); err != nil {
			t.Fatal(err)
		}
		// Trickle a byte a second, never finishing the header block.
		closed := make(chan error, 1)
		go func() {
			buf := make([]byte, 512)
			_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			for {
				if _, err := conn.Read(buf); err != nil {
					closed <- err
					return
				}
			}
		}()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case err := <-closed:
				took := time.Since(began)
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("the server kept the slow connection open for %s", took)
				}
				if took > 10*time.Second {
					t.Fatalf("the slow connection was closed only after %s, want about ReadHeaderTimeout (5 s)", took)
				}
				t.Logf("slow-header connection closed after %s (%v)", took.Round(time.Millisecond), err)
				return
			case <-tick.C:
				_, _ = io.WriteString(conn, "a")
			}
		}
	})

	t.Run("limiter memory stays bounded under an address spray", func(t *testing.T) {
		pid := fx.srv.current().cmd.Process.Pid
		before := rssKB(t, pid)
		n := pick(8000, 100000)
		var sent atomic.Int64
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := faultClient(10 * time.Second)
				for i := w; i < n; i += 16 {
					// A forged management token from a fresh address: the
					// API's failure throttle remembers the address.
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fx.srv.url+"/api/v1/users", nil)
					req.Header.Set("Authorization", "Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA")
					req.Header.Set("X-Forwarded-For", fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff))
					a := send(c, req)
					if a.err == nil && a.status >= 500 {
						t.Errorf("sprayed request = %v", a)
						return
					}
					// And a bad client secret at the token endpoint.
					a = postForm(ctx, c, tokenURL, url.Values{"grant_type": {"client_credentials"}}, fmt.Sprintf("ghost-%d", i), "wrong")
					if a.err == nil && a.status >= 500 {
						t.Errorf("sprayed token request = %v", a)
						return
					}
					sent.Add(2)
				}
			}()
		}
		wg.Wait()
		after := rssKB(t, pid)
		t.Logf("%d requests from %d distinct addresses: RSS %d KiB → %d KiB", sent.Load(), n, before, after)
		// Every limiter keeps at most 10,000 keys; unbounded maps would
		// grow by hundreds of bytes per address.
		if grew := after - before; grew > 48*1024 {
			t.Errorf("RSS grew by %d KiB over %d distinct addresses: a limiter is not bounded", grew, n)
		}
	})

	t.Run("SIGTERM drains an in-flight request", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		form := "grant_type=client_credentials&resource=" + url.QueryEscape("urn:authalla:management") + "&scope=users%3Aread"
		head := fmt.Sprintf("POST /t/%s/oauth2/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: Basic %s\r\nContent-Length: %d\r\n\r\n",
			faultTenant, addr, basic(fx.mach.id, fx.mach.secret), len(form))
		// The request has begun: headers and half the body are sent.
		if _, err := io.WriteString(conn, head+form[:len(form)/2]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		p := fx.srv.current()
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second) // the server is shutting down now
		if _, err := io.WriteString(conn, form[len(form)/2:]); err != nil {
			t.Fatalf("the in-flight request's connection was closed by SIGTERM: %v", err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to the request in flight at SIGTERM: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "access_token") {
			t.Fatalf("the request in flight at SIGTERM = %d %s, want 200 with a token", resp.StatusCode, body)
		}
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			t.Fatal("the server did not exit after draining")
		}
		// New connections are refused once it is gone.
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Error("the server still accepts connections after SIGTERM")
		}
	})
}

// basic is the HTTP Basic credential of RFC 6749 §2.3.1.
func basic(id, secret string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// rssKB reads a process's resident set size from /proc.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	t.Skip("no VmRSS")
	return 0
}
