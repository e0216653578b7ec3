package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
)

const tA, tB = oauthtest.TenantA, oauthtest.TenantB

// TestSec03OddButLegal: SECURITY-TESTS case 3. Unusual but legal requests
// succeed; a missing response_type is an invalid_request redirect with iss.
func TestSec03OddButLegal(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	base := azParams(t, h, tA, oauthtest.WebClient)
	redirect, state := base.Get("redirect_uri"), base.Get("state")
	for name, v := range map[string]url.Values{
		"no nonce":               azWith(base, "nonce", ""),
		"unknown parameter":      azWith(base, "x_unknown", "1"),
		"display=page":           azWith(base, "display", "page"),
		"display=popup":          azWith(base, "display", "popup"),
		"ui_locales":             azWith(base, "ui_locales", "fr-CA fr en"),
		"claims_locales":         azWith(base, "claims_locales", "de"),
		"login_hint":             azWith(base, "login_hint", oauthtest.Alice),
		"acr_values":             azWith(base, "acr_values", "urn:mace:incommon:iap:silver"),
		"PKCE from confidential": azWith(base, "code_challenge", azChallenge, "code_challenge_method", "S256"),
		"reversed scope order":   azWith(base, "scope", "email profile openid"),
		"empty optional values":  azWith(base, "login_hint", "", "ui_locales", ""),
	} {
		t.Run(name, func(t *testing.T) {
			res, _ := azGet(t, h, b, tA, v)
			_, ac := azCode(t, h, res, tA, redirect, state)
			if v.Has("code_challenge") && (ac.CodeChallenge != azChallenge || ac.CodeChallengeMethod != "S256") {
				t.Errorf("challenge not stored: %+v", ac)
			}
			if ac.Nonce != v.Get("nonce") {
				t.Errorf("nonce = %q, want %q", ac.Nonce, v.Get("nonce"))
			}
		})
	}
	t.Run("POST", func(t *testing.T) {
		res, _ := h.PostForm(t, b, h.Issuer(tA)+"/oauth2/authorize", base)
		azCode(t, h, res, tA, redirect, state)
	})
	t.Run("missing response_type", func(t *testing.T) {
		res, _ := azGet(t, h, b, tA, azWith(base, "response_type", ""))
		azError(t, res, redirect, h.Issuer(tA), "invalid_request", state)
	})
}

// TestSec04RedirectRegistration: SECURITY-TESTS case 4.
func TestSec04RedirectRegistration(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	web := azParams(t, h, tA, oauthtest.WebClient)
	registered := h.Client(t, tA, oauthtest.WebClient).RedirectURIs[1] // has a query
	if !strings.Contains(registered, "?") {
		t.Fatalf("fixture: %q has no query", registered)
	}
	pages := map[string]url.Values{
		"unregistered":                azWith(web, "redirect_uri", "https://evil.example/callback"),
		"omitted with two registered": azWith(web, "redirect_uri", ""),
		"query changed":               azWith(web, "redirect_uri", strings.Replace(registered, "registered", "other", 1)),
		"query added":                 azWith(web, "redirect_uri", web.Get("redirect_uri")+"?x=1"),
		"query extended":              azWith(web, "redirect_uri", registered+"&x=1"),
		"query dropped":               azWith(web, "redirect_uri", strings.Split(registered, "?")[0]),
	}
	for name, v := range pages {
		t.Run(name, func(t *testing.T) {
			res, body := azGet(t, h, b, tA, v)
			azPage(t, res, body)
		})
	}
	t.Run("exact registered query", func(t *testing.T) {
		res, _ := azGet(t, h, b, tA, azWith(web, "redirect_uri", registered))
		q := azCallback(t, res, registered, h.Issuer(tA))
		if q.Get("from") != "registered" || q.Get("code") == "" {
			t.Errorf("registered query not kept: %v", q)
		}
	})
	t.Run("omitted with one registered", func(t *testing.T) {
		h.Login(t, b, tA, oauthtest.Alice)
		spa := azParams(t, h, tA, oauthtest.SPAClient)
		res, _ := azGet(t, h, b, tA, azWith(spa, "redirect_uri", ""))
		_, ac := azCode(t, h, res, tA, spa.Get("redirect_uri"), spa.Get("state"))
		if ac.RedirectURI != "" {
			t.Errorf("stored redirect_uri = %q, want empty (none was sent)", ac.RedirectURI)
		}
	})

}

// TestSec07RequestObjectsRefused: SECURITY-TESTS case 7. Request objects
// are refused explicitly, consistently with discovery.
func TestSec07RequestObjectsRefused(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	v := azParams(t, h, tA, oauthtest.WebClient)
	res, _ := azGet(t, h, b, tA, azWith(v, "request", "eyJhbGciOiJub25lIn0.eyJyZWRpcmVjdF91cmkiOiJodHRwczovL2V2aWwuZXhhbXBsZSJ9."))
	azError(t, res, v.Get("redirect_uri"), h.Issuer(tA), "request_not_supported", v.Get("state"))
	res, _ = azGet(t, h, b, tA, azWith(v, "request_uri", "https://evil.example/request.jwt"))
	azError(t, res, v.Get("redirect_uri"), h.Issuer(tA), "request_uri_not_supported", v.Get("state"))
	// A request object cannot smuggle in another redirect URI: the outer
	// one must already be registered.
	res, body := azGet(t, h, b, tA, azWith(v, "request", "x.y.z", "redirect_uri", "https://evil.example/cb"))
	azPage(t, res, body)
}

// TestSec14PKCEAtAuthorize: SECURITY-TESTS case 14, authorization side.
func TestSec14PKCEAtAuthorize(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	spa := azParams(t, h, tA, oauthtest.SPAClient)
	web := azParams(t, h, tA, oauthtest.WebClient)
	for name, v := range map[string]url.Values{
		"public client without challenge": azWith(spa, "code_challenge", "", "code_challenge_method", ""),
		"method plain":                    azWith(spa, "code_challenge_method", "plain"),
		"plain from confidential":         azWith(web, "code_challenge", azChallenge, "code_challenge_method", "plain"),
		"challenge without method":        azWith(spa, "code_challenge_method", ""),
		"challenge without method (web)":  azWith(web, "code_challenge", azChallenge),
		"method without challenge":        azWith(web, "code_challenge_method", "S256"),
		"lower-case s256":                 azWith(spa, "code_challenge_method", "s256"),
		"challenge too short":             azWith(spa, "code_challenge", azChallenge[:42]),
		"challenge too long":              azWith(spa, "code_challenge", azChallenge+"A"),
		"challenge bad character":         azWith(spa, "code_challenge", azChallenge[:42]+"+"),
		"challenge padded":                azWith(spa, "code_challenge", azChallenge[:42]+"="),
	} {
		t.Run(name, func(t *testing.T) {
			res, _ := azGet(t, h, b, tA, v)
			azError(t, res, v.Get("redirect_uri"), h.Issuer(tA), "invalid_request", v.Get("state"))
		})
	}
	t.Run("public client with S256", func(t *testing.T) {
		res, _ := azGet(t, h, b, tA, spa)
		_, ac := azCode(t, h, res, tA, spa.Get("redirect_uri"), spa.Get("state"))
		if ac.CodeChallenge != azChallenge || ac.CodeChallengeMethod != "S256" {
			t.Errorf("stored challenge = %q %q", ac.CodeChallenge, ac.CodeChallengeMethod)
		}
	})
	t.Run("confidential client without PKCE", func(t *testing.T) {
		res, _ := azGet(t, h, b, tA, web)
		_, ac := azCode(t, h, res, tA, web.Get("redirect_uri"), web.Get("state"))
		if ac.CodeChallenge != "" || ac.CodeChallengeMethod != "" {
			t.Errorf("stored challenge = %q %q", ac.CodeChallenge, ac.CodeChallengeMethod)
		}
	})
}

// TestSec16RemovedResponseTypes: SECURITY-TESTS case 16, authorization
// side: implicit and hybrid response types are refused, by redirect only
// once client and redirect URI are valid.
func TestSec16RemovedResponseTypes(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	v := azParams(t, h, tA, oauthtest.WebClient)
	for _, rt := range []string{"token", "id_token", "id_token token", "code token", "code id_token", "code id_token token", "none", "CODE"} {
		t.Run(rt, func(t *testing.T) {
			res, _ := azGet(t, h, b, tA, azWith(v, "response_type", rt))
			azError(t, res, v.Get("redirect_uri"), h.Issuer(tA), "unsupported_response_type", v.Get("state"))
			res, body := azGet(t, h, b, tA, azWith(v, "response_type", rt, "client_id", "unknown"))
			azPage(t, res, body)
			res, body = azGet(t, h, b, tA, azWith(v, "response_type", rt, "redirect_uri", "https://evil.example/cb"))
			azPage(t, res, body)
		})
	}
}

// TestSec17NearMissRedirects: SECURITY-TESTS case 17 over HTTP (the
// matcher's table and fuzz target are in redirect_test.go).
func TestSec17NearMissRedirects(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	web := azParams(t, h, tA, oauthtest.WebClient)
	reg := web.Get("redirect_uri") // https://tenant-a.example/web/callback
	for _, uri := range []string{
		strings.Replace(reg, "tenant-a", "TENANT-A", 1),
		strings.Replace(reg, "callback", "Callback", 1),
		reg + "/",
		reg + "/..",
		strings.Replace(reg, "/web/", "/x/../web/", 1),
		strings.Replace(reg, "callback", "%63allback", 1),
		strings.Replace(reg, "https://", "https://tenant-a.example@", 1),
		strings.Replace(reg, "https://", "https://evil.example@", 1),
		strings.Replace(reg, ".example/", ".example:443/", 1),
		strings.Replace(reg, ".example/", ".example:8443/", 1),
		strings.Replace(reg, "tenant-a.example", "sub.tenant-a.example", 1),
		strings.Replace(reg, "tenant-a.example", "example", 1),
		strings.Replace(reg, "https", "http", 1),
		reg + "#frag",
		strings.Replace(reg, "tenant-a", "*", 1),
	} {
		t.Run(uri, func(t *testing.T) {
			res, body := azGet(t, h, b, tA, azWith(web, "redirect_uri", uri))
			azPage(t, res, body)
		})
	}
	native := azParams(t, h, tA, oauthtest.NativeClient)
	h.Login(t, b, tA, oauthtest.Alice)
	for uri, ok := range map[string]bool{
		"http://127.0.0.1:51234/callback":  true,
		"http://127.0.0.1/callback":        true,
		"http://[::1]:8080/callback":       true,
		"com.example.app:/oauth":           true,
		"http://localhost:51234/callback":  false, // registered as 127.0.0.1
		"http://127.0.0.1:51234/callback/": false,
		"http://127.0.0.1:51234/other":     false,
		"https://127.0.0.1:51234/callback": false,
		"com.example.app:/oauth/x":         false,
	} {
		t.Run("native "+uri, func(t *testing.T) {
			res, body := azGet(t, h, b, tA, azWith(native, "redirect_uri", uri))
			if !ok {
				azPage(t, res, body)
				return
			}
			_, ac := azCode(t, h, res, tA, uri, native.Get("state"))
			if ac.RedirectURI != uri {
				t.Errorf("stored redirect_uri = %q, want %q as sent", ac.RedirectURI, uri)
			}
		})
	}
}

// TestSec18ErrorRedirectDiscipline: SECURITY-TESTS case 18.
func TestSec18ErrorRedirectDiscipline(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	web := azParams(t, h, tA, oauthtest.WebClient)
	backend := azWith(web, "client_id", oauthtest.BackendClient)
	for name, v := range map[string]url.Values{
		"unknown client":          azWith(web, "client_id", "no-such-client"),
		"missing client":          azWith(web, "client_id", ""),
		"mismatched redirect":     azWith(web, "redirect_uri", "https://evil.example/cb"),
		"backend client":          backend,
		"bad scope, bad client":   azWith(web, "client_id", "nope", "scope", "profile"),
		"bad scope, bad redirect": azWith(web, "redirect_uri", "https://evil.example/cb", "scope", "profile"),
	} {
		t.Run(name, func(t *testing.T) {
			res, body := azGet(t, h, b, tA, v)
			azPage(t, res, body)
		})
	}
	t.Run("repeated client_id", func(t *testing.T) {
		v := azWith(web)
		v.Add("client_id", oauthtest.SPAClient)
		res, body := azGet(t, h, b, tA, v)
		azPage(t, res, body)
	})
	t.Run("repeated redirect_uri", func(t *testing.T) {
		v := azWith(web)
		v.Add("redirect_uri", "https://evil.example/cb")
		res, body := azGet(t, h, b, tA, v)
		azPage(t, res, body)
	})
	t.Run("malformed query", func(t *testing.T) {
		res, body := h.Get(t, b, h.Issuer(tA)+"/oauth2/authorize?client_id=app-web&redirect_uri=%zz")
		azPage(t, res, body)
	})
	iss, redirect, state := h.Issuer(tA), web.Get("redirect_uri"), web.Get("state")
	for name, tc := range map[string]struct {
		v    url.Values
		code string
	}{
		"no openid scope":       {azWith(web, "scope", "profile email"), "invalid_scope"},
		"bad scope characters":  {azWith(web, "scope", "openid \"x\""), "invalid_scope"},
		"missing state":         {azWith(web, "state", ""), "invalid_request"},
		"unknown prompt":        {azWith(web, "prompt", "create"), "invalid_request"},
		"prompt none+login":     {azWith(web, "prompt", "none login"), "invalid_request"},
		"negative max_age":      {azWith(web, "max_age", "-1"), "invalid_request"},
		"non-numeric max_age":   {azWith(web, "max_age", "1h"), "invalid_request"},
		"form_post mode":        {azWith(web, "response_mode", "form_post"), "invalid_request"},
		"fragment mode":         {azWith(web, "response_mode", "fragment"), "invalid_request"},
		"unknown resource":      {azWith(web, "resource", "https://other.example.com"), "invalid_target"},
		"relative resource":     {azWith(web, "resource", "/api"), "invalid_target"},
		"resource fragment":     {azWith(web, "resource", oauthtest.API+"#x"), "invalid_target"},
		"unknown audience":      {azWith(web, "audience", "https://other.example.com"), "invalid_target"},
		"resource and audience": {azWith(web, "resource", oauthtest.API, "audience", oauthtest.API), "invalid_request"},
	} {
		t.Run(name, func(t *testing.T) {
			res, _ := azGet(t, h, b, tA, tc.v)
			wantState := tc.v.Get("state")
			q := azError(t, res, redirect, iss, tc.code, wantState)
			if d := q.Get("error_description"); d == "" || strings.ContainsAny(d, "\r\n\t\"\\") {
				t.Errorf("error_description %q", d)
			}
		})
	}
	t.Run("repeated state", func(t *testing.T) {
		v := azWith(web)
		v.Add("state", "second")
		res, _ := azGet(t, h, b, tA, v)
		azError(t, res, redirect, iss, "invalid_request", "")
	})
	t.Run("repeated scope", func(t *testing.T) {
		v := azWith(web)
		v.Add("scope", "openid")
		res, _ := azGet(t, h, b, tA, v)
		azError(t, res, redirect, iss, "invalid_request", state)
	})
	t.Run("access_denied through Deny", func(t *testing.T) {
		azDenyRoute(h)
		res, _ := azGet(t, h, b, tA, azWith(web, "prompt", "login"))
		id := azParked(t, h, res, tA, "/oauth2/login")
		res, _ = h.PostForm(t, b, h.Issuer(tA)+"/test/deny", url.Values{"request": {id}})
		azError(t, res, redirect, iss, "access_denied", state)
		azGone(t, h, tA, id)
		res, body := h.PostForm(t, b, h.Issuer(tA)+"/test/deny", url.Values{"request": {id}})
		azPage(t, res, body)
	})
}

// TestSec19MixUpIss: SECURITY-TESTS case 19. Every response, success or
// error, carries the serving issuer; tenant B's responses never carry A's.
func TestSec19MixUpIss(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	for _, tid := range []string{tA, tB} {
		h.Login(t, b, tid, oauthtest.Alice)
		v := azParams(t, h, tid, oauthtest.WebClient)
		for name, req := range map[string]url.Values{
			"success":        v,
			"error":          azWith(v, "scope", "profile"),
			"login_required": azWith(v, "prompt", "none", "max_age", "0"),
		} {
			res, _ := azGet(t, h, b, tid, req)
			q := azCallback(t, res, v.Get("redirect_uri"), h.Issuer(tid))
			if name == "success" && !q.Has("code") || name != "success" && !q.Has("error") {
				t.Errorf("%s %s: %v", tid, name, q)
			}
			if other := map[string]string{tA: tB, tB: tA}[tid]; strings.Contains(res.Header.Get("Location"), url.QueryEscape(h.Issuer(other))) {
				t.Errorf("%s response mentions %s's issuer", tid, other)
			}
		}
	}
	// The host issuer of tenant-a answers with that issuer, not the path one.
	addr := h.Server.Listener.Addr().String()
	host := tA + ".localhost" + addr[strings.LastIndex(addr, ":"):]
	v := azParams(t, h, tA, oauthtest.WebClient)
	req, _ := http.NewRequest(http.MethodGet, h.Server.URL+"/oauth2/authorize?"+azWith(v, "scope", "profile").Encode(), nil)
	req.Host = host
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	azError(t, res, v.Get("redirect_uri"), "http://"+host, "invalid_scope", v.Get("state"))
}

// TestSec21No307: SECURITY-TESTS case 21. Every redirect the authorization
// endpoint makes, after GET or POST, is 303 See Other.
func TestSec21No307(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	v := azParams(t, h, tA, oauthtest.WebClient)
	check := func(name string, res *http.Response) {
		t.Helper()
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: status %d, want 303", name, res.StatusCode)
		}
	}
	post := func(v url.Values) *http.Response {
		res, _ := h.PostForm(t, b, h.Issuer(tA)+"/oauth2/authorize", v)
		return res
	}
	check("POST to login", post(v))
	res, _ := azGet(t, h, b, tA, v)
	check("GET to login", res)
	h.Login(t, b, tA, oauthtest.Alice)
	check("POST code", post(v))
	check("POST error", post(azWith(v, "scope", "profile")))
	res, _ = azGet(t, h, b, tA, azWith(v, "prompt", "login"))
	check("prompt=login", res)
	id := azParked(t, h, res, tA, "/oauth2/login")
	h.Clock.Advance(1e9)
	h.Login(t, b, tA, oauthtest.Alice)
	res, _ = h.Get(t, b, h.ResumeURL(tA, id))
	check("resume", res)
	res, _ = azGet(t, h, b, tA, azParams(t, h, tA, oauthtest.ConsentClient))
	check("to consent", res)
	cid := azParked(t, h, res, tA, "/oauth2/consent")
	azDenyRoute(h)
	res, _ = h.PostForm(t, b, h.Issuer(tA)+"/test/deny", url.Values{"request": {cid}})
	check("deny", res)
}

// TestSec43CrossTenantAuthorize: SECURITY-TESTS case 43, authorization
// side. Client ids, emails and the resource server collide across the two
// tenants, yet nothing of tenant A works at tenant B.
func TestSec43CrossTenantAuthorize(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	va := azParams(t, h, tA, oauthtest.WebClient)

	t.Run("A's redirect URI at B", func(t *testing.T) {
		h.Login(t, b, tB, oauthtest.Alice)
		res, body := azGet(t, h, b, tB, va)
		azPage(t, res, body)
	})
	t.Run("A's session is not a session at B", func(t *testing.T) {
		b := h.Browser(t)
		h.Login(t, b, tA, oauthtest.Alice)
		vb := azParams(t, h, tB, oauthtest.WebClient)
		res, _ := azGet(t, h, b, tB, azWith(vb, "prompt", "none"))
		azError(t, res, vb.Get("redirect_uri"), h.Issuer(tB), "login_required", vb.Get("state"))
		// Even with A's cookie value under B's cookie name.
		iss, _ := url.Parse(h.Issuer(tA) + "/")
		var value string
		for _, c := range b.Jar.Cookies(iss) {
			value = c.Value
		}
		issB, _ := url.Parse(h.Issuer(tB) + "/")
		b.Jar.SetCookies(issB, []*http.Cookie{{Name: "authalla_session-" + tB, Value: value, Path: "/t/" + tB + "/"}})
		res, _ = azGet(t, h, b, tB, azWith(vb, "prompt", "none"))
		azError(t, res, vb.Get("redirect_uri"), h.Issuer(tB), "login_required", vb.Get("state"))
	})
	t.Run("A's parked request at B", func(t *testing.T) {
		b := h.Browser(t)
		res, _ := azGet(t, h, b, tA, va)
		id := azParked(t, h, res, tA, "/oauth2/login")
		h.Login(t, b, tB, oauthtest.Alice)
		res, body := h.Get(t, b, h.ResumeURL(tB, id))
		azPage(t, res, body)
	})
	t.Run("A's ID token as id_token_hint at B", func(t *testing.T) {
		b := h.Browser(t)
		h.Login(t, b, tB, oauthtest.Alice)
		hint := azSign(t, h, tA, "JWT", map[string]any{
			"iss": h.Issuer(tA), "sub": h.User(t, tB, oauthtest.Alice).ID, "aud": oauthtest.WebClient,
			"exp": h.Clock.Now().Unix() + 600, "iat": h.Clock.Now().Unix(),
		})
		vb := azParams(t, h, tB, oauthtest.WebClient)
		res, _ := azGet(t, h, b, tB, azWith(vb, "prompt", "none", "id_token_hint", hint))
		azError(t, res, vb.Get("redirect_uri"), h.Issuer(tB), "invalid_request", vb.Get("state"))
	})
	t.Run("codes belong to the tenant that issued them", func(t *testing.T) {
		b := h.Browser(t)
		h.Login(t, b, tA, oauthtest.Alice)
		res, _ := azGet(t, h, b, tA, va)
		code, ac := azCode(t, h, res, tA, va.Get("redirect_uri"), va.Get("state"))
		if ac.TenantID != tA || ac.UserID != h.User(t, tA, oauthtest.Alice).ID {
			t.Errorf("code record %+v", ac)
		}
		if _, err := h.Store.GetAuthCode(t.Context(), tB, secret.Hash(code)); err == nil {
			t.Errorf("tenant-a's code is visible at tenant-b")
		}
	})
	t.Run("scopes of the same resource identifier are per tenant", func(t *testing.T) {
		b := h.Browser(t)
		h.Login(t, b, tB, oauthtest.Bob)
		vb := azWith(azParams(t, h, tB, oauthtest.WebClient), "resource", oauthtest.API, "scope", "openid api:read api:admin")
		res, _ := azGet(t, h, b, tB, vb)
		_, ac := azCode(t, h, res, tB, vb.Get("redirect_uri"), vb.Get("state"))
		if !slices.Equal(ac.Scope, []string{"openid", "api:read", "api:admin"}) || !slices.Equal(ac.Audience, []string{oauthtest.API}) {
			t.Errorf("code scope %q audience %q", ac.Scope, ac.Audience)
		}
	})
}
