package oauth

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func TestPublicAddressPolicy(t *testing.T) {
	refused := []string{
		// The brief's list: loopback, RFC 1918, link-local (cloud metadata),
		// RFC 4193, CGNAT, and an IPv4-mapped loopback.
		"127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", "192.168.1.1", "fd00::1", "100.64.0.1", "::ffff:127.0.0.1",
		// More of each kind.
		"127.255.255.254", "172.16.0.1", "172.31.255.255", "10.255.255.255", "100.127.255.255",
		"fc00::1", "fe80::1", "fe80::1%eth0", "169.254.0.1",
		"0.0.0.0", "0.1.2.3", "::", "255.255.255.255", "240.0.0.1",
		"224.0.0.1", "239.255.255.250", "ff02::1", "ff05::2",
		"192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9", "2001:db8::1",
		// IPv4-mapped and embedding forms of refused IPv4 addresses.
		"::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:192.168.1.1", "::ffff:100.64.0.1", "::ffff:0.0.0.0",
		"::127.0.0.1", "::10.0.0.1", "64:ff9b::a00:1", "64:ff9b:1::1", "2002:a00:1::1", "2001:0:a00:1::1",
		"100::1", "fec0::1",
	}
	for _, s := range refused {
		a := netip.MustParseAddr(s)
		if publicAddress(a) {
			t.Errorf("publicAddress(%s) = true, want refused", s)
		}
	}
	allowed := []string{"8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.1", "172.32.0.1",
		"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"}
	for _, s := range allowed {
		if !publicAddress(netip.MustParseAddr(s)) {
			t.Errorf("publicAddress(%s) = false, want allowed", s)
		}
	}
	if publicAddress(netip.Addr{}) {
		t.Error("the zero address is allowed")
	}
}

// TestGuardedDialerRefusesLoopback dials a real loopback listener through
// the guard: the connection is refused before it is made, so the listener
// never sees it; the same listener is reachable without the guard.
func TestGuardedDialerRefusesLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	d := guardedDialer(publicAddress, 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, target := range []string{ln.Addr().String(), net.JoinHostPort("localhost", port)} {
		c, err := d.DialContext(ctx, "tcp", target)
		if err == nil {
			c.Close()
			t.Fatalf("dial %s succeeded through the guard", target)
		}
		var refused *errAddressRefused
		if !errors.As(err, &refused) {
			t.Fatalf("dial %s: %v, want errAddressRefused", target, err)
		}
	}
	select {
	case <-accepted:
		t.Fatal("a guarded dial reached the listener")
	case <-time.After(100 * time.Millisecond):
	}
	c, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("unguarded dial: %v", err)
	}
	c.Close()
	select {
	case <-accepted:
	case <-time.After(2 * time.Second):
		t.Fatal("the unguarded connection never arrived")
	}
}
