package integration

// expressFramework is the integration guide's Express handlers
// (startAuthorization, callback) in a session-backed Express 5 app.
var expressFramework = &framework{
	info: FrameworkInfo{
		Name:          "express",
		Title:         "Express",
		Description:   "Express 5 server-side sign-in with openid-client 6: authorization code + PKCE, state, nonce, express-session, RP-initiated logout.",
		ClientTypes:   []string{ClientTypeWeb, ClientTypeSPA},
		DefaultAppURL: "http://localhost:3000",
		CallbackPath:  "/oauth/callback",
	},
	interactive: true,
	envFile:     ".env",
	files: []fileTemplate{
		{"package.json", "json", "express/package.json.tmpl"},
		{"auth.mjs", "javascript", "express/auth.mjs.tmpl"},
		{"server.mjs", "javascript", "express/server.mjs.tmpl"},
	},
	env: func(s *spec) []EnvVar {
		return append(serverEnv(s), sessionEnv())
	},
	install: func(*spec) []string {
		return []string{"npm install express@5 express-session@1 openid-client@6"}
	},
	run: func(*spec) []string { return []string{"npm start"} },
	notes: func(s *spec) []string {
		return append(expressNotes(s), "Open "+s.AppURL+"/login to sign in; /app shows the signed-in user.")
	},
}

// expressAPIFramework adds the jose access-token middleware and a protected
// route to the Express sign-in: login, callback and middleware in one app.
var expressAPIFramework = &framework{
	info: FrameworkInfo{
		Name:          "express-api",
		Title:         "Express API",
		Description:   "Express 5 API: access-token middleware with jose 6 (issuer, audience, typ at+jwt, algorithms, WWW-Authenticate), plus login, callback, refresh and logout with openid-client 6.",
		ClientTypes:   []string{ClientTypeWeb, ClientTypeSPA},
		DefaultAppURL: "http://localhost:3000",
		CallbackPath:  "/oauth/callback",
	},
	interactive:   true,
	refresh:       true,
	needsAudience: true,
	envFile:       ".env",
	files: []fileTemplate{
		{"package.json", "json", "express-api/package.json.tmpl"},
		{"auth.mjs", "javascript", "express/auth.mjs.tmpl"},
		{"authorize.mjs", "javascript", "express-api/authorize.mjs.tmpl"},
		{"server.mjs", "javascript", "express-api/server.mjs.tmpl"},
	},
	env: func(s *spec) []EnvVar {
		return append(serverEnv(s), sessionEnv(),
			EnvVar{Name: "API_URL", Value: s.AppURL + "/api/protected", Description: "The API /app calls with the user's access token."},
			EnvVar{Name: "CORS_ORIGINS", Value: "", Description: "Comma-separated browser origins allowed to call /api with a bearer token (empty: none)."},
		)
	},
	install: func(*spec) []string {
		return []string{"npm install express@5 express-session@1 openid-client@6 jose@6"}
	},
	run: func(*spec) []string { return []string{"npm start"} },
	notes: func(s *spec) []string {
		return append(expressNotes(s),
			"GET /api/protected accepts only access tokens whose aud is "+s.Audience+"; call it with Authorization: Bearer <token>.",
			"Protect more routes with authorize, and with requireScope('<scope>') where a route needs an API scope (403 insufficient_scope otherwise).",
			"Set CORS_ORIGINS to the exact origins of browser apps that call the API.")
	},
}

// expressNotes are the facts both Express integrations share.
func expressNotes(s *spec) []string {
	notes := []string{
		"express-session's default in-memory store is for development; use a shared store (Redis, PostgreSQL) in production.",
	}
	if s.Confidential {
		notes = append(notes, "Set AUTHALLA_CLIENT_SECRET in .env (the client secret is shown once when the client or a new secret is created).")
	} else {
		notes = append(notes, "The client is public (no secret): PKCE protects the authorization code. A web client with a secret is stronger for server-side apps.")
	}
	return append(notes, "Set SESSION_SECRET in .env before starting (openssl rand -base64 32).")
}
