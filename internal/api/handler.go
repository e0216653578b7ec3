package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/authalla/authalla/internal/bearer"
	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
)

// TokenStatus reports whether an access token (by jti) is still active as
// far as revocation goes. The store satisfies it.
type TokenStatus interface {
	AccessTokenActive(ctx context.Context, tenantID, jti string) (bool, error)
}

// Options are the Handler's dependencies.
type Options struct {
	// Manage runs every operation (required).
	Manage *manage.Service
	// Keys verifies the tenant's own access tokens (required).
	Keys keys.Verifier
	// Tokens answers revocation (required).
	Tokens TokenStatus
	// Proxies says whose X-Forwarded-For to believe for audit client IPs.
	Proxies httpx.Proxies
	// Clock defaults to idp.SystemClock.
	Clock idp.Clock
	// Log defaults to slog.Default.
	Log *slog.Logger
}

// Handler serves /api/v1.
type Handler struct {
	manage  *manage.Service
	keys    keys.Verifier
	tokens  TokenStatus
	proxies httpx.Proxies
	clock   idp.Clock
	log     *slog.Logger
	limit   *bearer.Throttle
	openapi func() []byte
}

// New builds the Handler. Manage, Keys and Tokens are required (New
// panics without them: a wiring bug).
func New(o Options) *Handler {
	if o.Manage == nil || o.Keys == nil || o.Tokens == nil {
		panic("api: New needs Manage, Keys and Tokens")
	}
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	h := &Handler{manage: o.Manage, keys: o.Keys, tokens: o.Tokens, proxies: o.Proxies, clock: o.Clock, log: o.Log, limit: &bearer.Throttle{Clock: o.Clock}}
	// Built on its first request: half a megabyte and a few ms of CPU
	// that a restart does not need to answer discovery (docs/benchmarks.md,
	// "Footprint: memory and cold start").
	h.openapi = sync.OnceValue(func() []byte {
		doc, err := json.Marshal(openAPIDocument(routeTable()))
		if err != nil {
			panic("api: OpenAPI document: " + err.Error())
		}
		return doc
	})
	return h
}

// Routes registers every route of the table on mux (Go 1.22 method and
// path patterns), the OpenAPI document, and a JSON 404 for any other
// /api/ path so that the hosted pages never answer there.
func (h *Handler) Routes(mux *http.ServeMux) {
	for _, rt := range routeTable() {
		mux.Handle(rt.Method+" "+rt.Path, h.serve(rt))
	}
	mux.HandleFunc("GET "+openAPIPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(h.openapi())
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		httpx.WriteError(w, r, &httpx.APIError{Status: http.StatusNotFound, Code: "not_found", Description: "No such API endpoint."})
	})
}

// call is one authenticated request.
type call struct {
	ctx    context.Context // carries the manage.Actor
	tenant string          // the tenant the call works on ("" when none applies)
	claims *tokenClaims
}

// serve wraps a route: no-store, authentication, the scope check, the
// tenant selection, then the handler and its JSON answer.
func (h *Handler) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// RFC 9111 §5.2.2.5: management answers are never cached.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		c, err := h.authenticate(r, rt)
		if err == nil {
			var body any
			body, err = rt.Handle(h, r, c)
			if err == nil {
				if rt.Status == http.StatusNoContent {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				httpx.WriteJSON(w, rt.Status, body)
				return
			}
		}
		var ae *httpx.APIError
		var oe *httpx.OAuthError
		if !errors.As(err, &ae) && !errors.As(err, &oe) && !isDomainError(err) {
			h.log.ErrorContext(r.Context(), "api: request failed", "request_id", httpx.RequestID(r.Context()), "route", rt.Method+" "+rt.Path, "err", err)
			err = &httpx.APIError{Status: http.StatusInternalServerError, Code: "server_error", Description: "An internal error occurred."}
		}
		httpx.WriteError(w, r, err)
	})
}

// isDomainError reports whether err is one of the idp sentinels that the
// error mapper turns into a status of its own.
func isDomainError(err error) bool {
	for _, s := range []error{idp.ErrInvalid, idp.ErrNotFound, idp.ErrConflict, idp.ErrForbidden, idp.ErrUnavailable, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// maxJSON bounds a JSON request body (the server's limit is larger; a
// management request is a few kilobytes).
const maxJSON = 64 << 10

// decode reads a JSON object into v strictly: the media type must be
// JSON, unknown fields and trailing data are refused, and a body over
// maxJSON answers 413.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &httpx.APIError{Status: http.StatusUnsupportedMediaType, Code: "invalid_request", Description: "Send a JSON body (Content-Type: application/json)."}
		}
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxJSON+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || len(b) > maxJSON {
		return &httpx.APIError{Status: http.StatusRequestEntityTooLarge, Code: "request_too_large", Description: "The request body is too large."}
	}
	if err != nil {
		return &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "The request body could not be read."}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "The body must hold one JSON object."}
	}
	return nil
}

// jsonError turns a decoding error into a 400 naming the field when
// possible. The decoder's own text is not echoed (it may quote input).
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "A field has the wrong type.",
			Fields: map[string]string{te.Field: "must be " + jsonKind(te.Type.Kind().String())}}
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		f := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		if len(f) > 64 {
			f = f[:64]
		}
		return &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "The body has an unknown field.",
			Fields: map[string]string{f: "unknown field"}}
	}
	return &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "The body is not valid JSON."}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	if strings.HasPrefix(k, "int") || strings.HasPrefix(k, "float") || strings.HasPrefix(k, "uint") {
		return "a number"
	}
	return "another type"
}

// page reads limit and offset (default 50, at most 200).
func page(r *http.Request) (idp.Page, error) {
	var p idp.Page
	q := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, idp.Invalid(f.name, "must be a non-negative integer")
		}
		*f.dst = n
	}
	if p.Limit == 0 {
		p.Limit = defaultLimit
	}
	if p.Limit > maxLimit {
		p.Limit = maxLimit
	}
	return p, nil
}

// Listing bounds (PRODUCT §8).
const (
	defaultLimit = 50
	maxLimit     = 200
)

// list is a page of items under key with the paging facts.
func list[T any](key string, items []T, total int, p idp.Page) map[string]any {
	if items == nil {
		items = []T{}
	}
	return map[string]any{key: items, "total": total, "limit": p.Limit, "offset": p.Offset}
}

// requireTenant fails when the call has no tenant (an admin token without
// X-Tenant-ID).
func (c *call) requireTenant() error {
	if c.tenant == "" {
		return &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request",
			Description: "Name the tenant with the X-Tenant-ID header.", Fields: map[string]string{tenantHeader: "required"}}
	}
	return nil
}
