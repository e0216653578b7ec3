package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is the set of peers whose X-Forwarded-* headers are trusted.
// Headers from any other peer are ignored (RFC 9700 §4.13: the issuer and
// every absolute URL must not come from attacker-controlled headers).
type Proxies []netip.Prefix

// peer returns the immediate peer address of r.
func peer(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// Trusted reports whether r came directly from a trusted proxy.
func (p Proxies) Trusted(r *http.Request) bool {
	if len(p) == 0 {
		return false // no proxy is trusted: the peer need not be parsed
	}
	a := peer(r)
	if !a.IsValid() {
		return false
	}
	for _, pr := range p {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// Host returns the host the client asked for: X-Forwarded-Host (first
// value) from a trusted proxy, else the Host header. Lower-cased.
func (p Proxies) Host(r *http.Request) string {
	if p.Trusted(r) {
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
			return strings.ToLower(h)
		}
	}
	return strings.ToLower(r.Host)
}

// ClientIP returns the client address: the right-most untrusted address of
// X-Forwarded-For when the peer is a trusted proxy, else the peer.
func (p Proxies) ClientIP(r *http.Request) string {
	a := peer(r)
	if p.Trusted(r) {
		parts := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
		for i := len(parts) - 1; i >= 0; i-- {
			x, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
			if err != nil {
				break
			}
			x = x.Unmap()
			a = x
			if !p.contains(x) {
				break
			}
		}
	}
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func (p Proxies) contains(a netip.Addr) bool {
	for _, pr := range p {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

func firstValue(s string) string {
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
