package oauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Limits of one metadata document fetch (the MCP authorization
// specification suggests bounding both; a client's metadata is a few
// hundred bytes).
const (
	defaultMetadataFetchTimeout = 5 * time.Second
	maxMetadataDocumentBytes    = 5 << 10
	maxMetadataHeaderBytes      = 16 << 10
)

// metadataFetcher GETs client metadata documents over https only, with no
// proxy, no redirects, a size and a time limit, and every connection
// checked by the address policy at dial time.
type metadataFetcher struct {
	client  *http.Client
	timeout time.Duration
}

// newMetadataFetcher builds the fetcher. allow is the address policy
// (publicAddress outside tests); rootCAs nil means the system roots.
func newMetadataFetcher(allow func(netip.Addr) bool, rootCAs *x509.CertPool, timeout time.Duration) *metadataFetcher {
	dialer := guardedDialer(allow, timeout)
	tr := &http.Transport{
		// No proxy: a proxy would make the connection, and the address
		// check would then judge the proxy instead of the document's host.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: rootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: maxMetadataHeaderBytes,
		// The size limit is then on the bytes that arrive, not on what
		// they would decompress to.
		DisableCompression:  true,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        16,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
	}
	return &metadataFetcher{
		timeout: timeout,
		client: &http.Client{
			Transport: tr,
			Timeout:   timeout,
			// Redirects are not followed: the document must be at the URL
			// that is the client_id (the draft compares them exactly), and
			// a redirect could point the fetch anywhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// fetched is a document as it arrived.
type fetched struct {
	body []byte
	// maxAge is the response's Cache-Control max-age (0 with no-store or
	// no-cache); hasMaxAge is false when the response gave none.
	maxAge    time.Duration
	hasMaxAge bool
}

// fetch GETs the document at clientID, which checkClientIDURL accepted.
// The caller's cancellation is not inherited (the result is cached and
// shared by concurrent requests); the fetcher's own timeout bounds it.
func (f *metadataFetcher) fetch(ctx context.Context, clientID string) (*fetched, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, clientID, nil)
	if err != nil {
		return nil, metadataRefused("the client_id is not a valid URL")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Authalla (client metadata document fetch)")
	res, err := f.client.Do(req)
	if err != nil {
		return nil, f.transportError(err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode >= 300 && res.StatusCode < 400:
		return nil, metadataRefused("the client_id URL redirects, and redirects are not followed")
	case res.StatusCode != http.StatusOK:
		return nil, metadataRefused("the client_id URL answered HTTP " + strconv.Itoa(res.StatusCode) + ", not 200")
	}
	if !jsonMediaType(res.Header.Get("Content-Type")) {
		return nil, metadataRefused("the document is not served as application/json")
	}
	if res.ContentLength > maxMetadataDocumentBytes {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxMetadataDocumentBytes+1))
	if err == nil && ctx.Err() != nil {
		// The deadline passed while the body was read: when the
		// cancellation races the end of the stream, the read may end
		// cleanly with only part of the document. Past the limit nothing
		// read counts, so the answer is the timeout, not a parse error.
		err = ctx.Err()
	}
	if err != nil {
		return nil, f.transportError(err)
	}
	if len(body) > maxMetadataDocumentBytes {
		return nil, tooLarge()
	}
	out := &fetched{body: body}
	out.maxAge, out.hasMaxAge = cacheMaxAge(res.Header.Values("Cache-Control"))
	return out, nil
}

func tooLarge() error {
	return metadataRefused(fmt.Sprintf("the document is larger than %d bytes", maxMetadataDocumentBytes))
}

// transportError turns a failed exchange into a reason that names what
// went wrong without the network details.
func (f *metadataFetcher) transportError(err error) error {
	var refused *errAddressRefused
	var ne net.Error
	switch {
	case errors.As(err, &refused):
		return metadataRefused("the client_id URL's host is not a public internet address")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return metadataRefused(fmt.Sprintf("the document did not arrive within %s", f.timeout))
	}
	return metadataRefused("the document could not be fetched")
}

// jsonMediaType reports whether a Content-Type is application/json or a
// +json type (RFC 6839 §3.1).
func jsonMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// cacheMaxAge reads max-age from Cache-Control (RFC 9111 §5.2.2.1);
// no-store and no-cache count as 0 (the caller clamps it to its minimum).
func cacheMaxAge(values []string) (time.Duration, bool) {
	var age time.Duration
	found := false
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0, true
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(arg, `"`), 10, 64)
				if err != nil || n < 0 {
					continue
				}
				if n > 1<<31 {
					n = 1 << 31
				}
				age, found = time.Duration(n)*time.Second, true
			}
		}
	}
	return age, found
}
