package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/session"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
)

// Finisher answers a parked authorization request on the login pages'
// behalf. The protocol layer implements it; login never mints tokens.
type Finisher interface {
	// Deny answers the request requestID with access_denied (RFC 6749
	// §4.1.2.1), redirecting the browser to the client when that is safe.
	Deny(w http.ResponseWriter, r *http.Request, requestID string) error
}

// Limits are the in-memory rate limits of the sign-in pages. A zero Limit
// takes its default; a negative Max turns the limit off.
type Limits struct {
	// StartPerIP bounds sign-in and sign-up submissions from one client
	// address (default 20 per 15 minutes).
	StartPerIP Limit
	// StartPerEmail bounds how many sign-in emails one address can be sent
	// (default 5 per 15 minutes), which also stops mail bombing.
	StartPerEmail Limit
	// VerifyPerIP bounds PIN and magic-link submissions from one client
	// address (default 60 per 15 minutes).
	VerifyPerIP Limit
}

// Options configure a Handler.
type Options struct {
	Store    store.Store
	Sessions *session.Manager
	Mail     mail.Sender
	Keys     keys.Verifier
	Finisher Finisher
	Pages    *page.Renderer
	Clock    idp.Clock
	Random   secret.Source
	Log      *slog.Logger
	// Proxies are the peers trusted to report the client address in
	// X-Forwarded-For (for rate limits and audit records).
	Proxies httpx.Proxies
	// Limits override the default rate limits.
	Limits Limits
	// Metrics counts sign-in outcomes (metrics.go); nil counts nothing.
	Metrics Metrics
}

// Handler serves the hosted pages. It is safe for concurrent use.
type Handler struct {
	store    store.Store
	sessions *session.Manager
	mail     mail.Sender
	keys     keys.Verifier
	finisher Finisher
	pages    *page.Renderer
	clock    idp.Clock
	random   secret.Source
	log      *slog.Logger
	proxies  httpx.Proxies
	metrics  Metrics

	startIP, startEmail, verifyIP *limiter

	mailWG   sync.WaitGroup
	mailSlot chan struct{}
}

// maxLimiterKeys bounds each rate limiter's memory.
const maxLimiterKeys = 100_000

// New returns a Handler.
func New(o Options) *Handler {
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	def := func(l Limit, max int) Limit {
		if l.Max == 0 {
			l.Max = max
		}
		if l.Window == 0 {
			l.Window = 15 * time.Minute
		}
		return l
	}
	lim := o.Limits
	return &Handler{
		store: o.Store, sessions: o.Sessions, mail: o.Mail, keys: o.Keys, finisher: o.Finisher,
		pages: o.Pages, clock: o.Clock, random: o.Random, log: o.Log, proxies: o.Proxies, metrics: metricsOrNone(o.Metrics),
		startIP:    newLimiter(o.Clock, def(lim.StartPerIP, 20), maxLimiterKeys),
		startEmail: newLimiter(o.Clock, def(lim.StartPerEmail, 5), maxLimiterKeys),
		verifyIP:   newLimiter(o.Clock, def(lim.VerifyPerIP, 60), maxLimiterKeys),
		mailSlot:   make(chan struct{}, 64),
	}
}

// Routes registers the hosted pages on a tenant mux (paths relative to the
// issuer: a path issuer's "/t/{id}" prefix is already stripped), plus the
// static assets under /assets/.
func (h *Handler) Routes(mux *http.ServeMux) {
	handle := func(pattern string, fn httpx.HandlerFunc) {
		mux.Handle(pattern, h.pages.Middleware(httpx.Handle(fn)))
	}
	handle("GET /oauth2/login", h.loginPage)
	handle("POST /oauth2/login", h.loginSubmit)
	handle("GET /oauth2/signup", h.signupPage)
	handle("POST /oauth2/signup", h.signupSubmit)
	handle("GET /oauth2/pin-code", h.pinPage)
	handle("POST /oauth2/pin-code", h.pinSubmit)
	handle("GET /oauth2/magic-link", h.magicLinkPage)
	handle("POST /oauth2/magic-link", h.magicLinkSubmit)
	handle("GET /oauth2/consent", h.consentPage)
	handle("POST /oauth2/consent", h.consentSubmit)
	handle("GET /oauth2/logout", h.logout)
	handle("POST /oauth2/logout", h.logout)
	handle("GET /{$}", h.home)
	mux.Handle("GET /assets/", h.pages.Middleware(h.pages.Assets()))
	mux.Handle("GET /assets/brand/{kind}", h.pages.Middleware(h.pages.BrandAssets(h.store)))
}

// Wait blocks until every email queued so far has been handed to the
// Sender (for graceful shutdown and tests).
func (h *Handler) Wait() { h.mailWG.Wait() }

// resumeURL is where the browser goes after signing in or consenting: the
// parked authorization request, or the start page.
func resumeURL(info *tenant.Info, requestID string) string {
	if requestID == "" {
		return info.Path("/")
	}
	return info.Path("/oauth2/authorize") + "?request_id=" + url.QueryEscape(requestID)
}

// seeOther redirects with 303, the only redirect status used after a POST
// (RFC 9700 §4.12: 307 would replay the credentials to the target).
func seeOther(w http.ResponseWriter, r *http.Request, target string) error {
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// tooMany answers 429 with Retry-After (RFC 6585 §4).
func tooMany(w http.ResponseWriter, retry time.Duration) error {
	secs := int(retry / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &httpx.PageError{Status: http.StatusTooManyRequests, Title: "Too many attempts",
		Message: "You have tried this too often. Wait a few minutes, then try again."}
}

// clientIP is the client address for rate limits and audit records.
func (h *Handler) clientIP(r *http.Request) string {
	if ip := h.proxies.ClientIP(r); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// errRequestGone is shown when a parked authorization request is unknown
// or expired: the user must start again at the application.
var errRequestGone = &httpx.PageError{Status: http.StatusBadRequest, Title: "This sign-in has expired",
	Message: "Go back to the application you came from and start signing in again."}

// authRequest loads a parked authorization request and its client.
// Unknown and expired requests give errRequestGone.
func (h *Handler) authRequest(ctx context.Context, info *tenant.Info, id string) (*idp.AuthRequest, *idp.Client, error) {
	if id == "" || len(id) > 128 {
		return nil, nil, errRequestGone
	}
	ar, err := h.store.GetAuthRequest(ctx, info.Tenant.ID, id, h.clock.Now())
	if errors.Is(err, idp.ErrNotFound) || errors.Is(err, idp.ErrExpired) {
		return nil, nil, errRequestGone
	}
	if err != nil {
		return nil, nil, fmt.Errorf("login: auth request: %w", err)
	}
	// A request is answered on the issuer it arrived at (RFC 9207): the
	// same tenant's other issuer (host, path or custom domain) has other
	// cookies and must not continue it.
	if !h.clock.Now().Before(ar.ExpiresAt) || (ar.Issuer != "" && ar.Issuer != info.Issuer) {
		return nil, nil, errRequestGone
	}
	c, err := h.store.GetClient(ctx, info.Tenant.ID, ar.ClientID)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, nil, errRequestGone
	}
	if err != nil {
		return nil, nil, fmt.Errorf("login: client: %w", err)
	}
	return ar, c, nil
}

// audit records a sign-in outcome. It never carries the PIN, the link, or
// the email address; a failure to write it is logged, not shown.
func (h *Handler) audit(r *http.Request, info *tenant.Info, action, outcome, userID, challengeID string, details map[string]string) {
	h.countSignIn(action, details)
	id, err := h.random.ID("evt_")
	if err != nil {
		h.log.ErrorContext(r.Context(), "login: audit id", slog.Any("err", err))
		return
	}
	e := &idp.AuditEvent{
		TenantID: info.Tenant.ID, ID: id, Time: h.clock.Now(), ActorType: "user", ActorID: userID,
		Action: action, ObjectType: "user", ObjectID: userID, Outcome: outcome,
		RequestID: httpx.RequestID(r.Context()), ClientIP: h.clientIP(r), Details: details,
	}
	if userID == "" {
		e.ObjectType, e.ObjectID = "login_challenge", challengeID
	}
	if err := h.store.AppendAudit(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "login: audit", slog.String("request_id", e.RequestID), slog.String("action", action), slog.Any("err", err))
	}
}
