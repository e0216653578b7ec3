package integration

// FrameworkInfo describes one framework Generate supports.
type FrameworkInfo struct {
	// Name is the identifier used in Request.Framework.
	Name string `json:"name"`
	// Title is the display name.
	Title string `json:"title"`
	// Description says what the generated code does.
	Description string `json:"description"`
	// ClientTypes are the client types the generated code works with.
	ClientTypes []string `json:"client_types"`
	// DefaultAppURL is the usual development origin, used when
	// Request.AppURL is empty (empty for non-interactive frameworks).
	DefaultAppURL string `json:"default_app_url,omitempty"`
	// CallbackPath is the redirect URI's default path.
	CallbackPath string `json:"callback_path,omitempty"`
}

// framework is everything Generate needs to produce one integration.
type framework struct {
	info FrameworkInfo
	// interactive frameworks sign users in: they have redirect URIs.
	interactive bool
	// refresh adds offline_access: the code uses refresh tokens.
	refresh bool
	// needsAudience makes Request.Audience required (API validation).
	needsAudience bool
	// browser frameworks run in the browser: their origin must be allowed.
	browser bool
	// envFile is the path of the generated environment file.
	envFile string
	// files are the templates, rendered in order.
	files []fileTemplate
	// env lists the variables the code reads, for a validated request.
	env func(s *spec) []EnvVar
	// install and run are shell commands shown to the developer.
	install func(s *spec) []string
	run     func(s *spec) []string
	// notes are framework-specific facts; common ones are added by Generate.
	notes func(s *spec) []string
}

// fileTemplate names one embedded template and the file it renders.
type fileTemplate struct {
	path     string // the generated file's path
	language string
	template string // path under templates/
}

// registry lists the frameworks in the order Frameworks shows them.
var registry = []*framework{
	nextjsAppRouter,
	expressFramework,
	expressAPIFramework,
	reactSPAPKCE,
	goFramework,
	m2mFramework,
}

// Frameworks lists the frameworks Generate supports, in display order.
var Frameworks = frameworkInfos()

func frameworkInfos() []FrameworkInfo {
	out := make([]FrameworkInfo, len(registry))
	for i, fw := range registry {
		out[i] = fw.info
		out[i].ClientTypes = append([]string(nil), fw.info.ClientTypes...)
	}
	return out
}

// lookup returns the framework named name, or nil.
func lookup(name string) *framework {
	for _, fw := range registry {
		if fw.info.Name == name {
			return fw
		}
	}
	return nil
}
