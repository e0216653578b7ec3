package httpx

import (
	"net/http"
	"strings"
)

// TraceID returns the trace-id of r's W3C Trace Context traceparent
// header (https://www.w3.org/TR/trace-context/ §3.2), so that our log
// lines join the caller's trace: 32 lower-case hex digits, or "" when the
// header is absent or malformed. Only the format is checked; the value is
// the caller's and is used for correlation, never for a decision.
func TraceID(r *http.Request) string {
	h := r.Header.Get("Traceparent")
	// version "-" trace-id "-" parent-id "-" trace-flags: 2+1+32+1+16+1+2.
	const size = 55
	if len(h) < size {
		return ""
	}
	version, traceID, parentID, flags := h[0:2], h[3:35], h[36:52], h[53:55]
	if h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return ""
	}
	// §3.2.2.1: version ff is invalid; version 00 has exactly four fields.
	// A later version may append fields after a "-" (§3.2.4).
	if !lowerHex(version) || version == "ff" || (version == "00" && len(h) != size) || (len(h) > size && h[size] != '-') {
		return ""
	}
	// §3.2.2.3, §3.2.2.4: all-zero trace and parent ids are invalid.
	if !lowerHex(traceID) || !lowerHex(parentID) || !lowerHex(flags) ||
		strings.Trim(traceID, "0") == "" || strings.Trim(parentID, "0") == "" {
		return ""
	}
	return traceID
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
