package admin

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"strconv"
)

// inProcess is an http.RoundTripper that serves a request with the
// server's own handler instead of the network: the Admin UI's token
// request reaches the same token endpoint (tenant resolver, client
// authentication, rate limits) without a loopback connection, so it works
// whatever address the server listens on or is published at.
type inProcess struct {
	h http.Handler
}

// RoundTrip implements http.RoundTripper.
func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.RequestURI = in.URL.RequestURI()
	in.Host = req.URL.Host
	// The token endpoint sees the administrator's own address (for its
	// logs and failure limits), not one loopback address shared by all.
	in.RemoteAddr = "127.0.0.1:0"
	if a, ok := req.Context().Value(peerKey{}).(string); ok && a != "" {
		in.RemoteAddr = a
	}
	if req.URL.Scheme == "https" {
		// The issuer is https: present the request as the TLS request the
		// browser-facing side would see.
		in.TLS = &tls.ConnectionState{ServerName: req.URL.Hostname()}
	}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}}
	t.h.ServeHTTP(rec, in)
	if req.Body != nil {
		req.Body.Close()
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

// peerKey carries the browser's RemoteAddr into RoundTrip.
type peerKey struct{}

// recorder is the minimal http.ResponseWriter RoundTrip collects into.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
