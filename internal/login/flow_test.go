package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
)

func TestPINFlow(t *testing.T) {
	e := newEnv(t, envOptions{})
	ar := e.authRequest(acme)
	b := e.browser()
	iss := e.issuer(acme)

	page := b.get(iss + "/oauth2/login?request=" + ar.ID)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("login page = %d", page.StatusCode)
	}
	for _, want := range []string{"Acme App", `value="` + alice + `"`, `name="request" value="` + ar.ID + `"`, `type="email"`, `autocomplete="email"`, `<label for="email">`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}

	r := b.startLogin(acme, alice, ar.ID)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/oauth2/pin-code?challenge=lch_") {
		t.Fatalf("Location = %q", loc)
	}
	msgs := e.mails()
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want 1", len(msgs))
	}
	m := msgs[0]
	pin, link := e.lastCode(alice)
	if m.To != alice || len(pin) != 6 || !strings.HasPrefix(link, iss+"/oauth2/magic-link?token=") {
		t.Fatalf("mail to %q, pin %q, link %q", m.To, pin, link)
	}
	c, err := e.store.GetLoginChallenge(e.ctx, acme, strings.TrimPrefix(loc, "/oauth2/pin-code?challenge="))
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != e.users[acme+"|"+alice].ID || c.AuthRequestID != ar.ID || string(c.PINHash) == pin ||
		!secret.Equal(c.PINHash, secret.HashBytes(pin)) || !c.PINExpiresAt.Equal(e.clock.Now().Add(10*time.Minute)) ||
		!c.LinkExpiresAt.Equal(e.clock.Now().Add(24*time.Hour)) || c.BrowserHash == "" {
		t.Fatalf("challenge = %+v", c)
	}

	pinPage := b.get(iss + loc)
	for _, want := range []string{`inputmode="numeric"`, `autocomplete="one-time-code"`, alice, "Send a new code", "Use another email"} {
		if !strings.Contains(pinPage.body, want) {
			t.Errorf("PIN page lacks %q", want)
		}
	}

	prelogin := b.cookie(e.host(acme), "authalla_prelogin")
	res := b.submitPIN(acme, loc, pin[:3]+" "+pin[3:]) // a pasted space is fine
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("PIN POST = %d: %s", res.StatusCode, res.body)
	}
	if got, want := res.Header.Get("Location"), "/oauth2/authorize?request_id="+ar.ID; got != want {
		t.Fatalf("Location = %q, want %q", got, want)
	}
	sid := b.cookie(e.host(acme), e.sessionCookieName())
	s := e.session(acme, sid)
	if s == nil || s.UserID != e.users[acme+"|"+alice].ID || !s.AuthTime.Equal(e.clock.Now()) {
		t.Fatalf("session = %+v", s)
	}
	if strings.Join(s.AMR, " ") != "email otp" {
		t.Fatalf("amr = %v", s.AMR)
	}
	if sid == prelogin || e.session(acme, prelogin) != nil {
		t.Fatal("the pre-login cookie became the session")
	}
	if b.cookie(e.host(acme), "authalla_prelogin") != "" {
		t.Fatal("pre-login cookie not cleared after sign-in")
	}
	u, _ := e.store.GetUser(e.ctx, acme, s.UserID)
	if u.LastLogin == nil || !u.LastLogin.Equal(e.clock.Now()) {
		t.Fatalf("last login = %v", u.LastLogin)
	}
	home := b.get(iss + "/")
	if !strings.Contains(home.body, "You are signed in") || !strings.Contains(home.body, alice) {
		t.Fatalf("home page does not show the signed-in user: %s", home.body)
	}
	events, _, err := e.store.ListAudit(e.ctx, acme, idp.AuditQuery{Action: "login.success"})
	if err != nil || len(events) != 1 {
		t.Fatalf("audit = %v, %v", events, err)
	}
	ev := events[0]
	if ev.ActorID != s.UserID || ev.Outcome != "success" || ev.Details["method"] != "pin" || ev.ClientIP != "192.0.2.10" {
		t.Fatalf("audit event = %+v", ev)
	}
	for k, v := range ev.Details {
		if strings.Contains(v, pin) || strings.Contains(v, "@") || k == "email" {
			t.Fatalf("audit details leak %s=%s", k, v)
		}
	}
}

func TestMagicLinkFlow(t *testing.T) {
	e := newEnv(t, envOptions{})
	ar := e.authRequest(acme)
	e.browser().startLogin(acme, alice, ar.ID)
	_, link := e.lastCode(alice)

	other := e.browser()     // the link works from any browser
	for i := 0; i < 2; i++ { // a mail scanner's GET must not consume it
		p := other.get(link)
		if p.StatusCode != http.StatusOK || !strings.Contains(p.body, "Continue as "+alice) || !strings.Contains(p.body, "Acme App") {
			t.Fatalf("GET link #%d = %d: %s", i, p.StatusCode, p.body)
		}
	}
	if sid := other.cookie(e.host(acme), e.sessionCookieName()); sid != "" {
		t.Fatal("GET on the link started a session")
	}
	token := mustQuery(t, link, "token")
	res := other.post(link, e.issuer(acme)+"/oauth2/magic-link", url.Values{"token": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/oauth2/authorize?request_id="+ar.ID {
		t.Fatalf("POST link = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if s := e.session(acme, other.cookie(e.host(acme), e.sessionCookieName())); s == nil || s.UserID != e.users[acme+"|"+alice].ID {
		t.Fatalf("session = %+v", s)
	}
	// Used: both the page and the POST now refuse it.
	if p := other.get(link); p.StatusCode != http.StatusBadRequest || !strings.Contains(p.body, "This link has expired") {
		t.Fatalf("GET used link = %d", p.StatusCode)
	}
	again := e.browser()
	res = again.post(e.issuer(acme)+"/oauth2/login", e.issuer(acme)+"/oauth2/magic-link", url.Values{"token": {token}})
	if res.StatusCode != http.StatusBadRequest || again.cookie(e.host(acme), e.sessionCookieName()) != "" {
		t.Fatalf("reused link = %d", res.StatusCode)
	}
}

func TestSingleUseAcrossPINAndLink(t *testing.T) {
	t.Run("link after PIN", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		b := e.browser()
		r := b.startLogin(acme, alice, "")
		pin, link := e.lastCode(alice)
		if res := b.submitPIN(acme, r.Header.Get("Location"), pin); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("PIN = %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		o := e.browser()
		if p := o.get(link); p.StatusCode != http.StatusBadRequest {
			t.Fatalf("link page after PIN = %d", p.StatusCode)
		}
		res := o.post(e.issuer(acme)+"/oauth2/login", e.issuer(acme)+"/oauth2/magic-link", url.Values{"token": {mustQuery(t, link, "token")}})
		if res.StatusCode != http.StatusBadRequest || o.cookie(e.host(acme), e.sessionCookieName()) != "" {
			t.Fatalf("link after PIN = %d", res.StatusCode)
		}
	})
	t.Run("PIN after link", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		b := e.browser()
		r := b.startLogin(acme, alice, "")
		pin, link := e.lastCode(alice)
		o := e.browser()
		if res := o.post(link, e.issuer(acme)+"/oauth2/magic-link", url.Values{"token": {mustQuery(t, link, "token")}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("link = %d", res.StatusCode)
		}
		res := b.submitPIN(acme, r.Header.Get("Location"), pin)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "already used") || b.cookie(e.host(acme), e.sessionCookieName()) != "" {
			t.Fatalf("PIN after link = %d: %s", res.StatusCode, res.body)
		}
	})
}

func TestSec37FiveWrongPINsBurnTheChallenge(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	r := b.startLogin(acme, alice, "")
	loc := r.Header.Get("Location")
	pin, link := e.lastCode(alice)
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	for i := 1; i <= idp.MaxPINAttempts; i++ {
		res := b.submitPIN(acme, loc, wrong)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `role="alert"`) {
			t.Fatalf("wrong PIN #%d = %d", i, res.StatusCode)
		}
		if i < idp.MaxPINAttempts && !strings.Contains(res.body, "That code is not right") {
			t.Fatalf("wrong PIN #%d message: %s", i, res.body)
		}
	}
	c, _ := e.store.GetLoginChallenge(e.ctx, acme, mustQuery(t, loc, "challenge"))
	if c.Attempts != idp.MaxPINAttempts {
		t.Fatalf("attempts = %d", c.Attempts)
	}
	res := b.submitPIN(acme, loc, pin)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Too many wrong codes") {
		t.Fatalf("right PIN after burn = %d: %s", res.StatusCode, res.body)
	}
	if b.cookie(e.host(acme), e.sessionCookieName()) != "" {
		t.Fatal("a burned challenge signed in")
	}
	c, _ = e.store.GetLoginChallenge(e.ctx, acme, c.ID)
	if c.ConsumedAt != nil {
		t.Fatal("burned challenge consumed")
	}
	events, n, _ := e.store.ListAudit(e.ctx, acme, idp.AuditQuery{Action: "login.failure"})
	if n != idp.MaxPINAttempts+1 {
		t.Fatalf("%d failure events, want %d", n, idp.MaxPINAttempts+1)
	}
	for _, ev := range events {
		for _, v := range ev.Details {
			if strings.Contains(v, wrong) || strings.Contains(v, pin) {
				t.Fatal("audit carries a PIN")
			}
		}
	}
	// The link is a 256-bit secret: mistyped codes do not burn it.
	o := e.browser()
	if res := o.post(link, e.issuer(acme)+"/oauth2/magic-link", url.Values{"token": {mustQuery(t, link, "token")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link after burned PIN = %d", res.StatusCode)
	}
}

func TestExpiry(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	r := b.startLogin(acme, alice, "")
	pin, link := e.lastCode(alice)

	e.clock.Advance(idp.PINLifetime) // exactly at expiry: expired
	res := b.submitPIN(acme, r.Header.Get("Location"), pin)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "This code has expired") || b.cookie(e.host(acme), e.sessionCookieName()) != "" {
		t.Fatalf("expired PIN = %d: %s", res.StatusCode, res.body)
	}

	e.clock.Advance(idp.LinkLifetime - idp.PINLifetime)
	o := e.browser()
	if p := o.get(link); p.StatusCode != http.StatusBadRequest {
		t.Fatalf("expired link page = %d", p.StatusCode)
	}
	e.clock.Advance(-time.Microsecond) // just before: still valid
	if p := o.get(link); p.StatusCode != http.StatusOK {
		t.Fatalf("link page just before expiry = %d", p.StatusCode)
	}
}

func TestPINIsBoundToTheBrowser(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	r := b.startLogin(acme, alice, "")
	pin, _ := e.lastCode(alice)
	loc := r.Header.Get("Location")

	attacker := e.browser()
	if p := attacker.get(e.issuer(acme) + loc); p.StatusCode != http.StatusBadRequest || strings.Contains(p.body, alice) {
		t.Fatalf("PIN page in another browser = %d", p.StatusCode)
	}
	res := attacker.submitPIN(acme, loc, pin)
	if res.StatusCode != http.StatusBadRequest || attacker.cookie(e.host(acme), e.sessionCookieName()) != "" {
		t.Fatalf("PIN from another browser = %d", res.StatusCode)
	}
	c, _ := e.store.GetLoginChallenge(e.ctx, acme, mustQuery(t, loc, "challenge"))
	if c.ConsumedAt != nil || c.Attempts != 0 {
		t.Fatalf("challenge touched: %+v", c)
	}
	if res := b.submitPIN(acme, loc, pin); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("PIN in the right browser = %d", res.StatusCode)
	}
}

func TestInactiveUsersCannotComplete(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	r := b.startLogin(acme, alice, "")
	pin, _ := e.lastCode(alice)
	u := e.users[acme+"|"+alice]
	u.Status = idp.UserSuspended
	if err := e.store.UpdateUser(e.ctx, acme, u); err != nil {
		t.Fatal(err)
	}
	res := b.submitPIN(acme, r.Header.Get("Location"), pin)
	if res.StatusCode != http.StatusForbidden || b.cookie(e.host(acme), e.sessionCookieName()) != "" {
		t.Fatalf("suspended user PIN = %d", res.StatusCode)
	}
	events, _, _ := e.store.ListAudit(e.ctx, acme, idp.AuditQuery{Action: "login.failure"})
	if len(events) != 1 || events[0].Details["reason"] != "not_allowed" {
		t.Fatalf("audit = %+v", events)
	}
}

func TestSignup(t *testing.T) {
	e := newEnv(t, envOptions{})
	t.Run("closed tenant", func(t *testing.T) {
		b := e.browser()
		if p := b.get(e.issuer(acme) + "/oauth2/signup"); p.StatusCode != http.StatusNotFound {
			t.Fatalf("signup page on a closed tenant = %d", p.StatusCode)
		}
		if p := b.get(e.issuer(acme) + "/oauth2/login"); strings.Contains(p.body, "Create an account") {
			t.Fatal("closed tenant offers sign-up")
		}
	})
	t.Run("sign-up form", func(t *testing.T) {
		b := e.browser()
		iss := e.issuer(globex)
		r := b.post(iss+"/oauth2/signup", iss+"/oauth2/signup", url.Values{"name": {"  Bob   Builder "}, "email": {" Bob@Globex.TEST "}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("signup POST = %d: %s", r.StatusCode, r.body)
		}
		msgs := e.mails()
		m := msgs[len(msgs)-1]
		if m.To != "bob@globex.test" || !strings.Contains(m.Subject, "Confirm") {
			t.Fatalf("sign-up mail = %q %q", m.To, m.Subject)
		}
		if _, err := e.store.GetUserByEmail(e.ctx, globex, "bob@globex.test"); err == nil {
			t.Fatal("user created before the email was confirmed")
		}
		pin, _ := e.lastCode("bob@globex.test")
		if res := b.submitPIN(globex, r.Header.Get("Location"), pin); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("PIN = %d", res.StatusCode)
		}
		u, err := e.store.GetUserByEmail(e.ctx, globex, "bob@globex.test")
		if err != nil || u.Name != "Bob Builder" || !u.EmailVerified || u.Status != idp.UserActive {
			t.Fatalf("user = %+v, %v", u, err)
		}
	})
	t.Run("sign-up name survives a magic link opened in another browser", func(t *testing.T) {
		b := e.browser()
		iss := e.issuer(globex)
		r := b.post(iss+"/oauth2/signup", iss+"/oauth2/signup", url.Values{"name": {"Dana Scully"}, "email": {"dana@globex.test"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("signup POST = %d", r.StatusCode)
		}
		_, link := e.lastCode("dana@globex.test")
		o := e.browser()
		if res := o.post(link, iss+"/oauth2/magic-link", url.Values{"token": {mustQuery(t, link, "token")}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("link = %d", res.StatusCode)
		}
		if u, err := e.store.GetUserByEmail(e.ctx, globex, "dana@globex.test"); err != nil || u.Name != "Dana Scully" {
			t.Fatalf("user = %+v, %v", u, err)
		}
	})
	t.Run("unknown email on the login form of an open tenant", func(t *testing.T) {
		b := e.browser()
		_, link := "", ""
		b.startLogin(globex, "carol@globex.test", "")
		_, link = e.lastCode("carol@globex.test")
		o := e.browser()
		if res := o.post(link, e.issuer(globex)+"/oauth2/magic-link", url.Values{"token": {mustQuery(t, link, "token")}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("link = %d", res.StatusCode)
		}
		if u, err := e.store.GetUserByEmail(e.ctx, globex, "carol@globex.test"); err != nil || !u.EmailVerified {
			t.Fatalf("user = %+v, %v", u, err)
		}
	})
	t.Run("validation", func(t *testing.T) {
		b := e.browser()
		iss := e.issuer(globex)
		before := len(e.mails())
		for _, f := range []url.Values{{"name": {""}, "email": {"dan@globex.test"}}, {"name": {"Dan"}, "email": {"not-an-email"}}} {
			r := b.post(iss+"/oauth2/signup", iss+"/oauth2/signup", f)
			if r.StatusCode != http.StatusOK || !strings.Contains(r.body, `role="alert"`) {
				t.Fatalf("invalid sign-up = %d", r.StatusCode)
			}
		}
		if len(e.mails()) != before {
			t.Fatal("invalid sign-up sent mail")
		}
	})
}

func TestAdminSignInLink(t *testing.T) {
	// The management layer's first-administrator link: a challenge with a
	// user, an unusable PIN, no browser binding and no request.
	e := newEnv(t, envOptions{})
	token, _ := secret.Default.Token(32)
	unusable, _ := secret.Default.Token(32)
	u := e.users[acme+"|"+alice]
	now := e.clock.Now()
	c := &idp.LoginChallenge{TenantID: acme, ID: "lch_admin", Email: u.Email, UserID: u.ID,
		PINHash: secret.HashBytes(unusable), LinkHash: secret.HashBytes(token),
		PINExpiresAt: now, LinkExpiresAt: now.Add(24 * time.Hour), CreatedAt: now}
	if err := e.store.CreateLoginChallenge(e.ctx, acme, c); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	link := e.issuer(acme) + "/oauth2/magic-link?token=" + token
	res := b.post(link, e.issuer(acme)+"/oauth2/magic-link", url.Values{"token": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("admin link = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	home := b.get(e.issuer(acme) + "/")
	if !strings.Contains(home.body, "You are signed in") || !strings.Contains(home.body, u.Email) {
		t.Fatal("home page does not show the administrator")
	}
}

func TestLoginFormValidation(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	iss := e.issuer(acme)
	for _, bad := range []string{"", "no-at-sign", "a@b@c", "Alice <alice@acme.test>", "a b@acme.test", strings.Repeat("x", 250) + "@acme.test"} {
		r := b.post(iss+"/oauth2/login", iss+"/oauth2/login", url.Values{"email": {bad}})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "Enter a valid email address") {
			t.Fatalf("email %q: %d", bad, r.StatusCode)
		}
	}
	if len(e.mails()) != 0 {
		t.Fatal("invalid email sent mail")
	}
	// login_hint pre-fills the form, escaped.
	p := b.get(iss + "/oauth2/login?login_hint=" + url.QueryEscape(`x"><script>alert(1)</script>@acme.test`))
	if p.StatusCode != http.StatusOK || strings.Contains(p.body, "<script>alert") || !strings.Contains(p.body, `value="x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@acme.test"`) {
		t.Fatalf("login_hint not pre-filled safely: %d", p.StatusCode)
	}
	// An expired or unknown request is an error page, not a silent sign-in.
	if p := b.get(iss + "/oauth2/login?request=ar_nope"); p.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown request = %d", p.StatusCode)
	}
	ar := e.authRequest(acme)
	e.clock.Advance(11 * time.Minute)
	if p := b.get(iss + "/oauth2/login?request=" + ar.ID); p.StatusCode != http.StatusBadRequest {
		t.Fatalf("expired request = %d", p.StatusCode)
	}
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, envOptions{limits: Limits{StartPerEmail: Limit{Max: 3, Window: time.Hour}, VerifyPerIP: Limit{Max: 4, Window: time.Hour}}})
	for _, email := range []string{alice, "nobody@acme.test"} {
		b := e.browser()
		for i := 0; i < 3; i++ {
			b.startLogin(acme, email, "")
		}
		iss := e.issuer(acme)
		r := b.post(iss+"/oauth2/login", iss+"/oauth2/login", url.Values{"email": {email}})
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "3600" {
			t.Fatalf("%s: 4th start = %d, Retry-After %q", email, r.StatusCode, r.Header.Get("Retry-After"))
		}
	}
	if n := len(e.mails()); n != 3 {
		t.Fatalf("%d mails, want 3", n)
	}
	// PIN guesses from one address are limited across challenges too.
	b := e.browser()
	e.clock.Advance(time.Hour)
	r := b.startLogin(acme, alice, "")
	var last *response
	for i := 0; i < 5; i++ {
		last = b.submitPIN(acme, r.Header.Get("Location"), "999999")
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("5th PIN = %d", last.StatusCode)
	}
	e.clock.Advance(time.Hour)
	pin, _ := e.lastCode(alice)
	if res := b.submitPIN(acme, r.Header.Get("Location"), pin); res.StatusCode == http.StatusTooManyRequests {
		t.Fatal("limit did not reset after the window")
	}
}

func mustQuery(t *testing.T, rawURL, key string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query().Get(key)
	if v == "" {
		t.Fatalf("%s has no %s", rawURL, key)
	}
	return v
}
