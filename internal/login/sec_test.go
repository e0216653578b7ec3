package login

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/session"
)

var nonceRe = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]+)'`)

// checkSecurityHeaders asserts SECURITY-TESTS 28 on one HTML response.
func checkSecurityHeaders(t *testing.T, name string, r *response, https bool) {
	t.Helper()
	h := r.Header
	csp := h.Get("Content-Security-Policy")
	m := nonceRe.FindStringSubmatch(csp)
	if m == nil {
		t.Fatalf("%s: CSP without a script nonce: %q", name, csp)
	}
	nonce := m[1]
	want := "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'self' 'nonce-" + nonce +
		"'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
	if csp != want {
		t.Errorf("%s: CSP = %q\nwant %q", name, csp, want)
	}
	if strings.Contains(csp, "form-action") {
		t.Errorf("%s: CSP has form-action", name)
	}
	if !strings.Contains(r.body, `<style nonce="`+nonce+`">`) || !strings.Contains(r.body, `nonce="`+nonce+`" defer></script>`) {
		t.Errorf("%s: inline style/script do not carry the response's nonce", name)
	}
	if strings.Count(r.body, "<script") != strings.Count(r.body, `nonce="`+nonce+`" defer></script>`) {
		t.Errorf("%s: a script without the nonce", name)
	}
	for k, v := range map[string]string{
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "no-referrer",
		"X-Content-Type-Options":     "nosniff",
		"Cache-Control":              "no-store",
		"Cross-Origin-Opener-Policy": "same-origin",
		"Content-Type":               "text/html; charset=utf-8",
	} {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", name, k, got, v)
		}
	}
	hsts := h.Get("Strict-Transport-Security")
	if https && hsts == "" {
		t.Errorf("%s: no HSTS over https", name)
	}
	if !https && hsts != "" {
		t.Errorf("%s: HSTS over http", name)
	}
	// SECURITY-TESTS 29: nothing is loaded from another origin.
	for _, attr := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(r.body, -1) {
		v := attr[1]
		if strings.HasPrefix(v, "//") || (strings.Contains(v, "://") && !strings.HasPrefix(v, "https://app.example/")) {
			t.Errorf("%s: third-party reference %q", name, v)
		}
	}
}

func TestSec28SecurityHeaders(t *testing.T) {
	for _, https := range []bool{false, true} {
		e := newEnv(t, envOptions{https: https})
		ar := e.authRequest(acme)
		iss := e.issuer(acme)
		b := e.browser()
		r := b.startLogin(acme, alice, ar.ID)
		loc := r.Header.Get("Location")
		_, link := e.lastCode(alice)

		pages := map[string]*response{
			"login":         b.get(iss + "/oauth2/login?request=" + ar.ID),
			"pin":           b.get(iss + loc),
			"magic link":    e.browser().get(link),
			"home (out)":    e.browser().get(iss + "/"),
			"logged out":    e.browser().get(iss + "/oauth2/logout"),
			"error 404":     b.get(e.issuer(acme) + "/oauth2/signup"),
			"error 400":     b.get(iss + "/oauth2/login?request=nope"),
			"wrong PIN 200": b.submitPIN(acme, loc, "12345x"),
			"csrf 403":      b.do(http.MethodPost, iss+"/oauth2/login", url.Values{"email": {alice}}),
			"signup":        e.browser().get(e.issuer(globex) + "/oauth2/signup"),
		}
		pin, _ := e.lastCode(alice)
		b.submitPIN(acme, loc, pin)
		pages["consent"] = b.get(iss + "/oauth2/consent?request=" + ar.ID)
		pages["home (in)"] = b.get(iss + "/")
		pages["logout confirm"] = b.get(iss + "/oauth2/logout")
		for name, r := range pages {
			if r.StatusCode == http.StatusSeeOther {
				t.Fatalf("%s: unexpected redirect", name)
			}
			checkSecurityHeaders(t, name, r, https)
		}
		// Two responses never share a nonce.
		n1 := nonceRe.FindStringSubmatch(pages["login"].Header.Get("Content-Security-Policy"))[1]
		n2 := nonceRe.FindStringSubmatch(b.get(iss + "/oauth2/login").Header.Get("Content-Security-Policy"))[1]
		if n1 == n2 {
			t.Fatal("nonce reused")
		}
		// Redirects answered by these routes carry the framing and caching
		// headers too.
		red := e.browser().get(iss + "/oauth2/consent?request=" + ar.ID)
		if red.StatusCode != http.StatusSeeOther || red.Header.Get("X-Frame-Options") != "DENY" || red.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("redirect headers: %d %v", red.StatusCode, red.Header)
		}
	}
}

func TestSec30CSRF(t *testing.T) {
	e := newEnv(t, envOptions{})
	iss := e.issuer(acme)
	ar := e.authRequest(acme)
	victim := e.browser()
	victim.signIn(acme, alice, "")
	sid := victim.cookie(e.host(acme), e.sessionCookieName())
	token := victim.csrfFrom(iss + "/oauth2/consent?request=" + ar.ID)

	// A challenge for the PIN and link cases.
	other := e.browser()
	r := other.startLogin(acme, alice, "")
	pin, link := e.lastCode(alice)
	chID := mustQuery(t, r.Header.Get("Location"), "challenge")
	otherToken := other.csrfFrom(iss + "/oauth2/login")
	mailsBefore := len(e.mails())

	type target struct {
		name string
		b    *browser
		tok  string
		url  string
		form url.Values
	}
	targets := []target{
		{"login", victim, token, iss + "/oauth2/login", url.Values{"email": {alice}}},
		{"signup", e.browser(), "", e.issuer(globex) + "/oauth2/signup", url.Values{"email": {"x@globex.test"}, "name": {"X"}}},
		{"pin", other, otherToken, iss + "/oauth2/pin-code", url.Values{"challenge": {chID}, "pin": {pin}}},
		{"magic link", other, otherToken, iss + "/oauth2/magic-link", url.Values{"token": {mustQuery(t, link, "token")}}},
		{"consent approve", victim, token, iss + "/oauth2/consent", url.Values{"request": {ar.ID}, "action": {"approve"}}},
		{"consent deny", victim, token, iss + "/oauth2/consent", url.Values{"request": {ar.ID}, "action": {"deny"}}},
		{"logout confirm", victim, token, iss + "/oauth2/logout", url.Values{"confirm": {"1"}}},
	}
	attacks := []struct {
		name    string
		field   func(tok string) string
		headers map[string]string
	}{
		{"missing token", func(string) string { return "" }, nil},
		{"forged token", func(string) string { return strings.Repeat("A", 86) }, nil},
		{"cross-site with token", func(tok string) string { return tok }, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign Origin with token", func(tok string) string { return tok }, map[string]string{"Origin": "https://evil.example"}},
		{"other tenant's Origin with token", func(tok string) string { return tok }, map[string]string{"Origin": e.issuer(globex)}},
	}
	for _, tg := range targets {
		for _, a := range attacks {
			t.Run(tg.name+"/"+a.name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range tg.form {
					f[k] = v
				}
				if v := a.field(tg.tok); v != "" {
					f.Set("csrf_token", v)
				}
				for k, v := range a.headers {
					tg.b.headers[k] = v
				}
				res := tg.b.do(http.MethodPost, tg.url, f)
				for k := range a.headers {
					delete(tg.b.headers, k)
				}
				if res.StatusCode != http.StatusForbidden {
					t.Fatalf("status = %d, want 403", res.StatusCode)
				}
			})
		}
	}
	// Nothing changed.
	if n := len(e.mails()); n != mailsBefore {
		t.Fatalf("mail sent by a forged POST (%d -> %d)", mailsBefore, n)
	}
	if e.session(acme, sid) == nil {
		t.Fatal("forged logout ended the session")
	}
	if _, err := e.store.GetConsent(e.ctx, acme, e.users[acme+"|"+alice].ID, clientID); err == nil {
		t.Fatal("forged consent recorded")
	}
	if got, _ := e.store.GetAuthRequest(e.ctx, acme, ar.ID, e.clock.Now()); got.ConsentGiven {
		t.Fatal("forged consent set on the request")
	}
	if len(e.finisher.denied) != 0 {
		t.Fatal("forged deny reached the Finisher")
	}
	c, _ := e.store.GetLoginChallenge(e.ctx, acme, chID)
	if c.ConsumedAt != nil || c.Attempts != 0 {
		t.Fatalf("challenge changed: %+v", c)
	}
	if other.cookie(e.host(acme), e.sessionCookieName()) != "" {
		t.Fatal("forged PIN or link signed in")
	}
	// And with the token, same-origin, it works.
	victim.headers["Origin"] = iss
	victim.headers["Sec-Fetch-Site"] = "same-origin"
	res := victim.do(http.MethodPost, iss+"/oauth2/consent", url.Values{"request": {ar.ID}, "action": {"approve"}, "csrf_token": {token}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("genuine consent = %d", res.StatusCode)
	}
}

func TestSec30ConsentNeverByGET(t *testing.T) {
	e := newEnv(t, envOptions{})
	iss := e.issuer(acme)
	ar := e.authRequest(acme)
	b := e.browser()
	for _, u := range []string{
		iss + "/oauth2/consent?request=" + ar.ID + "&action=approve",
		iss + "/oauth2/consent?request=" + ar.ID,
	} {
		// Without a session: sent to sign in, with the request.
		r := b.get(u)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/oauth2/login?request="+ar.ID {
			t.Fatalf("consent without session = %d %q", r.StatusCode, r.Header.Get("Location"))
		}
	}
	b.signIn(acme, alice, "")
	r := b.get(iss + "/oauth2/consent?request=" + ar.ID + "&action=approve")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("consent page = %d", r.StatusCode)
	}
	if _, err := e.store.GetConsent(e.ctx, acme, e.users[acme+"|"+alice].ID, clientID); err == nil {
		t.Fatal("GET granted consent")
	}
	if got, _ := e.store.GetAuthRequest(e.ctx, acme, ar.ID, e.clock.Now()); got.ConsentGiven {
		t.Fatal("GET set consent on the request")
	}
}

func TestSec47Consent(t *testing.T) {
	e := newEnv(t, envOptions{})
	iss := e.issuer(acme)
	ar := e.authRequest(acme, "openid", "email", "offline_access", "orders:read")
	b := e.browser()
	b.signIn(acme, alice, "")
	page := b.get(iss + "/oauth2/consent?request=" + ar.ID)
	for _, want := range []string{"Acme App wants to access your account", "app.example", "See your email address",
		"Stay signed in", "“orders:read”", alice, `value="approve"`, `value="deny"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	uid := e.users[acme+"|"+alice].ID

	t.Run("approve", func(t *testing.T) {
		res := b.post(iss+"/oauth2/consent?request="+ar.ID, iss+"/oauth2/consent", url.Values{"request": {ar.ID}, "action": {"approve"},
			"scope": {"email", "offline_access", "orders:read"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/oauth2/authorize?request_id="+ar.ID {
			t.Fatalf("approve = %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		c, err := e.store.GetConsent(e.ctx, acme, uid, clientID)
		if err != nil || strings.Join(c.Scopes, " ") != "openid email offline_access orders:read" {
			t.Fatalf("consent = %+v, %v", c, err)
		}
		got, _ := e.store.GetAuthRequest(e.ctx, acme, ar.ID, e.clock.Now())
		if !got.ConsentGiven {
			t.Fatal("request not marked consented")
		}
		// A later approval adds to the earlier scopes.
		ar2 := e.authRequest(acme, "openid", "profile")
		b.post(iss+"/oauth2/consent?request="+ar2.ID, iss+"/oauth2/consent", url.Values{"request": {ar2.ID}, "action": {"approve"}, "scope": {"profile"}})
		c, _ = e.store.GetConsent(e.ctx, acme, uid, clientID)
		sort.Strings(c.Scopes)
		if strings.Join(c.Scopes, " ") != "email offline_access openid orders:read profile" {
			t.Fatalf("merged scopes = %v", c.Scopes)
		}
	})
	t.Run("deny", func(t *testing.T) {
		ar3 := e.authRequest(acme)
		res := b.post(iss+"/oauth2/consent?request="+ar3.ID, iss+"/oauth2/consent", url.Values{"request": {ar3.ID}, "action": {"deny"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "error=access_denied") {
			t.Fatalf("deny = %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if !slices.Contains(e.finisher.denied, ar3.ID) {
			t.Fatal("Finisher.Deny not called")
		}
		got, _ := e.store.GetAuthRequest(e.ctx, acme, ar3.ID, e.clock.Now())
		if got.ConsentGiven {
			t.Fatal("denied request marked consented")
		}
	})
	t.Run("the same tenant's other issuer", func(t *testing.T) {
		// Parked on the host issuer, presented on the path issuer.
		ar4 := e.authRequest(acme)
		if r := b.get("http://example.test/t/acme/oauth2/login?request=" + ar4.ID); r.StatusCode != http.StatusBadRequest {
			t.Fatalf("request on another issuer = %d", r.StatusCode)
		}
	})
	t.Run("another tenant's request", func(t *testing.T) {
		foreign := e.authRequest(globex)
		if r := b.get(iss + "/oauth2/consent?request=" + foreign.ID); r.StatusCode != http.StatusBadRequest {
			t.Fatalf("foreign request = %d", r.StatusCode)
		}
	})
}

func TestSec31CookieAttributes(t *testing.T) {
	t.Run("https host issuer", func(t *testing.T) {
		e := newEnv(t, envOptions{https: true})
		b := e.browser()
		b.signIn(acme, alice, "")
		jar := b.cookies[e.host(acme)]
		for _, name := range []string{"__Host-authalla_session", "__Host-authalla_csrf"} {
			c := jar[name]
			if c == nil {
				t.Fatalf("no cookie %s (have %v)", name, keysOf(jar))
			}
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
				t.Errorf("%s = %+v", name, c)
			}
			if len(c.Value) < 43 { // ≥ 256 bits, base64url
				t.Errorf("%s value too short: %d", name, len(c.Value))
			}
		}
		// The pre-login cookie is __Host- too (seen on a fresh start).
		b2 := e.browser()
		r := b2.startLogin(acme, alice, "")
		var pre *http.Cookie
		for _, c := range r.Cookies() {
			if strings.Contains(c.Name, "prelogin") {
				pre = c
			}
		}
		if pre == nil || pre.Name != "__Host-authalla_prelogin" || !pre.Secure || !pre.HttpOnly || pre.Path != "/" || pre.SameSite != http.SameSiteLaxMode {
			t.Fatalf("pre-login cookie = %+v", pre)
		}
	})
	t.Run("http path issuer", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		b := e.browser()
		base := "http://example.test/t/" + acme
		r := b.post(base+"/oauth2/login", base+"/oauth2/login", url.Values{"email": {alice}})
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/t/acme/oauth2/pin-code?challenge=") {
			t.Fatalf("path issuer login = %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		pin, link := e.lastCode(alice)
		if !strings.HasPrefix(link, base+"/oauth2/magic-link?token=") {
			t.Fatalf("link %q not under the path issuer", link)
		}
		res := b.post(base+"/oauth2/login", base+"/oauth2/pin-code", url.Values{"challenge": {mustQuery(t, r.Header.Get("Location"), "challenge")}, "pin": {pin}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/t/acme/" {
			t.Fatalf("PIN = %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		c := b.cookies["example.test"][session.CookieBase+"-"+acme]
		if c == nil || c.Path != "/t/acme/" || c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie = %+v", c)
		}
		page := b.get(base + "/")
		if !strings.Contains(page.body, `href="/t/acme/assets/app.css?v=`) || !strings.Contains(page.body, `action="/t/acme/oauth2/logout"`) {
			t.Fatal("path issuer page links are not under the base path")
		}
	})
}

func TestSec43SessionCookieIsPerTenant(t *testing.T) {
	e := newEnv(t, envOptions{https: true})
	b := e.browser()
	b.signIn(acme, alice, "")
	value := b.cookie(e.host(acme), e.sessionCookieName())
	// Present tenant A's cookie, under the right name, at tenant B's host
	// (alice exists there too, as another person).
	b.cookies[e.host(globex)] = map[string]*http.Cookie{e.sessionCookieName(): {Name: e.sessionCookieName(), Value: value}}
	home := b.get(e.issuer(globex) + "/")
	if strings.Contains(home.body, "You are signed in") || !strings.Contains(home.body, "Sign in") {
		t.Fatal("tenant A's session cookie accepted at tenant B")
	}
	ar := e.authRequest(globex)
	if r := b.get(e.issuer(globex) + "/oauth2/consent?request=" + ar.ID); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent at tenant B with tenant A's cookie = %d", r.StatusCode)
	}
	// And the same for a challenge: tenant A's link does nothing at B.
	b.startLogin(acme, alice, "")
	_, link := e.lastCode(alice)
	foreign := strings.Replace(link, e.host(acme), e.host(globex), 1)
	if r := e.browser().get(foreign); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("tenant A's link at tenant B = %d", r.StatusCode)
	}
}

func TestSec32SessionFixation(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	// An attacker-planted session cookie is not adopted.
	b.cookies[e.host(acme)] = map[string]*http.Cookie{e.sessionCookieName(): {Name: e.sessionCookieName(), Value: strings.Repeat("F", 43)}}
	r := b.startLogin(acme, alice, "")
	prelogin := b.cookie(e.host(acme), "authalla_prelogin")
	pin, _ := e.lastCode(alice)
	b.submitPIN(acme, r.Header.Get("Location"), pin)
	first := b.cookie(e.host(acme), e.sessionCookieName())
	if first == strings.Repeat("F", 43) || first == prelogin || e.session(acme, first) == nil {
		t.Fatal("session id did not rotate at login")
	}
	if e.session(acme, prelogin) != nil {
		t.Fatal("pre-login value is a session")
	}
	// Signing in again rotates again and revokes the previous session.
	b.signIn(acme, alice, "")
	second := b.cookie(e.host(acme), e.sessionCookieName())
	if second == first || e.session(acme, second) == nil {
		t.Fatal("second login kept the session id")
	}
	if e.session(acme, first) != nil {
		t.Fatal("the pre-rotation session still works")
	}
}

func TestSec38NoAccountEnumeration(t *testing.T) {
	e := newEnv(t, envOptions{})
	iss := e.issuer(acme)
	type outcome struct {
		status     int
		body       string
		cookies    []string
		headers    []string
		pinStatus  int
		pinBody    string
		wrongBody  string
		wrongCode  int
		locPattern string
	}
	run := func(email string) outcome {
		b := e.browser()
		b.csrfFrom(iss + "/oauth2/login") // same starting cookies for everyone
		tok := b.csrfFrom(iss + "/oauth2/login")
		res := b.do(http.MethodPost, iss+"/oauth2/login", url.Values{"email": {email}, "csrf_token": {tok}})
		var o outcome
		o.status, o.body = res.StatusCode, res.body
		for _, c := range res.Cookies() {
			o.cookies = append(o.cookies, c.Name+";"+c.Path+";"+strconv.Itoa(int(c.SameSite))+";"+boolStr(c.HttpOnly)+";"+strconv.Itoa(c.MaxAge))
		}
		for k := range res.Header {
			o.headers = append(o.headers, k)
		}
		sort.Strings(o.headers)
		loc := res.Header.Get("Location")
		id := mustQuery(t, loc, "challenge")
		o.locPattern = strings.Replace(loc, id, "ID", 1)
		p := b.get(iss + loc)
		o.pinStatus = p.StatusCode
		o.pinBody = normalizePage(p.body, id, email)
		w := b.submitPIN(acme, loc, "000000")
		o.wrongCode, o.wrongBody = w.StatusCode, normalizePage(w.body, id, email)
		return o
	}
	known := run(alice)
	for _, email := range []string{"nobody@acme.test", suspended} {
		got := run(email)
		if got.status != known.status || got.body != known.body || got.locPattern != known.locPattern {
			t.Errorf("%s: POST %d %q %q, known %d %q %q", email, got.status, got.body, got.locPattern, known.status, known.body, known.locPattern)
		}
		if strings.Join(got.cookies, ",") != strings.Join(known.cookies, ",") {
			t.Errorf("%s: cookies %v, known %v", email, got.cookies, known.cookies)
		}
		if strings.Join(got.headers, ",") != strings.Join(known.headers, ",") {
			t.Errorf("%s: headers %v, known %v", email, got.headers, known.headers)
		}
		if got.pinStatus != known.pinStatus || got.pinBody != known.pinBody {
			t.Errorf("%s: PIN page differs", email)
		}
		if got.wrongCode != known.wrongCode || got.wrongBody != known.wrongBody {
			t.Errorf("%s: wrong-PIN page differs", email)
		}
	}
	msgs := e.mails()
	if len(msgs) != 1 || msgs[0].To != alice {
		t.Fatalf("mails: %d, want 1 to %s", len(msgs), alice)
	}
}

// normalizePage removes what legitimately differs between two renderings:
// nonces, CSRF values, the challenge id and the typed address.
func normalizePage(body, challengeID, email string) string {
	body = regexp.MustCompile(`nonce="[^"]+"`).ReplaceAllString(body, `nonce="N"`)
	body = csrfRe.ReplaceAllString(body, `name="csrf_token" value="T"`)
	body = strings.ReplaceAll(body, challengeID, "ID")
	return strings.ReplaceAll(body, email, "EMAIL")
}

func keysOf(m map[string]*http.Cookie) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
