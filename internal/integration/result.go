package integration

// File is one generated source or configuration file.
type File struct {
	// Path is relative to the application's root, with forward slashes.
	Path string `json:"path"`
	// Language names the file's syntax for display (javascript, jsx, go, json, html, dotenv, ...).
	Language string `json:"language"`
	// Content is the complete file.
	Content string `json:"content"`
}

// EnvVar is one environment variable the generated code reads.
type EnvVar struct {
	// Name is the variable's name.
	Name string `json:"name"`
	// Value is the value for this request; for a secret it is a placeholder
	// describing where the value comes from, never a real secret.
	Value string `json:"value"`
	// Description says what the variable is for.
	Description string `json:"description"`
	// Secret marks values that must be kept out of source control and logs.
	Secret bool `json:"secret,omitempty"`
}

// Result is the complete integration for one framework.
type Result struct {
	// Framework is the framework's name (one of Frameworks).
	Framework string `json:"framework"`
	// Title is the framework's display name.
	Title string `json:"title"`
	// Files are the generated files, in the order to read them.
	Files []File `json:"files"`
	// Env lists the environment variables the code reads, with values.
	Env []EnvVar `json:"env"`
	// Install are the shell commands that install the dependencies.
	Install []string `json:"install"`
	// Run are the shell commands that start the application.
	Run []string `json:"run"`
	// RedirectURIs must be registered on the client, exactly as listed.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// PostLogoutRedirectURIs must be registered on the client for
	// RP-initiated logout, exactly as listed.
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	// AllowedOrigins are browser origins the tenant must allow (CORS on the
	// token, userinfo, revocation and discovery endpoints).
	AllowedOrigins []string `json:"allowed_origins,omitempty"`
	// ClientTypes are the client types this framework works with.
	ClientTypes []string `json:"client_types"`
	// Notes are short facts the developer should know before shipping.
	Notes []string `json:"notes,omitempty"`
}
