package httpx

import (
	"context"
	"math/rand/v2"
	"net/http"
)

type requestIDKey struct{}

// RequestID returns the request id stored by the RequestID middleware.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// WithRequestID gives every request a random id, echoed as X-Request-Id.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// newRequestID returns 96 random bits as 24 lower-case hex digits.
//
// They come from math/rand/v2's runtime generator (ChaCha8 per thread,
// seeded by the operating system; no system call, no lock), not from
// crypto/rand, which cost a system call on every request: a request id
// joins a response to its log lines and audit events and must not
// collide, but it is no secret and no capability — nothing is looked up
// or authorised by it, and the client is shown its own. Unlike a counter
// it tells a client nothing about other requests.
func newRequestID() string {
	var b [24]byte
	const digits = "0123456789abcdef"
	hi, lo := rand.Uint64(), rand.Uint32()
	for i := range 16 {
		b[i] = digits[hi>>(60-4*i)&0xf]
	}
	for i := range 8 {
		b[16+i] = digits[lo>>(28-4*i)&0xf]
	}
	return string(b[:])
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
