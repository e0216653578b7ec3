package integration

import "strings"

// Placeholders stand where a secret goes: the generated files never hold
// one, and the apps refuse to start until it is set.
const (
	placeholderClientSecret  = "<the client secret, shown once by create_client or add_app_secret>"
	placeholderSessionSecret = "<at least 32 random characters: openssl rand -base64 32>"
)

// listenHost is the address a development server binds: the loopback name
// of the app's URL, or every interface for a deployed app.
func listenHost(s *spec) string {
	if isLoopback(s.AppHost) {
		return strings.Trim(s.AppHost, "[]")
	}
	return "0.0.0.0"
}

// Refresh reports whether the generated code uses refresh tokens.
func (s *spec) Refresh() bool { return s.fw.refresh }

// serverEnv is the environment of a server-side sign-in app: the app's
// address, then the tenant and client settings.
func serverEnv(s *spec) []EnvVar {
	vars := []EnvVar{
		{Name: "APP_URL", Value: s.AppURL, Description: "The app's origin, as the browser sees it."},
		{Name: "PORT", Value: s.AppPort, Description: "The port the app listens on."},
		{Name: "HOST", Value: listenHost(s), Description: "The address the app listens on."},
	}
	return append(vars, clientEnv(s)...)
}

// clientEnv are the tenant and client settings of an interactive app.
func clientEnv(s *spec) []EnvVar {
	vars := []EnvVar{
		{Name: "AUTHALLA_ISSUER", Value: s.Issuer, Description: "The tenant's issuer URL (discovery lives below it)."},
		{Name: "AUTHALLA_CLIENT_ID", Value: s.ClientID, Description: "The OAuth client's client_id."},
	}
	if s.Confidential {
		vars = append(vars, EnvVar{Name: "AUTHALLA_CLIENT_SECRET", Value: placeholderClientSecret, Description: "The client secret (client_secret_basic at the token endpoint).", Secret: true})
	}
	vars = append(vars,
		EnvVar{Name: "AUTHALLA_REDIRECT_URI", Value: s.RedirectURI, Description: "The redirect URI registered on the client, exactly."},
		EnvVar{Name: "AUTHALLA_POST_LOGOUT_REDIRECT_URI", Value: s.PostLogoutRedirectURI, Description: "Where Authalla returns after logout (registered on the client)."},
		EnvVar{Name: "AUTHALLA_SCOPE", Value: s.Scope, Description: "The scopes to request."},
	)
	if s.Audience != "" {
		vars = append(vars, EnvVar{Name: "AUTHALLA_AUDIENCE", Value: s.Audience, Description: "The API identifier access tokens are for (RFC 8707 resource)."})
	}
	return vars
}

// sessionEnv is the key of the server-side session or sealed cookie.
func sessionEnv() EnvVar {
	return EnvVar{Name: "SESSION_SECRET", Value: placeholderSessionSecret, Description: "Signs or encrypts the session cookie.", Secret: true}
}
