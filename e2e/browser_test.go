package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds every browser step (a navigation, a click, a wait).
const stepTimeout = 30 * time.Second

// newBrowser starts headless Chromium with a fresh profile and returns its
// context; the browser stops when the test ends. The flags are the ones
// Debian's chromium needs to run headless as root without reaching out to
// the internet.
func newBrowser(ctx context.Context, t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first run starts the browser; it must not carry a step timeout,
	// which would stop the whole browser (the parent ctx bounds it).
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browserCtx
}

// flow is one browsing session in its own browser context (its own cookie
// jar), as a new visitor would have.
type flow struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string // CSP violations and uncaught script errors seen so far
	requests []string // URLs of every request the pages made
}

// listen records what a careful person would see in the console as a bug:
// security messages (Content-Security-Policy violations, mixed content)
// and uncaught JavaScript exceptions.
func (f *flow) listen(ev any) {
	var p string
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		f.mu.Lock()
		f.requests = append(f.requests, e.Request.URL)
		f.mu.Unlock()
	case *cdplog.EventEntryAdded:
		if e.Entry.Source == cdplog.EntrySourceSecurity {
			p = fmt.Sprintf("%s: %s", e.Entry.URL, e.Entry.Text)
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		p = fmt.Sprintf("%s: uncaught exception: %s", d.URL, d.Text)
		if d.Exception != nil && d.Exception.Description != "" {
			p += " " + d.Exception.Description
		}
	}
	if p == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, p)
}

// problemsSeen returns the console problems recorded so far.
func (f *flow) problemsSeen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.problems)
}

// requestsSeen returns the URLs requested so far, and forgets them.
func (f *flow) requestsSeen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

// checkConsole fails the test if any page of the flow violated its
// Content-Security-Policy or threw an uncaught exception.
func (f *flow) checkConsole() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.problems {
		f.t.Errorf("browser console: %s", p)
	}
}

// newFlow opens a tab in a fresh browser context. When the test fails, the
// page's screenshot and HTML are saved to the artifacts directory.
func newFlow(t *testing.T, browser context.Context, name string) *flow {
	t.Helper()
	f := &flow{t: t}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(f.listen))
	f.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("open tab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			f.saveArtifacts(name)
		}
		cancel()
	})
	return f
}

// do runs actions within one bounded step.
func (f *flow) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		f.t.Fatalf("%s: %v (page: %s)", what, err, f.location())
	}
}

// text reads the visible text of the first element matching sel.
func (f *flow) text(sel string) string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		f.t.Fatalf("read %s: %v (page: %s)", sel, err, f.location())
	}
	return strings.TrimSpace(s)
}

// location is the tab's current URL, for messages.
func (f *flow) location() string {
	ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return fmt.Sprintf("unknown (%v)", err)
	}
	return loc
}

// waitPath waits until the tab has loaded a page whose URL path ends with
// suffix, and returns its URL. It asks the tab every 50ms: a page that is
// navigating cannot answer, so an event-driven wait would race redirects.
func (f *flow) waitPath(suffix string) string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last := ""
	for {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.href, document.readyState]`))
		if err == nil && len(state) == 2 {
			last = state[0]
			if u, perr := url.Parse(state[0]); perr == nil && strings.HasSuffix(u.Path, suffix) && state[1] == "complete" {
				return state[0]
			}
		}
		select {
		case <-ctx.Done():
			f.t.Fatalf("wait for a page ending in %s: %v (last page: %s)", suffix, ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// saveArtifacts writes a screenshot and the HTML of the current page.
func (f *flow) saveArtifacts(name string) {
	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		path := artifactName(f.t, name+".png")
		if err := os.WriteFile(path, png, 0o644); err == nil {
			f.t.Logf("screenshot of %s saved to %s", f.location(), path)
		}
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		_ = os.WriteFile(artifactName(f.t, name+".html"), []byte(html), 0o644)
	}
}
