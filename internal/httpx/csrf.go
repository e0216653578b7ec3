package httpx

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// CSRFField is the name of the hidden form field that carries the
// anti-forgery token.
const CSRFField = "csrf_token"

// csrfTokenLen is the size of the token bound to the cookie: 256 bits.
const csrfTokenLen = 32

// ErrCSRF is returned by CheckCSRF when a form POST fails the anti-forgery
// checks. It is a *PageError, so WriteError answers with a 403 page; the
// wrapped text says which check failed, for logs only.
var ErrCSRF error = &PageError{
	Status:  http.StatusForbidden,
	Title:   "This form has expired",
	Message: "For your security the request was blocked. Go back, reload the page and try again.",
}

// CSRFConfig says how one issuer protects its forms (ASVS 3.5.1–3.5.3,
// RFC 6819 §4.4.1.8). httpx does not know about tenants: the caller fills it
// from the request's issuer and installs it with WithCSRF.
type CSRFConfig struct {
	// CookieName names the cookie holding the token (issuer-prefixed, e.g.
	// "__Host-authalla_csrf").
	CookieName string
	// CookiePath scopes the cookie to the issuer ("/" or "/t/{id}/").
	CookiePath string
	// Secure marks the cookie Secure (an https issuer).
	Secure bool
	// Origin is the issuer's origin, scheme://host[:port]. A POST whose
	// Origin header names any other origin is refused.
	Origin string
	// Random is the token source; crypto/rand when nil.
	Random io.Reader
}

// csrfState is the per-request holder installed by WithCSRF or WithPages.
// It remembers a token issued during this request so that several forms
// on one page (and the Set-Cookie) agree.
type csrfState struct {
	cfg    CSRFConfig
	mu     sync.Mutex
	issued []byte
	// load, when set, fills cfg on first use (WithPages), from loadCtx;
	// loaded records that it ran and none that it found no settings.
	load    func(context.Context) (CSRFConfig, bool)
	loadCtx context.Context
	loaded  bool
	none    bool
}

type csrfKey struct{}

// WithCSRF returns ctx carrying cfg for CSRFToken and CheckCSRF.
func WithCSRF(ctx context.Context, cfg CSRFConfig) context.Context {
	return context.WithValue(ctx, csrfKey{}, &csrfState{cfg: cfg})
}

// csrfFrom returns the request's CSRF state with its settings, or nil
// when it has none.
func csrfFrom(r *http.Request) *csrfState {
	s, _ := r.Context().Value(csrfKey{}).(*csrfState)
	if s == nil || s.load == nil {
		return s
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		var ok bool
		s.cfg, ok = s.load(s.loadCtx)
		s.loaded, s.none = true, !ok
	}
	if s.none {
		return nil
	}
	return s
}

// CSRFToken returns the value to put in a form's hidden CSRFField. It reuses
// the browser's token cookie, or issues a new one (setting the cookie on w,
// so call it before the response header is written). The returned value is
// the cookie token masked with a fresh one-time pad, so it differs on every
// page (no BREACH-style recovery through compression) while still
// verifying against the same cookie. Without a WithCSRF configuration it
// returns "" and every check fails closed.
func CSRFToken(w http.ResponseWriter, r *http.Request) string {
	s := csrfFrom(r)
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.issued
	if tok == nil {
		tok = s.cookieToken(r)
	}
	if tok == nil {
		fresh := make([]byte, csrfTokenLen)
		if _, err := io.ReadFull(s.random(), fresh); err != nil {
			return ""
		}
		http.SetCookie(w, &http.Cookie{
			Name:     s.cfg.CookieName,
			Value:    base64.RawURLEncoding.EncodeToString(fresh),
			Path:     s.cfg.CookiePath,
			HttpOnly: true,
			Secure:   s.cfg.Secure,
			SameSite: http.SameSiteLaxMode,
		})
		tok = fresh
	}
	s.issued = tok
	masked, err := mask(tok, s.random())
	if err != nil {
		return ""
	}
	return masked
}

// CheckCSRF verifies a state-changing form POST. It refuses, in order:
//   - a request whose Sec-Fetch-Site is "cross-site" or "same-site" (our
//     forms only ever post to their own origin; sibling tenant hosts are
//     same-site, so that value is refused too);
//   - an Origin header naming another origin than the issuer's. The value
//     "null" is not proof of anything (browsers send it for every form POST
//     from a page with Referrer-Policy: no-referrer, Fetch §3.1), so it
//     falls through to the token check;
//   - a missing or malformed token cookie or form field, or a field that does
//     not unmask to the cookie's token (compared in constant time).
//
// It reads the form (r.PostFormValue), so body limits apply as usual. The
// error wraps ErrCSRF.
func CheckCSRF(r *http.Request) error {
	s := csrfFrom(r)
	if s == nil {
		return fmt.Errorf("%w: no CSRF configuration for this route", ErrCSRF)
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return fmt.Errorf("%w: Sec-Fetch-Site %s", ErrCSRF, r.Header.Get("Sec-Fetch-Site"))
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" && o != s.cfg.Origin {
		return fmt.Errorf("%w: foreign Origin", ErrCSRF)
	}
	want := s.cookieToken(r)
	if want == nil {
		return fmt.Errorf("%w: no token cookie", ErrCSRF)
	}
	got, err := unmask(r.PostFormValue(CSRFField))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCSRF, err)
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return fmt.Errorf("%w: token mismatch", ErrCSRF)
	}
	return nil
}

func (s *csrfState) random() io.Reader {
	if s.cfg.Random != nil {
		return s.cfg.Random
	}
	return rand.Reader
}

// cookieToken returns the well-formed token in the request's cookie, or nil.
func (s *csrfState) cookieToken(r *http.Request) []byte {
	c, err := r.Cookie(s.cfg.CookieName)
	if err != nil || len(c.Value) != base64.RawURLEncoding.EncodedLen(csrfTokenLen) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) != csrfTokenLen {
		return nil
	}
	return b
}

// mask returns base64url(pad || pad XOR tok) for a random pad.
func mask(tok []byte, rnd io.Reader) (string, error) {
	out := make([]byte, 2*len(tok))
	if _, err := io.ReadFull(rnd, out[:len(tok)]); err != nil {
		return "", fmt.Errorf("csrf: random: %w", err)
	}
	for i := range tok {
		out[len(tok)+i] = out[i] ^ tok[i]
	}
	return base64.RawURLEncoding.EncodeToString(out), nil
}

var errBadField = errors.New("missing or malformed token field")

// unmask reverses mask.
func unmask(v string) ([]byte, error) {
	if len(v) != base64.RawURLEncoding.EncodedLen(2*csrfTokenLen) {
		return nil, errBadField
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) != 2*csrfTokenLen {
		return nil, errBadField
	}
	tok := make([]byte, csrfTokenLen)
	for i := range tok {
		tok[i] = b[i] ^ b[csrfTokenLen+i]
	}
	return tok, nil
}
