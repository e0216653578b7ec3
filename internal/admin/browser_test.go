package admin_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const chromium = "/usr/bin/chromium"

// TestBrowserBranding drives the Admin UI in headless Chromium: sign-in
// through the admin tenant's pages, the branding editor's live preview
// (computed style), save, and the tenant's hosted login page using the
// colour. Any CSP violation or script error in the console fails it.
func TestBrowserBranding(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no Chromium at " + chromium)
	}
	s := newStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	defer cancelAlloc()
	var mu sync.Mutex
	var problems []string
	b, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Source == cdplog.EntrySourceSecurity {
				problems = append(problems, e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		}
	}))
	defer cancelBrowser()
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	style := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(v)
	}

	step("open the Admin UI", chromedp.Navigate(s.url+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.com"+kb.Enter), chromedp.WaitVisible(chromedp.CSS("#pin")))
	s.hosted.Wait()
	msg, ok := s.outbox.Last("admin@example.com")
	if !ok {
		t.Fatal("no sign-in mail")
	}
	step("enter the PIN", chromedp.SendKeys(chromedp.CSS("#pin"), pinPattern.FindString(msg.Text)+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/tenants"]`)))

	def := s.boot.DefaultTenant.ID
	field := `[id="light.primary_color"]`
	step("open branding", chromedp.Navigate(s.url+"/admin/tenants/"+def+"/branding"), chromedp.WaitVisible(chromedp.CSS(field)))
	step("type a colour", chromedp.Clear(chromedp.CSS(field)), chromedp.SendKeys(chromedp.CSS(field), "#cc3300"))
	if got := style(`getComputedStyle(document.querySelector(".pv-light .pv-btn")).backgroundColor`); got != "rgb(204, 51, 0)" {
		t.Fatalf("live preview button = %q, want rgb(204, 51, 0)", got)
	}
	if got := style(`getComputedStyle(document.querySelector(".pv-dark .pv-btn")).backgroundColor`); got == "rgb(204, 51, 0)" {
		t.Fatal("the light colour leaked into the dark preview")
	}
	step("save", chromedp.Click(chromedp.CSS(`#branding-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	step("the tenant's login page", chromedp.Navigate(s.url+"/t/"+def+"/oauth2/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
	if got := style(`getComputedStyle(document.documentElement).getPropertyValue("--primary")`); got != "#cc3300" {
		t.Fatalf("hosted login --primary = %q, want #cc3300", got)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
	if t.Failed() {
		fmt.Println(strings.Join(problems, "\n"))
	}
}
