package login

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestChosenScopes(t *testing.T) {
	requested := []string{"openid", "email", "offline_access", "mcp:read", "mcp:write"}
	tests := map[string]struct {
		posted  []string
		want    []string
		invalid bool
	}{
		"all checked":             {posted: []string{"email", "offline_access", "mcp:read", "mcp:write"}, want: requested},
		"one cleared":             {posted: []string{"email", "offline_access", "mcp:read"}, want: []string{"openid", "email", "offline_access", "mcp:read"}},
		"all cleared":             {posted: nil, want: []string{"openid"}},
		"openid posted too":       {posted: []string{"openid", "mcp:read"}, want: []string{"openid", "mcp:read"}},
		"request order kept":      {posted: []string{"mcp:write", "email"}, want: []string{"openid", "email", "mcp:write"}},
		"duplicates collapse":     {posted: []string{"email", "email"}, want: []string{"openid", "email"}},
		"not requested":           {posted: []string{"email", "mcp:admin"}, invalid: true},
		"empty value":             {posted: []string{""}, invalid: true},
		"case differs":            {posted: []string{"EMAIL"}, invalid: true},
		"two scopes in one value": {posted: []string{"email mcp:read"}, invalid: true},
		"too many values":         {posted: slices.Repeat([]string{"email"}, maxChosenScopes+1), invalid: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := chosenScopes(requested, tc.posted)
			if tc.invalid {
				if err != errScopeNotRequested {
					t.Fatalf("chosenScopes = %v, %v; want errScopeNotRequested", got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("chosenScopes = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	// A request without openid (not possible through authorize, which
	// requires it) gets no openid from the consent page either.
	if got, _ := chosenScopes([]string{"email"}, nil); len(got) != 0 {
		t.Fatalf("openid added to a request without it: %v", got)
	}
}

var (
	checkboxRe = regexp.MustCompile(`<input type="checkbox" id="[^"]*" name="scope" value="([^"]+)" checked>`)
	requiredRe = regexp.MustCompile(`<li class="required"><span>([^<]*)</span></li>`)
)

// consentForm signs alice in and loads the consent page for ar.
func consentForm(t *testing.T, e *env, ar *idp.AuthRequest) (*browser, *response) {
	t.Helper()
	b := e.browser()
	b.signIn(acme, alice, "")
	page := b.get(e.issuer(acme) + "/oauth2/consent?request=" + ar.ID)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("consent page = %d", page.StatusCode)
	}
	return b, page
}

func TestConsentPageOffersEachScope(t *testing.T) {
	e := newEnv(t, envOptions{})
	ar := e.authRequest(acme, "openid", "email", "offline_access", "orders:read", "email")
	_, page := consentForm(t, e, ar)

	var boxes []string
	for _, m := range checkboxRe.FindAllStringSubmatch(page.body, -1) {
		boxes = append(boxes, m[1])
	}
	if want := []string{"email", "offline_access", "orders:read"}; !slices.Equal(boxes, want) {
		t.Fatalf("checked boxes = %v, want %v (each optional scope once, in request order)", boxes, want)
	}
	req := requiredRe.FindAllStringSubmatch(page.body, -1)
	if len(req) != 1 || req[0][1] != standardScopes["openid"] {
		t.Fatalf("required rows = %v, want openid's sentence only", req)
	}
	if strings.Contains(page.body, `value="openid"`) {
		t.Fatal("openid has a checkbox or form value: it is required")
	}
	// Each box is labelled with the scope's sentence.
	for _, want := range []string{
		`<label for="scope-email">See your email address</label>`,
		`<label for="scope-offline_access">Stay signed in`,
		`<label for="scope-orders:read">Use the permission “orders:read”</label>`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	// The boxes are inside the form that posts them, with its CSRF field.
	form := page.body[strings.Index(page.body, "<form"):strings.Index(page.body, "</form>")]
	if !strings.Contains(form, `name="scope"`) || !strings.Contains(form, `name="csrf_token"`) || !strings.Contains(form, `value="approve"`) {
		t.Fatal("the scope checkboxes are not inside the consent form")
	}
	// A first-party client carries no third-party warning.
	if strings.Contains(page.body, "registered itself") {
		t.Fatal("first-party client shown as third-party")
	}
}

func TestConsentPageThirdPartyClient(t *testing.T) {
	tests := map[string]struct {
		clientURI string
		wantHost  string
	}{
		"with client_uri":    {"https://tools.example.org/about", "tools.example.org"},
		"without client_uri": {"", ""},
		"non-web client_uri": {"javascript:alert(1)", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			c, err := e.store.GetClient(e.ctx, acme, clientID)
			if err != nil {
				t.Fatal(err)
			}
			c.Name, c.ThirdParty, c.Dynamic, c.ClientURI = "Helper <b>Bot</b>", true, true, tc.clientURI
			if err := e.store.UpdateClient(e.ctx, acme, c); err != nil {
				t.Fatal(err)
			}
			_, page := consentForm(t, e, e.authRequest(acme, "openid", "email"))
			note := regexp.MustCompile(`(?s)<p class="notice third-party">(.*?)</p>`).FindStringSubmatch(page.body)
			if note == nil {
				t.Fatalf("no third-party note:\n%s", page.body)
			}
			if !strings.Contains(note[1], "Helper &lt;b&gt;Bot&lt;/b&gt; registered itself: it is not operated by Acme.") {
				t.Fatalf("note = %q", note[1])
			}
			if strings.Contains(page.body, "<b>Bot</b>") {
				t.Fatal("client name not escaped")
			}
			hasHost := strings.Contains(note[1], "It says its website is <strong>"+tc.wantHost+"</strong>")
			if (tc.wantHost != "") != hasHost || strings.Contains(page.body, "javascript:") {
				t.Fatalf("client_uri host in note = %v, want %q: %q", hasHost, tc.wantHost, note[1])
			}
			if !strings.Contains(page.body, "<strong>app.example</strong>") {
				t.Fatal("redirect host missing")
			}
			if strings.Contains(note[1], "published by") {
				t.Fatal("a client id that is not a URL shown as published somewhere")
			}
		})
	}
}

func TestConsentNarrowsRequest(t *testing.T) {
	e := newEnv(t, envOptions{})
	iss := e.issuer(acme)
	uid := e.users[acme+"|"+alice].ID
	ar := e.authRequest(acme, "openid", "email", "offline_access", "mcp:read", "mcp:write")
	b, _ := consentForm(t, e, ar)

	res := b.post(iss+"/oauth2/consent?request="+ar.ID, iss+"/oauth2/consent",
		url.Values{"request": {ar.ID}, "action": {"approve"}, "scope": {"email", "mcp:read"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/oauth2/authorize?request_id="+ar.ID {
		t.Fatalf("approve = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	got, err := e.store.GetAuthRequest(e.ctx, acme, ar.ID, e.clock.Now())
	if err != nil || !got.ConsentGiven {
		t.Fatalf("request = %+v, %v", got, err)
	}
	if want := []string{"openid", "email", "mcp:read"}; !slices.Equal(got.Scope, want) {
		t.Fatalf("request scope = %v, want %v", got.Scope, want)
	}
	c, err := e.store.GetConsent(e.ctx, acme, uid, clientID)
	if err != nil || !slices.Equal(c.Scopes, []string{"openid", "email", "mcp:read"}) {
		t.Fatalf("consent = %+v, %v", c, err)
	}
}

func TestConsentClearingWithdrawsEarlierConsent(t *testing.T) {
	e := newEnv(t, envOptions{})
	iss := e.issuer(acme)
	uid := e.users[acme+"|"+alice].ID
	earlier := e.clock.Now()
	if err := e.store.PutConsent(e.ctx, acme, &idp.Consent{TenantID: acme, UserID: uid, ClientID: clientID,
		Scopes: []string{"openid", "profile", "mcp:write"}, CreatedAt: earlier, UpdatedAt: earlier}); err != nil {
		t.Fatal(err)
	}
	// A new request asks for mcp:write again; the user clears it.
	ar := e.authRequest(acme, "openid", "email", "mcp:write")
	b, _ := consentForm(t, e, ar)
	res := b.post(iss+"/oauth2/consent?request="+ar.ID, iss+"/oauth2/consent",
		url.Values{"request": {ar.ID}, "action": {"approve"}, "scope": {"email"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve = %d: %s", res.StatusCode, res.body)
	}
	c, err := e.store.GetConsent(e.ctx, acme, uid, clientID)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(c.Scopes)
	// profile (not asked for now) stays; mcp:write (asked and cleared) goes.
	if want := []string{"email", "openid", "profile"}; !slices.Equal(c.Scopes, want) {
		t.Fatalf("consent scopes = %v, want %v", c.Scopes, want)
	}
	if !c.CreatedAt.Equal(earlier) {
		t.Fatalf("consent creation time changed: %v", c.CreatedAt)
	}
}

func TestConsentRefusesScopesNotRequested(t *testing.T) {
	tests := map[string][]string{
		"an extra scope":      {"email", "mcp:admin"},
		"only an extra scope": {"mcp:admin"},
		"a scope list":        {"email mcp:read"},
	}
	for name, posted := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			iss := e.issuer(acme)
			ar := e.authRequest(acme, "openid", "email", "mcp:read")
			b, _ := consentForm(t, e, ar)
			res := b.post(iss+"/oauth2/consent?request="+ar.ID, iss+"/oauth2/consent",
				url.Values{"request": {ar.ID}, "action": {"approve"}, "scope": posted})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "This permission was not requested") {
				t.Fatalf("tampered approve = %d: %s", res.StatusCode, res.body)
			}
			if _, err := e.store.GetConsent(e.ctx, acme, e.users[acme+"|"+alice].ID, clientID); err == nil {
				t.Fatal("consent recorded for a tampered form")
			}
			got, err := e.store.GetAuthRequest(e.ctx, acme, ar.ID, e.clock.Now())
			if err != nil || got.ConsentGiven || !slices.Equal(got.Scope, ar.Scope) {
				t.Fatalf("request changed by a tampered form: %+v, %v", got, err)
			}
		})
	}
}
