package integration

// reactSPAPKCE is a Vite + React single-page app that is its own public
// OAuth client (oauth4webapi): PKCE, refresh-token rotation, tokens in
// memory only.
var reactSPAPKCE = &framework{
	info: FrameworkInfo{
		Name:          "react-spa-pkce",
		Title:         "React SPA (PKCE)",
		Description:   "Vite 8 + React 19 single-page app as a public client with oauth4webapi 3: authorization code + PKCE S256, state, nonce, tokens in memory only, refresh-token rotation, API calls with the access token.",
		ClientTypes:   []string{ClientTypeSPA},
		DefaultAppURL: "http://localhost:5173",
		CallbackPath:  "/callback",
	},
	interactive: true,
	refresh:     true,
	browser:     true,
	envFile:     ".env.local",
	files: []fileTemplate{
		{"package.json", "json", "react-spa-pkce/package.json.tmpl"},
		{"vite.config.js", "javascript", "react-spa-pkce/vite.config.js.tmpl"},
		{"index.html", "html", "react-spa-pkce/index.html.tmpl"},
		{"src/auth.js", "javascript", "react-spa-pkce/auth.js.tmpl"},
		{"src/App.jsx", "jsx", "react-spa-pkce/App.jsx.tmpl"},
		{"src/main.jsx", "jsx", "react-spa-pkce/main.jsx.tmpl"},
	},
	env: func(s *spec) []EnvVar {
		vars := []EnvVar{{Name: "VITE_APP_URL", Value: s.AppURL, Description: "The app's origin; the dev server listens exactly there (strictPort)."}}
		for _, v := range clientEnv(s) {
			v.Name = "VITE_" + v.Name
			vars = append(vars, v)
		}
		return append(vars, EnvVar{Name: "VITE_API_URL", Value: "", Description: "An API URL the page calls with the access token (empty: no API button)."})
	},
	install: func(*spec) []string {
		return []string{
			"npm install react@19 react-dom@19 oauth4webapi@3",
			"npm install --save-dev vite@8 @vitejs/plugin-react@6",
		}
	},
	run: func(*spec) []string { return []string{"npm run dev"} },
	notes: func(s *spec) []string {
		return []string{
			"Add " + s.AppURL + " to the tenant's allowed origins: the browser calls the token, revocation and discovery endpoints cross-origin (CORS).",
			"Tokens live in JavaScript memory only: a reload signs the user out of the app (the Authalla session usually signs them straight back in). Only the PKCE verifier, state and nonce sit in sessionStorage during the redirect.",
			"Refresh tokens rotate on every use; the code runs one refresh at a time, because reusing a rotated refresh token revokes the whole family (invalid_grant).",
			"An API the page calls must allow this origin with CORS and validate the access token (see the express-api integration).",
		}
	},
}
