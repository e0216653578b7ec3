package e2e

import (
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// The administrator and the objects TestAdminUI creates through the UI.
const (
	adminEmail       = "admin@localhost" // the first administrator `serve` bootstraps
	brandTenantID    = "e2e-brand"
	brandTenantName  = "Brand Co"
	brandClientName  = "Brand SPA"
	brandRedirectURI = "https://app.e2e.test/callback"
	brandOrigin      = "https://app.e2e.test"
	forgedOrigin     = "https://evil.e2e.test"
	// brandPrimary is the light primary colour set in the branding editor,
	// and brandPrimaryRGB how getComputedStyle reports it.
	brandPrimary    = "#c2410c"
	brandPrimaryRGB = "rgb(194, 65, 12)"
	// logoWidth and logoHeight are the generated logo's size.
	logoWidth, logoHeight = 48, 16
)

// TestAdminUI drives the Admin UI of the built binary in headless Chromium
// the way an administrator does (issue 3, "Tests"): sign in through the
// admin tenant's hosted login with the PIN from the captured mail, create a
// tenant, create a spa client and copy its id, add an allowed origin, set
// the primary colour and upload a logo; the tenant's hosted login page
// then shows both and loads nothing from another origin. Finally a forged
// cross-origin form POST to the tenant settings is refused with 403 and
// changes nothing. Screenshots of the key pages are always kept in the
// artifacts directory.
func TestAdminUI(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	mails := mailtest.Start(t)
	smtpHost, smtpPort := mails.Addr()
	srv := startServer(ctx, t, bin, "", smtpHost, smtpPort)

	b := newBrowser(ctx, t)
	f := newFlow(t, b, "admin-ui")
	docs := recordDocuments(t, f)
	// The hosted pages switch colours with prefers-color-scheme: pin the
	// light scheme, whose primary colour the test sets.
	f.do("emulate the light colour scheme", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
		})
		return err
	}))

	adminSignIn(ctx, t, f, srv, mails)
	clientID := adminCreateTenantAndClient(ctx, t, f, srv)
	adminAddOrigin(ctx, t, f, srv)
	adminBranding(t, f)
	hostedLoginShowsBranding(t, f, srv)
	for _, tc := range []struct {
		name, host, fetchSite string
		withSession           bool
	}{
		// Another port of the same host is same-site (sites ignore the
		// port): the browser sends the SameSite=Lax session cookie along,
		// so only the CSRF defence stands between the form and the change.
		{"same-site page on another port", "127.0.0.1", "same-site", true},
		// Another loopback address is another site.
		{"cross-site page", "127.0.0.2", "cross-site", false},
	} {
		forgedSettingsPost(ctx, t, f, srv, docs, tc.name, tc.host, tc.fetchSite, tc.withSession)
	}
	t.Logf("spa client %s was created through the UI", clientID)
	f.checkConsole()
}

// adminSignIn opens the Admin UI, which sends the browser to the admin
// tenant's hosted login at the public URL root; the first administrator
// enters the PIN from the mail and lands back in the Admin UI.
func adminSignIn(ctx context.Context, t *testing.T, f *flow, srv *server, mails *mailtest.Server) {
	t.Helper()
	f.do("open the Admin UI", chromedp.Navigate(srv.url+"/admin/"))
	if loc := f.waitPath("/oauth2/login"); !strings.HasPrefix(loc, srv.url+"/oauth2/login?") {
		t.Fatalf("the Admin UI sent the browser to %s, want the admin tenant's %s/oauth2/login", loc, srv.url)
	}
	shoot(t, f, "01-admin-login")
	enterEmail(f, adminEmail)
	f.waitPath("/oauth2/pin-code")
	shoot(t, f, "02-admin-pin")
	pin := mailtest.ExtractPIN(waitMail(ctx, t, mails, adminEmail).Text)
	if len(pin) != 6 {
		t.Fatalf("no 6-digit PIN in the mail to %s", adminEmail)
	}
	f.do("type the PIN",
		chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), pin+kb.Enter),
	)
	if loc := f.waitPath("/admin/tenants"); !strings.HasPrefix(loc, srv.url+"/admin/tenants") {
		t.Fatalf("after the PIN the browser is at %s, want the Admin UI's tenant list", loc)
	}
	if got := f.text("header .who .muted"); got != adminEmail {
		t.Fatalf("the Admin UI shows %q signed in, want %s", got, adminEmail)
	}
	shoot(t, f, "03-admin-tenants")
}

// adminCreateTenantAndClient creates the tenant with the tenant form, then
// a spa client with a redirect URI, and checks the client id the page shows
// (against the CLI) and its copy button. It returns the client id.
func adminCreateTenantAndClient(ctx context.Context, t *testing.T, f *flow, srv *server) string {
	t.Helper()
	f.do("create the tenant",
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/tenants"] #name`)),
		chromedp.SendKeys(chromedp.CSS(`form[action="/admin/tenants"] #name`), brandTenantName),
		chromedp.SendKeys(chromedp.CSS(`form[action="/admin/tenants"] #id`), brandTenantID),
		chromedp.Click(`//button[normalize-space(.)="Create tenant"]`),
	)
	f.waitPath("/admin/tenants/" + brandTenantID)
	if got := f.text(".notice"); !strings.Contains(got, "created") {
		t.Fatalf("after creating the tenant the notice is %q", got)
	}
	if got := f.text(".tenant-nav .crumbs code"); got != brandTenantID {
		t.Fatalf("the tenant page is for %q, want %s", got, brandTenantID)
	}

	f.do("open the Clients tab", chromedp.Click(chromedp.CSS(`.tabs a[href="/admin/tenants/`+brandTenantID+`/clients"]`)))
	f.waitPath("/admin/tenants/" + brandTenantID + "/clients")
	f.do("create a spa client",
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), brandClientName),
		chromedp.SetValue(chromedp.CSS(`#type`), "spa"),
		chromedp.SendKeys(chromedp.CSS(`#redirect_uris`), brandRedirectURI),
		chromedp.Click(`//button[normalize-space(.)="Create client"]`),
		chromedp.WaitVisible(chromedp.CSS(`#client-id`)),
	)
	id := evalJS[string](t, f, "read the client id", `document.getElementById("client-id").value`)
	if id == "" {
		t.Fatal("the client page shows an empty client id")
	}
	if loc := f.location(); !strings.HasSuffix(loc, "/admin/tenants/"+brandTenantID+"/clients/"+id) {
		t.Fatalf("the client page is %s, want the page of client %s", loc, id)
	}
	if got := f.text(".head .tag"); got != "spa" {
		t.Fatalf("the client type shown is %q, want spa", got)
	}
	if evalJS[bool](t, f, "look for a secret", `document.getElementById("client-secret") !== null`) {
		t.Fatal("a spa (public) client page shows a client secret")
	}
	shoot(t, f, "04-client")

	// The server agrees with what the page shows.
	got := srv.cli(ctx, t, "client", "get", "--tenant", brandTenantID, id, "--json")
	if got["name"] != brandClientName || got["type"] != "spa" || !slices.Equal(anyStrings(got["redirect_uris"]), []string{brandRedirectURI}) {
		t.Fatalf("client get %s: %v", id, got)
	}

	adminCopyClientID(t, f, srv, id)
	return id
}

// adminCopyClientID presses the client id's Copy button and reads the
// clipboard back (http://127.0.0.1 is a secure context, so the page uses
// the async Clipboard API; the test grants it the clipboard).
func adminCopyClientID(t *testing.T, f *flow, srv *server, id string) {
	t.Helper()
	sel := chromedp.CSS(`button[data-copy="client-id"]`)
	if got := f.text(string(sel)); got != "Copy" {
		t.Fatalf("the client id's copy button reads %q, want Copy", got)
	}
	bc := chromedp.FromContext(f.ctx).BrowserContextID
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(f.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted,
			Origin: srv.url, BrowserContextID: bc,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	f.do("press Copy", chromedp.Click(sel))
	waitJS(t, f, "the clipboard holds the client id",
		fmt.Sprintf(`navigator.clipboard.readText().then(s => s === %q, () => false)`, id))
}

// adminAddOrigin adds an allowed origin on the tenant settings page and
// checks it was saved (the page after a reload, and the CLI).
func adminAddOrigin(ctx context.Context, t *testing.T, f *flow, srv *server) {
	t.Helper()
	settings := "/admin/tenants/" + brandTenantID
	f.do("open the Settings tab", chromedp.Click(chromedp.CSS(`.tabs a[href="`+settings+`"]`)))
	f.waitPath(settings)
	f.do("wait for the settings form", chromedp.WaitVisible(chromedp.CSS(`#allowed_origins`)))
	if got := evalJS[string](t, f, "read the allowed origins", `document.getElementById("allowed_origins").value`); got != "" {
		t.Fatalf("a new tenant's allowed origins read %q, want none", got)
	}
	f.do("add an allowed origin",
		chromedp.SendKeys(chromedp.CSS(`#allowed_origins`), brandOrigin),
		chromedp.Click(`//button[normalize-space(.)="Save settings"]`),
	)
	waitJS(t, f, "the settings are saved", `(() => { const n = document.querySelector(".notice"); return n !== null && n.textContent.includes("Settings saved") })()`)
	f.do("reload the settings", chromedp.Navigate(srv.url+settings), chromedp.WaitVisible(chromedp.CSS(`#allowed_origins`)))
	if got := evalJS[string](t, f, "read the allowed origins", `document.getElementById("allowed_origins").value`); got != brandOrigin {
		t.Fatalf("after saving, the allowed origins read %q, want %s", got, brandOrigin)
	}
	shoot(t, f, "05-tenant-settings")
	if got := anyStrings(srv.cli(ctx, t, "tenant", "get", brandTenantID, "--json")["allowed_origins"]); !slices.Equal(got, []string{brandOrigin}) {
		t.Fatalf("tenant get: allowed_origins = %q, want [%s]", got, brandOrigin)
	}
}

// adminBranding sets the light primary colour and uploads a PNG logo in
// the branding editor, and saves.
func adminBranding(t *testing.T, f *flow) {
	t.Helper()
	logo := writeLogo(t)
	primary := chromedp.CSS(`[id="light.primary_color"]`)
	f.do("open the Branding tab", chromedp.Click(chromedp.CSS(`.tabs a[href="/admin/tenants/`+brandTenantID+`/branding"]`)))
	f.waitPath("/admin/tenants/" + brandTenantID + "/branding")
	f.do("set the primary colour and the logo",
		chromedp.WaitVisible(primary),
		chromedp.Clear(primary),
		chromedp.SendKeys(primary, brandPrimary),
		chromedp.SetUploadFiles(chromedp.CSS(`#logo`), []string{logo}),
	)
	if got := evalJS[string](t, f, "read the live preview", `getComputedStyle(document.querySelector(".pv-light .pv-btn")).backgroundColor`); got != brandPrimaryRGB {
		t.Errorf("the live preview's button is %q before saving, want %s", got, brandPrimaryRGB)
	}
	f.do("save the branding", chromedp.Click(chromedp.CSS(`#branding-form button[type=submit]`)))
	waitJS(t, f, "the branding is saved", `(() => { const n = document.querySelector(".notice"); return n !== null && n.textContent.includes("Branding saved") })()`)
	if got := evalJS[string](t, f, "read the saved colour", `document.querySelector('[id="light.primary_color"]').value`); got != brandPrimary {
		t.Fatalf("after saving, the primary colour field reads %q, want %s", got, brandPrimary)
	}
	waitJS(t, f, "the preview shows the saved logo",
		`(() => { const i = document.querySelector(".pv-light .pv-brand img"); return i !== null && i.complete && i.naturalWidth > 0 })()`)
	shoot(t, f, "06-branding")
}

// hostedLoginShowsBranding opens the tenant's hosted login page (path
// issuer) and checks the saved colour on its primary button, the logo
// loaded, and that every request of the page stayed on its origin.
func hostedLoginShowsBranding(t *testing.T, f *flow, srv *server) {
	t.Helper()
	f.requestsSeen() // forget the Admin UI's requests
	loginURL := srv.url + "/t/" + brandTenantID + "/oauth2/login"
	f.do("open the tenant's login page", chromedp.Navigate(loginURL), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	f.waitPath("/t/" + brandTenantID + "/oauth2/login")
	waitJS(t, f, "the logo loads",
		`(() => { const i = document.querySelector("header.brand img"); return i !== null && i.complete && i.naturalWidth > 0 })()`)
	shoot(t, f, "07-tenant-login")

	if got := evalJS[string](t, f, "read the button colour",
		`getComputedStyle(document.querySelector('form button.button[type="submit"]')).backgroundColor`); got != brandPrimaryRGB {
		t.Errorf("the login page's primary button is %q, want %s (%s)", got, brandPrimaryRGB, brandPrimary)
	}
	size := evalJS[[]int](t, f, "read the logo size",
		`(() => { const i = document.querySelector("header.brand img"); return [i.naturalWidth, i.naturalHeight] })()`)
	if !slices.Equal(size, []int{logoWidth, logoHeight}) {
		t.Errorf("the logo is %v pixels, want the uploaded %dx%d", size, logoWidth, logoHeight)
	}
	src := evalJS[string](t, f, "read the logo URL", `document.querySelector("header.brand img").src`)
	requests := f.requestsSeen()
	if !slices.Contains(requests, src) {
		t.Errorf("no request for the logo %.60s… was recorded; requests: %.300q", src, requests)
	}
	// The logo is either inline (data:) or under the tenant's own (path)
	// issuer; checkSameOrigin lets data: through and fails anything else
	// that is not on the server's origin.
	if !strings.HasPrefix(src, "data:image/png;base64,") && !strings.HasPrefix(src, srv.url+"/t/"+brandTenantID+"/") {
		t.Errorf("the logo is served from %.80s, not from the tenant's own host", src)
	}
	checkSameOrigin(t, "the tenant's login page", srv.url, requests)
	t.Logf("the tenant's login page loaded %d resources, the logo from %.80s", len(requests), src)
}

// forgedSettingsPost is the CSRF attempt: a page on host (another origin
// than the Admin UI) auto-submits the tenant settings form, with every
// field valid and the allowed origins changed, but without the CSRF
// token. The browser's navigation must end on a 403 and the setting must
// not change.
func forgedSettingsPost(ctx context.Context, t *testing.T, f *flow, srv *server, docs *documents, name, host, fetchSite string, withSession bool) {
	t.Helper()
	t.Logf("CSRF attempt from a %s (%s)", name, host)
	settings := srv.url + "/admin/tenants/" + brandTenantID
	// The genuine form's fields, so that the only thing wrong with the
	// forged one is the missing token.
	f.do("open the settings", chromedp.Navigate(settings), chromedp.WaitVisible(chromedp.CSS(`#allowed_origins`)))
	fields := evalJS[[][2]string](t, f, "read the settings form",
		`Array.from(new FormData(document.querySelector('form[action="/admin/tenants/`+brandTenantID+`"]'))).filter(([k]) => k !== "csrf_token")`)
	var inputs strings.Builder
	for _, kv := range fields {
		v := kv[1]
		if kv[0] == "allowed_origins" {
			v = forgedOrigin
		}
		fmt.Fprintf(&inputs, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(kv[0]), html.EscapeString(v))
	}
	if !strings.Contains(inputs.String(), forgedOrigin) || !strings.Contains(inputs.String(), `name="access_token_ttl"`) {
		t.Fatalf("the settings form's fields were not read: %q", fields)
	}
	attacker := attackerServer(t, host, fmt.Sprintf(
		`<!doctype html><title>Win a prize</title><form id="f" method="post" action="%s">%s</form><script>document.getElementById("f").submit()</script>`,
		html.EscapeString(settings), inputs.String()))

	docs.forget()
	f.do("open the attacker's page", chromedp.Navigate(attacker.URL))
	nav := docs.wait(t, f, http.MethodPost, settings)
	if nav.status != http.StatusForbidden {
		t.Errorf("the forged POST from a %s answered %d, want 403", name, nav.status)
	}
	if nav.fetchSite != fetchSite {
		t.Errorf("the forged POST from a %s went with Sec-Fetch-Site %q, want %q", name, nav.fetchSite, fetchSite)
	}
	if withSession && !slices.Contains(nav.cookies, "authalla_admin") {
		t.Errorf("the forged POST from a %s went without the Admin UI session cookie (sent: %q): it proves nothing about the CSRF defence", name, nav.cookies)
	}
	waitJS(t, f, "the refusal page", `document.readyState === "complete" && location.href === `+fmt.Sprintf("%q", settings))
	shoot(t, f, "08-csrf-"+strings.ReplaceAll(name, " ", "-"))
	if body := f.text("body"); !strings.Contains(body, "This form has expired") {
		t.Errorf("the forged POST's page says %q, want the CSRF refusal", body)
	}

	if origins := anyStrings(srv.cli(ctx, t, "tenant", "get", brandTenantID, "--json")["allowed_origins"]); !slices.Equal(origins, []string{brandOrigin}) {
		t.Fatalf("after the forged POST from a %s, allowed_origins = %q, want [%s]", name, origins, brandOrigin)
	}
	f.do("reload the settings", chromedp.Navigate(settings), chromedp.WaitVisible(chromedp.CSS(`#allowed_origins`)))
	if v := evalJS[string](t, f, "read the allowed origins", `document.getElementById("allowed_origins").value`); v != brandOrigin {
		t.Fatalf("after the forged POST the settings page shows allowed origins %q, want %s", v, brandOrigin)
	}
}

// attackerServer serves page at / on host (a loopback address) and a free
// port, until the test ends.
func attackerServer(t *testing.T, host, page string) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// documents records the browser's document navigations: the method and
// URL of each request, the Sec-Fetch-Site header and the cookies it was
// sent with, and the status of its response.
type documents struct {
	mu       sync.Mutex
	requests map[network.RequestID]string      // request id → "METHOD URL"
	extra    map[network.RequestID]sentHeaders // request id → what went on the wire
	statuses map[string]response               // "METHOD URL" → its response
}

// response is the response to one document request.
type response struct {
	id     network.RequestID
	status int64
}

// sentHeaders is what the browser put on the wire for one request.
type sentHeaders struct {
	fetchSite string
	cookies   []string // names of the cookies sent
}

// navigation is one document request's outcome.
type navigation struct {
	status int64
	sentHeaders
}

// recordDocuments starts recording f's document navigations.
func recordDocuments(t *testing.T, f *flow) *documents {
	t.Helper()
	d := &documents{requests: map[network.RequestID]string{}, extra: map[network.RequestID]sentHeaders{}, statuses: map[string]response{}}
	err := chromedp.Listen(f.ctx, func(ev any) {
		d.mu.Lock()
		defer d.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if e.Type == network.ResourceTypeDocument {
				d.requests[e.RequestID] = e.Request.Method + " " + e.Request.URL
			}
		case *network.EventRequestWillBeSentExtraInfo:
			var h sentHeaders
			for k, v := range e.Headers {
				if strings.EqualFold(k, "Sec-Fetch-Site") {
					h.fetchSite, _ = v.(string)
				}
			}
			for _, c := range e.AssociatedCookies {
				if len(c.BlockedReasons) == 0 && c.Cookie != nil {
					h.cookies = append(h.cookies, c.Cookie.Name)
				}
			}
			d.extra[e.RequestID] = h
		case *network.EventResponseReceived:
			if key, ok := d.requests[e.RequestID]; ok && e.Type == network.ResourceTypeDocument {
				d.statuses[key] = response{id: e.RequestID, status: e.Response.Status}
			}
		}
	})
	if err != nil {
		t.Fatalf("listen to the tab's network events: %v", err)
	}
	return d
}

// forget drops what was recorded so far.
func (d *documents) forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.requests)
	clear(d.extra)
	clear(d.statuses)
}

// wait returns the outcome of the document request method u, waiting for
// its response and for what it sent (the browser reports the request's
// wire headers in an event of its own, in no fixed order with the
// response), bounded by stepTimeout.
func (d *documents) wait(t *testing.T, f *flow, method, u string) navigation {
	t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	key := method + " " + u
	for {
		d.mu.Lock()
		resp, ok := d.statuses[key]
		sent, sentOK := d.extra[resp.id]
		seen := make([]string, 0, len(d.statuses))
		for k, v := range d.statuses {
			seen = append(seen, fmt.Sprintf("%s → %d", k, v.status))
		}
		d.mu.Unlock()
		if ok && sentOK {
			return navigation{status: resp.status, sentHeaders: sent}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no document response to %s, or no record of its headers: %v (responses seen: %q; page: %s)", key, ctx.Err(), seen, f.location())
		case <-tick.C:
		}
	}
}

// evalJS evaluates a JavaScript expression in f's page (awaiting a
// promise) and decodes its value.
func evalJS[T any](t *testing.T, f *flow, what, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v (page: %s)", what, err, f.location())
	}
	return v
}

// waitJS waits until a JavaScript expression (or the promise it returns)
// is true, asking every 50ms, bounded by stepTimeout. A page that is
// navigating cannot answer, so errors count as "not yet".
func waitJS(t *testing.T, f *flow, what, js string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		last = err
		select {
		case <-ctx.Done():
			t.Fatalf("wait until %s: %v (last error: %v; page: %s)", what, ctx.Err(), last, f.location())
		case <-tick.C:
		}
	}
}

// shoot saves a full-page screenshot of f to the artifacts directory,
// whatever the outcome of the test. A screenshot is evidence for a reader,
// not a check: one that cannot be taken (a page between two layouts on a
// loaded machine has no width yet) is logged, never a failure.
func shoot(t *testing.T, f *flow, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG; below, JPEG
	if err != nil {
		t.Logf("screenshot %s not taken: %v", name, err)
		return
	}
	path := artifactName(t, name+".png")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Logf("screenshot %s not saved: %v", name, err)
	}
}

// writeLogo writes a small two-colour PNG and returns its path.
func writeLogo(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, logoWidth, logoHeight))
	for y := range logoHeight {
		for x := range logoWidth {
			c := color.NRGBA{R: 0xc2, G: 0x41, B: 0x0c, A: 0xff}
			if x < logoHeight {
				c = color.NRGBA{R: 0x1e, G: 0x29, B: 0x3b, A: 0xff}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "logo.png")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(out, img); err != nil {
		out.Close()
		t.Fatalf("encode the logo: %v", err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// anyStrings converts a decoded JSON array of strings.
func anyStrings(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
