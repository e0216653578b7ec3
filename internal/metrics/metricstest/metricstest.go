package metricstest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Exposition is one parsed scrape.
type Exposition struct {
	// Raw is the body as served, for searches over the whole output.
	Raw      string
	families map[string]*dto.MetricFamily
}

// Scrape serves GET /metrics from h and parses the answer.
func Scrape(t testing.TB, h http.Handler) *Exposition {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d: %s", rec.Code, rec.Body.String())
	}
	return Parse(t, rec.Body.String())
}

// ScrapeURL fetches url (a /metrics endpoint) with a bounded request and
// parses the answer.
func ScrapeURL(t testing.TB, c *http.Client, url string) *Exposition {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, body)
	}
	return Parse(t, string(body))
}

// Parse parses a text exposition.
func Parse(t testing.TB, body string) *Exposition {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, body)
	}
	return &Exposition{Raw: body, families: fams}
}

// Has reports whether a family called name was exposed.
func (e *Exposition) Has(name string) bool { _, ok := e.families[name]; return ok }

// Value returns the value of the series name{labels} (labels as name,
// value pairs that must all match; other labels are ignored), summed over
// every matching series. For a histogram it is the observation count. A
// missing family or series is 0.
func (e *Exposition) Value(name string, labels ...string) float64 {
	f, ok := e.families[name]
	if !ok {
		return 0
	}
	var sum float64
	for _, m := range f.GetMetric() {
		if !matches(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		case m.Untyped != nil:
			sum += m.GetUntyped().GetValue()
		}
	}
	return sum
}

// LabelValues returns the distinct values of label across the series of
// name, sorted.
func (e *Exposition) LabelValues(name, label string) []string {
	seen := map[string]bool{}
	for _, m := range e.families[name].GetMetric() {
		for _, lp := range m.GetLabel() {
			if lp.GetName() == label {
				seen[lp.GetValue()] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Families returns the exposed family names, sorted.
func (e *Exposition) Families() []string {
	out := make([]string, 0, len(e.families))
	for n := range e.families {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Series returns the number of series in family name.
func (e *Exposition) Series(name string) int { return len(e.families[name].GetMetric()) }

func matches(m *dto.Metric, labels []string) bool {
	if len(labels)%2 != 0 {
		panic(fmt.Sprintf("metricstest: odd label list %q", labels))
	}
	for i := 0; i < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
