package integration

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and the skill's framework references")

// localRequest is a development setup: a path issuer on loopback, a real
// looking client id, an API and one API scope.
func localRequest(framework, clientType string) Request {
	return Request{
		Framework:  framework,
		Issuer:     "http://127.0.0.1:8080/t/acme-shop",
		TenantID:   "acme-shop",
		ClientID:   "cl_7Qm2xV9",
		ClientType: clientType,
		Audience:   "https://api.acme.test",
		Scopes:     []string{"orders:read"},
	}
}

func TestFrameworks(t *testing.T) {
	want := []string{"nextjs-app-router", "express", "express-api", "react-spa-pkce", "go", "m2m"}
	var got []string
	for _, fw := range Frameworks {
		got = append(got, fw.Name)
		if fw.Title == "" || fw.Description == "" || len(fw.ClientTypes) == 0 {
			t.Errorf("%s: title, description and client types are required: %+v", fw.Name, fw)
		}
		interactive := lookup(fw.Name).interactive
		if interactive != (fw.DefaultAppURL != "" && strings.HasPrefix(fw.CallbackPath, "/")) {
			t.Errorf("%s: interactive=%v but DefaultAppURL=%q CallbackPath=%q", fw.Name, interactive, fw.DefaultAppURL, fw.CallbackPath)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Frameworks = %v, want %v", got, want)
	}
	// Frameworks is a copy: changing it must not change Generate.
	Frameworks[0].ClientTypes[0] = "changed"
	defer func() { Frameworks[0].ClientTypes[0] = lookup(Frameworks[0].Name).info.ClientTypes[0] }()
	if lookup(Frameworks[0].Name).info.ClientTypes[0] == "changed" {
		t.Fatal("Frameworks shares its slices with the registry")
	}
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		framework, clientType string
		files                 []string // required paths
		contains              map[string][]string
		redirect              string
		origins               []string
		secretVars            []string
		scope                 string
	}{
		{
			framework: "express", clientType: ClientTypeWeb,
			files: []string{"package.json", "auth.mjs", "server.mjs", ".env"},
			contains: map[string][]string{
				"auth.mjs":     {"export async function startAuthorization(req, res, next)", "export async function callback(req, res, next)", "randomPKCECodeVerifier", "code_challenge_method: 'S256'", "expectedNonce", "expectedState", "client.ClientSecretBasic(clientSecret)", "parameters.resource = audience", "buildEndSessionUrl"},
				"server.mjs":   {"express-session", "httpOnly: true", "app.post('/logout', logout)"},
				"package.json": {`"express": "^5`, `"openid-client": "^6`},
			},
			redirect: "http://localhost:3000/oauth/callback", secretVars: []string{"AUTHALLA_CLIENT_SECRET", "SESSION_SECRET"},
			scope: "openid profile email orders:read",
		},
		{
			framework: "express", clientType: ClientTypeSPA,
			files:    []string{"auth.mjs"},
			contains: map[string][]string{"auth.mjs": {"client.None()"}},
			redirect: "http://localhost:3000/oauth/callback", secretVars: []string{"SESSION_SECRET"},
			scope: "openid profile email orders:read",
		},
		{
			framework: "express-api", clientType: ClientTypeWeb,
			files: []string{"package.json", "auth.mjs", "authorize.mjs", "server.mjs", ".env"},
			contains: map[string][]string{
				"authorize.mjs": {"createRemoteJWKSet", "jwtVerify", "typ: 'at+jwt'", "algorithms", "WWW-Authenticate", "insufficient_scope"},
				"auth.mjs":      {"refreshTokenGrant", "export async function getAccessToken(req)"},
				"server.mjs":    {"api.get('/protected', authorize", "Access-Control-Allow-Origin"},
				"package.json":  {`"jose": "^6`},
			},
			redirect: "http://localhost:3000/oauth/callback", secretVars: []string{"AUTHALLA_CLIENT_SECRET", "SESSION_SECRET"},
			scope: "openid profile email offline_access orders:read",
		},
		{
			framework: "react-spa-pkce", clientType: ClientTypeSPA,
			files: []string{"package.json", "vite.config.js", "index.html", "src/auth.js", "src/App.jsx", "src/main.jsx", ".env.local"},
			contains: map[string][]string{
				"src/auth.js":    {"oauth.None()", "generateRandomCodeVerifier", "'code_challenge_method', 'S256'", "expectedNonce: nonce", "refreshTokenGrantRequest", "validateAuthResponse", "history.replaceState"},
				"vite.config.js": {"strictPort: true"},
				"package.json":   {`"vite": "^8`, `"@vitejs/plugin-react": "^6`, `"react": "^19`, `"oauth4webapi": "^3`},
			},
			redirect: "http://localhost:5173/callback", origins: []string{"http://localhost:5173"},
			scope: "openid profile email offline_access orders:read",
		},
		{
			framework: "nextjs-app-router", clientType: ClientTypeWeb,
			files: []string{"package.json", "lib/auth.js", "lib/session.js", "app/api/auth/login/route.js", "app/api/auth/callback/route.js", "app/api/auth/logout/route.js", "app/page.js", "app/layout.js", ".env.local"},
			contains: map[string][]string{
				"lib/session.js":                 {"EncryptJWT", "A256GCM", "httpOnly: true"},
				"app/api/auth/callback/route.js": {"authorizationCodeGrant", "expectedNonce"},
				"app/page.js":                    {"await getSession()"},
				"package.json":                   {`"next": "^16`, "--port 3000"},
			},
			redirect: "http://localhost:3000/api/auth/callback", secretVars: []string{"AUTHALLA_CLIENT_SECRET", "SESSION_SECRET"},
			scope: "openid profile email orders:read",
		},
		{
			framework: "go", clientType: ClientTypeWeb,
			files: []string{"go.mod", "main.go", "auth.go", "session.go", "bearer.go", ".env"},
			contains: map[string][]string{
				"go.mod":    {"github.com/coreos/go-oidc/v3 v3.21.0", "golang.org/x/oauth2 v0.38.0"},
				"auth.go":   {"oauth2.GenerateVerifier()", "oauth2.S256ChallengeOption", "oidc.Nonce", "oauth2.VerifierOption", "a.verifier.Verify"},
				"bearer.go": {"oidc.NewRemoteKeySet", "at+jwt", "WWW-Authenticate"},
			},
			redirect: "http://localhost:8000/callback", secretVars: []string{"AUTHALLA_CLIENT_SECRET"},
			scope: "openid profile email orders:read",
		},
		{
			framework: "m2m", clientType: ClientTypeBackend,
			files: []string{"package.json", "m2m.mjs", "token.sh", ".env"},
			contains: map[string][]string{
				"m2m.mjs":  {"grant_type: 'client_credentials'", "body.set('resource', audience)", "Basic ${basic}", "expiresAt"},
				"token.sh": {`resource=$AUTHALLA_AUDIENCE`, `scope=$AUTHALLA_SCOPE`, "/oauth2/token"},
			},
			secretVars: []string{"AUTHALLA_CLIENT_SECRET"},
			scope:      "orders:read",
		},
	}
	for _, tt := range tests {
		t.Run(tt.framework+"/"+tt.clientType, func(t *testing.T) {
			req := localRequest(tt.framework, tt.clientType)
			res, err := Generate(req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			files := map[string]File{}
			for _, f := range res.Files {
				if _, dup := files[f.Path]; dup {
					t.Errorf("file %s generated twice", f.Path)
				}
				files[f.Path] = f
				if f.Language == "" || f.Content == "" || strings.Contains(f.Content, "<no value>") {
					t.Errorf("%s: empty language or content, or a missing template value", f.Path)
				}
			}
			for _, p := range tt.files {
				if _, ok := files[p]; !ok {
					t.Errorf("file %s missing; got %v", p, keys(files))
				}
			}
			for p, needles := range tt.contains {
				for _, n := range needles {
					if !strings.Contains(files[p].Content, n) {
						t.Errorf("%s does not contain %q", p, n)
					}
				}
			}
			env := files[lookup(tt.framework).envFile].Content
			for _, v := range []string{req.Issuer, req.ClientID} {
				if !strings.Contains(env, "="+v+"\n") {
					t.Errorf("env file lacks %q:\n%s", v, env)
				}
			}
			if tt.redirect != "" && !strings.Contains(env, "="+tt.redirect+"\n") {
				t.Errorf("env file lacks the redirect URI %s", tt.redirect)
			}
			if !strings.Contains(env, `"`+tt.scope+`"`) && !strings.Contains(env, "="+tt.scope+"\n") {
				t.Errorf("env file lacks the scope %q:\n%s", tt.scope, env)
			}
			var wantRedirects []string
			if tt.redirect != "" {
				wantRedirects = []string{tt.redirect}
			}
			if !slices.Equal(res.RedirectURIs, wantRedirects) {
				t.Errorf("RedirectURIs = %v, want %v", res.RedirectURIs, wantRedirects)
			}
			if !slices.Equal(res.AllowedOrigins, tt.origins) {
				t.Errorf("AllowedOrigins = %v, want %v", res.AllowedOrigins, tt.origins)
			}
			if !slices.Contains(res.ClientTypes, tt.clientType) || len(res.Install) == 0 || len(res.Run) == 0 || res.Title == "" {
				t.Errorf("incomplete result: client types %v, install %v, run %v", res.ClientTypes, res.Install, res.Run)
			}
			var secrets []string
			for _, v := range res.Env {
				if !v.Secret {
					continue
				}
				secrets = append(secrets, v.Name)
				if !strings.HasPrefix(v.Value, "<") || !strings.HasSuffix(v.Value, ">") {
					t.Errorf("secret %s has value %q, want a <placeholder>", v.Name, v.Value)
				}
				if !strings.Contains(env, "\n"+v.Name+"=\n") {
					t.Errorf("env file sets secret %s; it must be left empty", v.Name)
				}
			}
			if !slices.Equal(secrets, tt.secretVars) {
				t.Errorf("secret env vars = %v, want %v", secrets, tt.secretVars)
			}
			for _, f := range res.Files {
				if n, ok := strings.Count(f.Content, "sessionStorage.setItem("), strings.Count(f.Content, "sessionStorage.setItem(pendingKey, JSON.stringify({ codeVerifier, state, nonce }))"); n != ok {
					t.Errorf("%s stores something other than the PKCE verifier, state and nonce in sessionStorage", f.Path)
				}
				for _, bad := range []string{"localStorage.", "document.cookie", "response_type', 'token'", "'plain'"} {
					if strings.Contains(f.Content, bad) {
						t.Errorf("%s contains %q", f.Path, bad)
					}
				}
			}
		})
	}
}

func keys(m map[string]File) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestGenerateDefaults(t *testing.T) {
	r := localRequest("react-spa-pkce", ClientTypeSPA)
	r.AppURL = "http://127.0.0.1:5174/"
	res, err := Generate(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://127.0.0.1:5174/callback"; res.RedirectURIs[0] != want {
		t.Errorf("redirect = %s, want %s", res.RedirectURIs[0], want)
	}
	if want := "http://127.0.0.1:5174/"; res.PostLogoutRedirectURIs[0] != want {
		t.Errorf("post-logout redirect = %s, want %s", res.PostLogoutRedirectURIs[0], want)
	}
	if !slices.Equal(res.AllowedOrigins, []string{"http://127.0.0.1:5174"}) {
		t.Errorf("origins = %v", res.AllowedOrigins)
	}

	r = localRequest("express", ClientTypeWeb)
	r.AppURL = "https://app.acme.test"
	r.RedirectURI = "https://app.acme.test/auth/done"
	r.Scopes = []string{"openid", "orders:read", "orders:read"}
	res, err = Generate(r)
	if err != nil {
		t.Fatal(err)
	}
	env := res.Files[len(res.Files)-1].Content
	for _, want := range []string{"PORT=443\n", "HOST=0.0.0.0\n", `AUTHALLA_SCOPE="openid profile email orders:read"`, "AUTHALLA_POST_LOGOUT_REDIRECT_URI=https://app.acme.test/\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("env lacks %q:\n%s", want, env)
		}
	}
}

func TestGenerateRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Request)
		want   string // in the error
	}{
		{"unknown framework", func(r *Request) { r.Framework = "rails" }, `unknown framework "rails"`},
		{"relative issuer", func(r *Request) { r.Issuer = "/t/acme" }, "issuer must be an absolute URL"},
		{"http issuer off loopback", func(r *Request) { r.Issuer = "http://acme.authalla.com" }, "issuer must use https"},
		{"issuer with fragment", func(r *Request) { r.Issuer = "https://acme.authalla.com/#x" }, "issuer must not contain a fragment"},
		{"issuer with a quote", func(r *Request) { r.Issuer = "https://acme.authalla.com/'" }, "issuer contains characters"},
		{"missing client id", func(r *Request) { r.ClientID = "" }, "client_id is required"},
		{"client id with a newline", func(r *Request) { r.ClientID = "a\nB=1" }, "client_id may only contain"},
		{"client type for another framework", func(r *Request) { r.ClientType = ClientTypeBackend }, `client_type "backend" does not fit express`},
		{"app url with a path", func(r *Request) { r.AppURL = "http://localhost:3000/app" }, "app_url must be an origin"},
		{"app url over http off loopback", func(r *Request) { r.AppURL = "http://app.acme.test" }, "app_url must use https"},
		{"redirect on another origin", func(r *Request) { r.RedirectURI = "http://localhost:4000/cb" }, "redirect_uri must be on the app's origin"},
		{"redirect with a query", func(r *Request) { r.RedirectURI = "http://localhost:3000/cb?x=1" }, "redirect_uri must not contain a query"},
		{"redirect with javascript:", func(r *Request) { r.RedirectURI = "javascript:alert(1)" }, "redirect_uri must"},
		{"post-logout redirect elsewhere", func(r *Request) { r.PostLogoutRedirectURI = "https://evil.test/" }, "post_logout_redirect_uri must be on the app's origin"},
		{"audience with fragment", func(r *Request) { r.Audience = "https://api.acme.test/#x" }, "audience must not contain a fragment"},
		{"bad scope", func(r *Request) { r.Scopes = []string{`a"b`} }, "not a valid scope token"},
		{"tenant id", func(r *Request) { r.TenantID = "Acme_Shop" }, "tenant_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := localRequest("express", ClientTypeWeb)
			tt.change(&r)
			res, err := Generate(r)
			if err == nil {
				t.Fatalf("Generate accepted the request: %+v", res.RedirectURIs)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}

	t.Run("express-api without audience", func(t *testing.T) {
		r := localRequest("express-api", ClientTypeWeb)
		r.Audience = ""
		if _, err := Generate(r); err == nil || !strings.Contains(err.Error(), "audience") {
			t.Fatalf("error = %v, want one naming audience", err)
		}
	})
	t.Run("every problem at once", func(t *testing.T) {
		_, err := Generate(Request{Framework: "react-spa-pkce", ClientType: ClientTypeWeb})
		for _, want := range []string{"issuer is required", "client_id is required", `client_type "web"`} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v does not say %q", err, want)
			}
		}
	})
}
