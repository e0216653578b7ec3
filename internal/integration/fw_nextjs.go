package integration

// nextjsAppRouter signs users in on the server side of a Next.js app router
// app, with the session in an encrypted httpOnly cookie.
var nextjsAppRouter = &framework{
	info: FrameworkInfo{
		Name:          "nextjs-app-router",
		Title:         "Next.js (app router)",
		Description:   "Next.js 16 app router with openid-client 6 in route handlers (/api/auth/login, /api/auth/callback, /api/auth/logout): code + PKCE, state, nonce; the session is a jose-encrypted httpOnly cookie read by a server component.",
		ClientTypes:   []string{ClientTypeWeb, ClientTypeSPA},
		DefaultAppURL: "http://localhost:3000",
		CallbackPath:  "/api/auth/callback",
	},
	interactive: true,
	envFile:     ".env.local",
	files: []fileTemplate{
		{"package.json", "json", "nextjs-app-router/package.json.tmpl"},
		{"lib/auth.js", "javascript", "nextjs-app-router/auth.js.tmpl"},
		{"lib/session.js", "javascript", "nextjs-app-router/session.js.tmpl"},
		{"app/api/auth/login/route.js", "javascript", "nextjs-app-router/login-route.js.tmpl"},
		{"app/api/auth/callback/route.js", "javascript", "nextjs-app-router/callback-route.js.tmpl"},
		{"app/api/auth/logout/route.js", "javascript", "nextjs-app-router/logout-route.js.tmpl"},
		{"app/layout.js", "jsx", "nextjs-app-router/layout.js.tmpl"},
		{"app/page.js", "jsx", "nextjs-app-router/page.js.tmpl"},
	},
	env: func(s *spec) []EnvVar {
		vars := []EnvVar{{Name: "APP_URL", Value: s.AppURL, Description: "The app's origin, as the browser sees it."}}
		return append(append(vars, clientEnv(s)...), sessionEnv())
	},
	install: func(*spec) []string {
		return []string{"npm install next@16 react@19 react-dom@19 openid-client@6 jose@6"}
	},
	run: func(*spec) []string { return []string{"npm run dev"} },
	notes: func(s *spec) []string {
		notes := []string{
			"Set SESSION_SECRET in .env.local (openssl rand -base64 32): it encrypts the session cookie (A256GCM).",
			"The session cookie holds the user, the access token and the ID token, encrypted; tokens never reach client components. Browsers cap a cookie near 4 KB: keep large claims out of it, or move the session to a server-side store.",
			"Open " + s.AppURL + " and choose Sign in; the page is a server component that reads the session.",
		}
		if s.Confidential {
			notes = append(notes, "Set AUTHALLA_CLIENT_SECRET in .env.local (the client secret is shown once).")
		}
		return notes
	},
}
