package httpx

import (
	"net/http"
	"time"
)

// RequestObserver records answered requests; *metrics.Metrics satisfies
// it. route is the ServeMux pattern that served the request, "" when none
// did: never the raw path, whose values are unbounded and may hold
// identifiers.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, d time.Duration)
	RequestStarted()
	RequestFinished()
}

// routeSlot carries the matched pattern from the mux that matched it back
// out to Front. Handlers below clone the request (tenant
// resolution, page middleware), so the pattern a ServeMux sets on its own
// request is not visible outside; the slot, shared through the context,
// is.
type routeSlot struct {
	pattern string
	set     bool
}

type routeSlotKey struct{}

// ReportRoute records pattern as r's route for Front,
// unless a mux below has already recorded one (Route's rule: the
// innermost wins). It is for a handler that dispatches without a
// ServeMux but must report what the mux it stands in for would have;
// call it deferred, as Route does.
func ReportRoute(r *http.Request, pattern string) {
	if slot, ok := r.Context().Value(routeSlotKey{}).(*routeSlot); ok && !slot.set {
		slot.pattern, slot.set = pattern, true
	}
}

// Route wraps a ServeMux so that the pattern it matched (Request.Pattern,
// "" for its 404 and 405 answers) is the route Front reports.
// Nested muxes may each be wrapped: the innermost one that ran wins, as
// it returns first.
func Route(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Deferred: a handler that panics was still matched by this mux.
		// (A closure: r.Pattern is read after the mux has set it.)
		defer func() { ReportRoute(r, r.Pattern) }()
		mux.ServeHTTP(w, r)
	})
}
