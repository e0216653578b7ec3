package mcp

// generate_integration: working code for a client, from internal/integration,
// with the client and the tenant's issuer loaded through manage (so the
// caller must be able to read them), and a list of the configuration
// changes the code still needs, each as the tool call that makes it.

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/integration"
)

func (s *Server) registerIntegrationTools(srv *mcpsdk.Server) {
	var fws []string
	for _, f := range integration.Frameworks {
		fws = append(fws, fmt.Sprintf("%s (%s; client types %s)", f.Name, f.Title, strings.Join(f.ClientTypes, "/")))
	}
	addTool(s, srv, toolDef{
		Name:  "generate_integration",
		Title: "Generate integration code",
		Description: `Generate complete, working code that connects an app to this tenant with an existing client: every file, the environment values (issuer, client_id, redirect URI; secrets as placeholders), install and run commands. The code follows OAuth 2.1: authorization code with PKCE S256, state and nonce, exact redirect URIs, no tokens in browser storage or URLs.
Frameworks: ` + strings.Join(fws, "; ") + `.
Pass the client_id (from create_client or list_clients), the framework, and optionally app_url (the app's origin, e.g. http://localhost:3000; default: the framework's usual dev origin, or the origin of the client's registered redirect URI), redirect_uri, and audience (an API identifier from create_resource_server; required for express-api, defaults to the client's default audience).
Write the returned files into the project as they are. If "fixes" is not empty, the tenant or client is not configured for this code yet: make each listed tool call (add_redirect_uris, add_allowed_origins, create_resource_server) before running the app.`,
		Scope: ScopeRead, ReadOnly: true, Idempotent: true,
	}, s.generateIntegration)
}

// generateIntegrationIn is generate_integration's input.
type generateIntegrationIn struct {
	ClientID    string   `json:"client_id" jsonschema:"The client_id of the app's OAuth client."`
	Framework   string   `json:"framework" jsonschema:"One of: nextjs-app-router, express, express-api, react-spa-pkce, go, m2m."`
	AppURL      string   `json:"app_url,omitempty" jsonschema:"The app's origin, e.g. http://localhost:3000 (scheme://host[:port], no path)."`
	RedirectURI string   `json:"redirect_uri,omitempty" jsonschema:"The exact callback URL on the app's origin; omit to use the client's registered one or the framework's default path."`
	Audience    string   `json:"audience,omitempty" jsonschema:"Identifier of the API (resource server) whose access tokens the app requests or checks."`
	Scopes      []string `json:"scopes,omitempty" jsonschema:"Extra API scopes to request, e.g. orders:read (openid profile email are always requested)."`
	TenantID    string   `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
}

// integrationFix is one change the code needs, as the tool call that
// makes it.
type integrationFix struct {
	Problem   string         `json:"problem" jsonschema:"What is missing and what fails without it."`
	Tool      string         `json:"tool" jsonschema:"The tool to call."`
	Arguments map[string]any `json:"arguments" jsonschema:"The arguments to call it with."`
}

// integrationOut is generate_integration's answer: integration.Result
// with the values it was generated for and the fixes still needed.
type integrationOut struct {
	integration.Result
	ClientID string           `json:"client_id"`
	TenantID string           `json:"tenant_id"`
	Issuer   string           `json:"issuer"`
	Audience string           `json:"audience,omitempty"`
	Fixes    []integrationFix `json:"fixes" jsonschema:"Configuration the code needs that the tenant or client lacks; empty when ready. Make each tool call before running the app."`
}

// summary is the whole integration as text: clients that show only the
// text content still get every file.
func (o integrationOut) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s integration for client %s (issuer %s", o.Title, o.ClientID, o.Issuer)
	if o.Audience != "" {
		fmt.Fprintf(&b, ", audience %s", o.Audience)
	}
	b.WriteString(").\n")
	if len(o.Fixes) == 0 {
		b.WriteString("The client and tenant are configured for this code.\n")
	} else {
		b.WriteString("Before running the app, make these tool calls:\n")
		for i, f := range o.Fixes {
			args, _ := marshalJSON(f.Arguments)
			fmt.Fprintf(&b, "%d. %s — call %s %s\n", i+1, f.Problem, f.Tool, args)
		}
	}
	if len(o.Install) > 0 {
		fmt.Fprintf(&b, "\nInstall:\n  %s\n", strings.Join(o.Install, "\n  "))
	}
	if len(o.Run) > 0 {
		fmt.Fprintf(&b, "Run:\n  %s\n", strings.Join(o.Run, "\n  "))
	}
	for _, e := range o.Env {
		if e.Secret {
			fmt.Fprintf(&b, "Secret %s: %s (%s)\n", e.Name, e.Value, e.Description)
		}
	}
	for _, f := range o.Files {
		fmt.Fprintf(&b, "\n--- %s (%s)\n%s", f.Path, f.Language, f.Content)
		if !strings.HasSuffix(f.Content, "\n") {
			b.WriteString("\n")
		}
	}
	if len(o.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range o.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

func (s *Server) generateIntegration(c *call, in generateIntegrationIn) (integrationOut, error) {
	fw, ok := frameworkInfo(strings.TrimSpace(in.Framework))
	if !ok {
		var names []string
		for _, f := range integration.Frameworks {
			names = append(names, f.Name)
		}
		return integrationOut{}, toolError(fmt.Sprintf("Unknown framework %q: use one of %s.", in.Framework, strings.Join(names, ", ")))
	}
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return integrationOut{}, err
	}
	t, err := s.manage.GetTenant(c.ctx, tid)
	if err != nil {
		return integrationOut{}, err
	}
	if t.Issuer == "" {
		return integrationOut{}, errors.New("mcp: generate_integration: the tenant has no issuer URL")
	}
	cl, err := s.manage.GetClient(c.ctx, tid, in.ClientID)
	if err != nil {
		return integrationOut{}, err
	}
	req := integration.Request{
		Framework: fw.Name, Issuer: t.Issuer, TenantID: t.ID, ClientID: cl.ID, ClientType: string(cl.Type),
		Audience: strings.TrimSpace(in.Audience), Scopes: in.Scopes,
	}
	if req.Audience == "" {
		req.Audience = cl.DefaultResourceServer
	}
	if fw.CallbackPath != "" {
		req.AppURL, req.RedirectURI, req.PostLogoutRedirectURI = appURIs(fw, cl, in.AppURL, in.RedirectURI)
	}
	res, err := integration.Generate(req)
	if err != nil {
		return integrationOut{}, generateError(fw, err)
	}
	out := integrationOut{Result: *res, ClientID: cl.ID, TenantID: t.ID, Issuer: t.Issuer, Audience: req.Audience, Fixes: []integrationFix{}}
	if f := redirectFix(cl, res); f != nil {
		out.Fixes = append(out.Fixes, *f)
	}
	if missing := missingFrom(t.AllowedOrigins, res.AllowedOrigins); len(missing) > 0 {
		out.Fixes = append(out.Fixes, integrationFix{
			Problem:   fmt.Sprintf("The tenant does not allow the browser origin %s, so the app's calls to the token endpoint fail (CORS)", strings.Join(missing, ", ")),
			Tool:      "add_allowed_origins",
			Arguments: map[string]any{"tenant_id": t.ID, "origins": missing},
		})
	}
	if req.Audience != "" {
		switch _, err := s.manage.GetResourceServer(c.ctx, tid, req.Audience); {
		case errors.Is(err, idp.ErrNotFound):
			out.Fixes = append(out.Fixes, integrationFix{
				Problem:   fmt.Sprintf("No resource server of this tenant has the identifier %s, so token requests for it are refused (invalid_target, RFC 8707 §2)", req.Audience),
				Tool:      "create_resource_server",
				Arguments: map[string]any{"tenant_id": t.ID, "identifier": req.Audience, "name": "API"},
			})
		case err != nil:
			return integrationOut{}, err
		}
	}
	return out, nil
}

// frameworkInfo finds a framework by name.
func frameworkInfo(name string) (integration.FrameworkInfo, bool) {
	for _, f := range integration.Frameworks {
		if f.Name == name {
			return f, true
		}
	}
	return integration.FrameworkInfo{}, false
}

// appURIs picks the app origin, redirect URI and post-logout URI the code
// is generated for: what the caller gave, else what the client already
// has registered (preferring the framework's callback path), else empty
// (integration's defaults). The redirect URI must be on the app's origin.
func appURIs(fw integration.FrameworkInfo, cl *idp.Client, appURL, redirect string) (app, redir, logout string) {
	app = strings.TrimSuffix(strings.TrimSpace(appURL), "/")
	redir = strings.TrimSpace(redirect)
	if redir == "" {
		redir = pickURI(cl.RedirectURIs, app, fw.CallbackPath)
	}
	if app == "" && redir != "" {
		app = originOf(redir)
	}
	if app == "" {
		app = fw.DefaultAppURL
	}
	logout = pickURI(cl.PostLogoutRedirectURIs, app, "/")
	return app, redir, logout
}

// pickURI returns the http(s) URI of uris on origin (any origin when
// empty) whose path is path, else the first on origin, else "".
func pickURI(uris []string, origin, path string) string {
	first := ""
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if origin != "" && originOf(raw) != strings.ToLower(origin) {
			continue
		}
		if u.Path == path {
			return raw
		}
		if first == "" {
			first = raw
		}
	}
	return first
}

// originOf is the lower-cased origin (RFC 6454 §4) of an http(s) URL.
func originOf(raw string) string {
	if o := originsOf([]string{raw}); len(o) == 1 {
		return o[0]
	}
	return ""
}

// missingFrom returns the values of want that have is lacking.
func missingFrom(have, want []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// redirectFix is the add_redirect_uris call that registers what the code
// uses, or nil when the client has it all.
func redirectFix(cl *idp.Client, res *integration.Result) *integrationFix {
	redirects := missingFrom(cl.RedirectURIs, res.RedirectURIs)
	logouts := missingFrom(cl.PostLogoutRedirectURIs, res.PostLogoutRedirectURIs)
	if len(redirects)+len(logouts) == 0 {
		return nil
	}
	args := map[string]any{"tenant_id": cl.TenantID, "client_id": cl.ID}
	var what []string
	if len(redirects) > 0 {
		args["redirect_uris"] = redirects
		what = append(what, "redirect URI "+strings.Join(redirects, ", ")+" (sign-in fails with a redirect_uri mismatch)")
	}
	if len(logouts) > 0 {
		args["post_logout_redirect_uris"] = logouts
		what = append(what, "post-logout redirect URI "+strings.Join(logouts, ", ")+" (logout cannot return to the app)")
	}
	return &integrationFix{
		Problem:   "The client does not have the " + strings.Join(what, " and the "),
		Tool:      "add_redirect_uris",
		Arguments: args,
	}
}

// generateError turns integration's validation error (written to be
// shown) into the model's answer, with the tool that helps.
func generateError(fw integration.FrameworkInfo, err error) error {
	msg := fmt.Sprintf("Cannot generate the %s integration: %s.", fw.Name, strings.ReplaceAll(err.Error(), "\n", "; "))
	switch {
	case strings.Contains(err.Error(), "client_type"):
		msg += fmt.Sprintf(" Create a client of type %s with create_client, or pick a framework that fits this client.", strings.Join(fw.ClientTypes, " or "))
	case strings.Contains(err.Error(), "audience"):
		msg += " Pass audience: the identifier of the API (create it with create_resource_server if it does not exist yet)."
	}
	return toolError(msg)
}
