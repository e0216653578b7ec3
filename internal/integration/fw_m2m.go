package integration

// m2mFramework is a machine-to-machine caller: the client credentials grant
// from a backend client, with the token cached until it expires.
var m2mFramework = &framework{
	info: FrameworkInfo{
		Name:        "m2m",
		Title:       "Machine to machine",
		Description: "Client credentials grant from a Node 20 script (fetch, client_secret_basic, RFC 8707 resource, token cached until expiry), plus the same request with curl (token.sh).",
		ClientTypes: []string{ClientTypeBackend},
	},
	envFile: ".env",
	files: []fileTemplate{
		{"package.json", "json", "m2m/package.json.tmpl"},
		{"m2m.mjs", "javascript", "m2m/m2m.mjs.tmpl"},
		{"token.sh", "sh", "m2m/token.sh.tmpl"},
	},
	env: func(s *spec) []EnvVar {
		vars := []EnvVar{
			{Name: "AUTHALLA_ISSUER", Value: s.Issuer, Description: "The tenant's issuer URL (discovery lives below it)."},
			{Name: "AUTHALLA_CLIENT_ID", Value: s.ClientID, Description: "The backend client's client_id."},
			{Name: "AUTHALLA_CLIENT_SECRET", Value: placeholderClientSecret, Description: "The backend client's secret (client_secret_basic).", Secret: true},
		}
		if s.Audience != "" {
			vars = append(vars, EnvVar{Name: "AUTHALLA_AUDIENCE", Value: s.Audience, Description: "The API identifier the token is for (RFC 8707 resource)."})
		}
		if s.Scope != "" {
			vars = append(vars, EnvVar{Name: "AUTHALLA_SCOPE", Value: s.Scope, Description: "The API scopes to request."})
		}
		return append(vars, EnvVar{Name: "API_URL", Value: "", Description: "An API URL to call with the token (empty: only fetch a token)."})
	},
	install: func(*spec) []string { return []string{"node --version   # Node 20.6 or newer; no packages needed"} },
	run: func(*spec) []string {
		return []string{"npm start", "sh token.sh   # the same token request with curl"}
	},
	notes: func(s *spec) []string {
		notes := []string{
			"Client credentials needs a backend client; its secret belongs in a secret store, never in a browser or mobile app.",
			"The token's sub is the client id: it stands for the service, not a user.",
		}
		if s.Audience == "" {
			notes = append(notes, "Without an audience the token's aud is the client's default resource server, else the client id; name the API with audience to get a token it accepts.")
		}
		return notes
	},
}
