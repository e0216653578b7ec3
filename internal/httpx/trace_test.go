package httpx

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTraceID(t *testing.T) {
	const id = "4bf92f3577b34da6a3ce929d0e0e4736"
	cases := []struct {
		name, header, want string
	}{
		{"valid", "00-" + id + "-00f067aa0ba902b7-01", id},
		{"not sampled", "00-" + id + "-00f067aa0ba902b7-00", id},
		{"absent", "", ""},
		{"upper case", "00-" + strings.ToUpper(id) + "-00f067aa0ba902b7-01", ""},
		{"version ff", "ff-" + id + "-00f067aa0ba902b7-01", ""},
		{"version 00 with more fields", "00-" + id + "-00f067aa0ba902b7-01-extra", ""},
		{"later version with more fields", "01-" + id + "-00f067aa0ba902b7-01-extra", id},
		{"later version, bad separator", "01-" + id + "-00f067aa0ba902b7-01x", ""},
		{"zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", ""},
		{"zero parent id", "00-" + id + "-0000000000000000-01", ""},
		{"short", "00-" + id[:31] + "-00f067aa0ba902b7-01", ""},
		{"bad separator", "00_" + id + "-00f067aa0ba902b7-01", ""},
		{"log injection", "00-" + id[:30] + "\n\"-00f067aa0ba902b7-01", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if c.header != "" {
				r.Header.Set("Traceparent", c.header)
			}
			if got := TraceID(r); got != c.want {
				t.Errorf("TraceID(%q) = %q, want %q", c.header, got, c.want)
			}
		})
	}
}

func TestLoggingCarriesRequestAndTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	h := Front(FrontOptions{Log: log}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/x?code=secret", nil)
	r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	line := buf.String()
	rid := rec.Header().Get("X-Request-Id")
	if rid == "" || !strings.Contains(line, "request_id="+rid) || !strings.Contains(line, "trace_id=4bf92f3577b34da6a3ce929d0e0e4736") {
		t.Errorf("log line lacks the request or trace id: %s", line)
	}
	if strings.Contains(line, "secret") {
		t.Errorf("log line carries the query: %s", line)
	}
	buf.Reset()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	if strings.Contains(buf.String(), "trace_id") {
		t.Errorf("a request without traceparent logged a trace id: %s", buf.String())
	}
}
