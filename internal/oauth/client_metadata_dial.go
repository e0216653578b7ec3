package oauth

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// nonPublicPrefixes are the special-purpose ranges (RFC 6890 and its
// updates) a metadata document fetch never connects to, besides what the
// netip predicates in publicAddress already cover: they reach the server's
// own networks, or addresses that are not globally routable unicast.
var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791, RFC 6890 §2.2.2)
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space, CGNAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2 (RFC 5737)
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3 (RFC 5737)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the limited broadcast address (RFC 1112, RFC 919)
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1), with :: and ::1
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 well-known prefix: embeds any IPv4 address (RFC 6052)
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only (RFC 6666)
	netip.MustParsePrefix("2001::/32"),       // Teredo: embeds an IPv4 address (RFC 4380)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation (RFC 3849)
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address (RFC 3056)
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated, RFC 3879)
}

// publicAddress reports whether a metadata document may be fetched from
// a: a globally routable unicast address. Loopback, private (RFC 1918,
// RFC 4193), link-local, multicast and unspecified addresses are refused,
// as are the ranges of nonPublicPrefixes; an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is judged as the IPv4 address it
// carries. This is the server-side request forgery guard of the client
// metadata fetch (draft-ietf-oauth-client-id-metadata-document, Security
// Considerations: the authorization server fetches a URL chosen by anyone).
func publicAddress(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublicPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// errAddressRefused is returned by the guarded dialer for an address the
// policy refuses.
type errAddressRefused struct{ addr string }

func (e *errAddressRefused) Error() string {
	return "client metadata: refusing to connect to non-public address " + e.addr
}

// guardedDialer returns a dialer whose every connection attempt is
// checked against allow after DNS resolution, on the address actually
// dialled (net.Dialer.Control runs once per attempt, after the lookup).
// Checking there rather than before the request means a name that
// resolves to a public address at check time and to a private one when
// dialled (DNS rebinding) is still refused, and so is every address of a
// name with several.
func guardedDialer(allow func(netip.Addr) bool, timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout: timeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			if network != "tcp4" && network != "tcp6" {
				return fmt.Errorf("client metadata: refusing network %q", network)
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &errAddressRefused{addr: address}
			}
			if !allow(ap.Addr()) {
				return &errAddressRefused{addr: ap.Addr().String()}
			}
			return nil
		},
	}
}
