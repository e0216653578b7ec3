package integration

// goFramework is a Go web app with go-oidc and x/oauth2: sign-in with
// code + PKCE, and a bearer middleware for the API audience.
var goFramework = &framework{
	info: FrameworkInfo{
		Name:          "go",
		Title:         "Go",
		Description:   "Go net/http app with github.com/coreos/go-oidc/v3 and golang.org/x/oauth2: code + PKCE S256 (oauth2.GenerateVerifier), state, nonce, ID token verification, server-side sessions, and a bearer middleware verifying access tokens for the API audience.",
		ClientTypes:   []string{ClientTypeWeb, ClientTypeSPA},
		DefaultAppURL: "http://localhost:8000",
		CallbackPath:  "/callback",
	},
	interactive: true,
	envFile:     ".env",
	files: []fileTemplate{
		{"go.mod", "go.mod", "go/go.mod.tmpl"},
		{"main.go", "go", "go/main.go.tmpl"},
		{"auth.go", "go", "go/auth.go.tmpl"},
		{"session.go", "go", "go/session.go.tmpl"},
		{"bearer.go", "go", "go/bearer.go.tmpl"},
	},
	env: func(s *spec) []EnvVar { return serverEnv(s) },
	install: func(*spec) []string {
		return []string{"go get github.com/coreos/go-oidc/v3@v3.21.0 golang.org/x/oauth2@v0.38.0"}
	},
	run: func(*spec) []string { return []string{"set -a; . ./.env; set +a; go run ."} },
	notes: func(s *spec) []string {
		notes := []string{
			"Sessions are kept in memory (one process); use a shared store when running several instances.",
			"Open " + s.AppURL + "/login to sign in.",
		}
		if s.Audience != "" {
			notes = append(notes, "GET /api/protected accepts only access tokens whose aud is "+s.Audience+" and whose typ is at+jwt.")
		} else {
			notes = append(notes, "Pass an audience (the API identifier) to also get the bearer middleware for an API.")
		}
		if s.Confidential {
			notes = append(notes, "Set AUTHALLA_CLIENT_SECRET in the environment (the client secret is shown once).")
		}
		return notes
	},
}
