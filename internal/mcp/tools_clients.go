package mcp

// Client (application) tools: create_client (alias create_app), get_app,
// list_clients, update_client, delete_client, add_app_secret,
// add_redirect_uris and remove_redirect_uris. Each wraps one manage
// operation, so authorization and input validation are exactly the REST
// API's (SECURITY-TESTS 45); the outputs have the REST API's field names.

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

// clientView is a client as the REST API shows it (never with a secret),
// led by its tenant: a tool may act on any tenant the caller selects.
type clientView struct {
	TenantID string `json:"tenant_id"`
	view.Client
}

func viewClient(c *idp.Client) clientView {
	return clientView{TenantID: c.TenantID, Client: view.NewClient(c)}
}

// dryRunNote is said by every write that was only previewed.
const dryRunNote = "Dry run: nothing was changed. Call the tool again without dry_run to apply it."

func (s *Server) registerClientTools(srv *mcpsdk.Server) {
	create := toolDef{
		Title: "Create an OAuth client (application)",
		Description: `Register an application that signs users in with this tenant (or, for type "backend", calls APIs with its own credentials).
Choose the type from the app: "web" for a server-rendered app or a backend-for-frontend that can keep a secret (Next.js, Express, Go web apps); "spa" for a browser-only app (React, Vue, Angular without a server; PKCE, no secret); "native" for mobile and desktop apps (PKCE, loopback or private-use scheme redirects); "backend" for machine-to-machine (client_credentials, no redirect URIs).
redirect_uris must be exact absolute URLs where the app receives the authorization response, e.g. http://localhost:3000/api/auth/callback (https required except on localhost/127.0.0.1/[::1]; no wildcards or fragments). A browser app's origin is a tenant setting, not a client setting: after creating a "spa" client call add_allowed_origins with the app's origin (e.g. http://localhost:5173).
Returns the client with its client_id; "web" and "backend" clients also get a client_secret, shown in this answer only — tell the user to store it now (it cannot be read again; add_app_secret makes a new one). Next: generate_integration with the client_id for working code. Set dry_run to preview without creating anything.`,
		Scope: ScopeWrite,
	}
	createFn := func(c *call, in createClientIn) (clientCreatedOut, error) { return s.createClient(c, in) }
	create.Name = "create_client"
	addTool(s, srv, create, createFn)
	create.Name = "create_app"
	create.Description = "Same as create_client (the hosted service's name for it). " + create.Description
	addTool(s, srv, create, createFn)

	addTool(s, srv, toolDef{
		Name:  "get_app",
		Title: "Get an OAuth client (application)",
		Description: `Get one client by client_id: its type, redirect URIs, post-logout redirect URIs, scopes, default audience, and the ids and last four characters of its secrets (never the secrets themselves).
Use it to check an app's configuration before changing it or when a sign-in fails with a redirect_uri mismatch. Next: add_redirect_uris / remove_redirect_uris, update_client, or generate_integration.`,
		Scope: ScopeRead, ReadOnly: true, Idempotent: true,
	}, s.getApp)

	addTool(s, srv, toolDef{
		Name:  "list_clients",
		Title: "List OAuth clients",
		Description: `List the tenant's clients (applications), newest first, with the total count. Use limit (default 50, at most 200) and offset to page.
Use it to find a client_id; then get_app for details.`,
		Scope: ScopeRead, ReadOnly: true, Idempotent: true,
	}, s.listClients)

	addTool(s, srv, toolDef{
		Name:  "update_client",
		Title: "Update an OAuth client",
		Description: `Change a client's name, redirect URIs, post-logout redirect URIs, scopes, require_consent, default audience or refresh grace window. Only the fields you pass change; a list you pass replaces the whole list (to add or remove single redirect URIs use add_redirect_uris / remove_redirect_uris instead). The client_id and type never change.
Returns the client after the change and a list of what changed. Set dry_run to preview.`,
		Scope: ScopeWrite, Idempotent: true,
	}, s.updateClient)

	addTool(s, srv, toolDef{
		Name:  "delete_client",
		Title: "Delete an OAuth client",
		Description: `Delete a client with its secrets and revoke every token issued to it: the application can no longer sign anyone in. This cannot be undone.
Only call it after the user explicitly agreed, with confirm: true (dry_run: true shows what would be deleted without confirm).`,
		Scope: ScopeAdmin, Destructive: true, Idempotent: true,
	}, s.deleteClient)

	addTool(s, srv, toolDef{
		Name:  "add_app_secret",
		Title: "Add a client secret",
		Description: `Create a new secret for a "web" or "backend" client, for rotation or when the first one was lost. The old secrets keep working until deleted.
The secret is shown in this answer only, once: tell the user to store it right away (for example as AUTHALLA_CLIENT_SECRET in the app's environment, never in source control). With dry_run nothing is created and no secret is shown.`,
		Scope: ScopeAdmin,
	}, s.addAppSecret)

	addTool(s, srv, toolDef{
		Name:  "add_redirect_uris",
		Title: "Add redirect URIs to a client",
		Description: `Add exact redirect URIs (and optionally post-logout redirect URIs) to a client, keeping the existing ones. Use it when sign-in fails with a redirect_uri mismatch, or when the app gets a new environment (e.g. a preview or production URL).
Each URI must be exact and absolute: https (http only on localhost, 127.0.0.1 or [::1]), no wildcard, no fragment. Returns the client after the change. Set dry_run to preview.`,
		Scope: ScopeWrite, Idempotent: true,
	}, s.addRedirectURIs)

	addTool(s, srv, toolDef{
		Name:  "remove_redirect_uris",
		Title: "Remove redirect URIs from a client",
		Description: `Remove redirect URIs (and optionally post-logout redirect URIs) from a client. Sign-ins that use a removed URI fail from then on; add_redirect_uris puts them back. Interactive clients must keep at least one redirect URI.
Only call it after the user agreed, with confirm: true (dry_run: true previews without confirm). Returns the client after the change.`,
		Scope: ScopeWrite, Destructive: true, Idempotent: true,
	}, s.removeRedirectURIs)
}

// createClientIn is create_client's input.
type createClientIn struct {
	Name                   string   `json:"name" jsonschema:"A name for the application, shown to users on the consent screen."`
	Type                   string   `json:"type" jsonschema:"One of: web (server-side app with a secret), spa (browser app, PKCE), native (mobile/desktop app, PKCE), backend (machine-to-machine, client_credentials)."`
	RedirectURIs           []string `json:"redirect_uris,omitempty" jsonschema:"Exact callback URLs, e.g. http://localhost:3000/api/auth/callback. Required for web, spa and native; none for backend."`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty" jsonschema:"Exact URLs the app may return to after sign-out, e.g. http://localhost:3000/."`
	DefaultAudience        string   `json:"default_audience,omitempty" jsonschema:"Identifier of a resource server (API) of this tenant whose access tokens the client gets when it names no resource."`
	Scopes                 []string `json:"scopes,omitempty" jsonschema:"Extra scopes the client may request (OIDC scopes are always allowed)."`
	ClientID               string   `json:"client_id,omitempty" jsonschema:"A client_id of your choice (3-100 of A-Z a-z 0-9 . _ ~ -). Omit to get a random one."`
	TenantID               string   `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun                 bool     `json:"dry_run,omitempty" jsonschema:"Validate and show the client that would be created, without creating it."`
}

// clientCreatedOut is a new client with its first secret (REST's shape).
type clientCreatedOut struct {
	clientView
	// ClientSecret is the plaintext, present once (confidential clients).
	ClientSecret   string `json:"client_secret,omitempty" jsonschema:"The client secret, shown this once."`
	ClientSecretID string `json:"client_secret_id,omitempty"`
	DryRun         bool   `json:"dry_run,omitempty"`
	// MissingOrigins are browser origins of the redirect URIs that the
	// tenant does not allow yet (spa clients).
	MissingOrigins []string `json:"missing_allowed_origins,omitempty" jsonschema:"Origins to add with add_allowed_origins before the browser app can call the token endpoint."`
}

func (o clientCreatedOut) summary() string {
	var b strings.Builder
	verb := "Created"
	if o.DryRun {
		verb = "Would create"
	}
	fmt.Fprintf(&b, "%s %s client %q with client_id %s in tenant %s.", verb, o.Type, o.Name, o.ClientID, o.TenantID)
	switch {
	case o.DryRun && o.Type != string(idp.ClientSPA) && o.Type != string(idp.ClientNative):
		b.WriteString(" A client secret would be generated and shown once; none is generated in a dry run.")
	case o.ClientSecret != "":
		b.WriteString(" The client_secret below is shown only this once: tell the user to store it now (e.g. AUTHALLA_CLIENT_SECRET in the app's .env, never committed). It cannot be read again; add_app_secret creates a new one.")
	}
	if len(o.MissingOrigins) > 0 {
		fmt.Fprintf(&b, " The browser app's origin is not allowed yet: call add_allowed_origins with %s.", strings.Join(o.MissingOrigins, ", "))
	}
	if o.DryRun {
		b.WriteString(" " + dryRunNote)
	} else {
		fmt.Fprintf(&b, " Next: generate_integration with client_id %s for working code.", o.ClientID)
	}
	return b.String()
}

func (s *Server) createClient(c *call, in createClientIn) (clientCreatedOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return clientCreatedOut{}, err
	}
	ctx := c.dryRunCtx(in.DryRun)
	res, err := s.manage.CreateClient(ctx, tid, manage.ClientInput{
		ID: in.ClientID, Name: in.Name, Type: idp.ClientType(strings.TrimSpace(in.Type)),
		RedirectURIs: in.RedirectURIs, PostLogoutRedirectURIs: in.PostLogoutRedirectURIs,
		Scopes: in.Scopes, DefaultResourceServer: in.DefaultAudience,
	})
	if err != nil {
		return clientCreatedOut{}, err
	}
	out := clientCreatedOut{clientView: viewClient(res.Client), DryRun: in.DryRun}
	if res.Secret != nil {
		out.ClientSecret, out.ClientSecretID = res.Secret.Value, res.Secret.ID
	}
	if res.Client.Type == idp.ClientSPA {
		if out.MissingOrigins, err = s.missingOrigins(c, tid, originsOf(res.Client.RedirectURIs)); err != nil {
			return clientCreatedOut{}, err
		}
	}
	return out, nil
}

// missingOrigins returns the origins of want that tenant tid does not
// allow (CORS on the token endpoint; Fetch Standard §3.2).
func (s *Server) missingOrigins(c *call, tid string, want []string) ([]string, error) {
	if len(want) == 0 {
		return nil, nil
	}
	t, err := s.manage.GetTenant(c.ctx, tid)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range want {
		if !slices.Contains(t.AllowedOrigins, o) && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// originsOf returns the http(s) origins (RFC 6454 §4) of uris, lower-cased
// as the tenant stores allowed origins.
func originsOf(uris []string) []string {
	var out []string
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		o := strings.ToLower(u.Scheme + "://" + u.Host)
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// clientRef names a client.
type clientRef struct {
	ClientID string `json:"client_id" jsonschema:"The client's client_id."`
	TenantID string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
}

// appOut is get_app's answer.
type appOut struct {
	clientView
	Secrets []view.Secret `json:"secrets" jsonschema:"The client's secrets (ids and hints only); empty for public clients."`
}

func (o appOut) summary() string {
	return fmt.Sprintf("%s client %q (client_id %s) in tenant %s: %d redirect URI(s), %d secret(s).",
		o.Type, o.Name, o.ClientID, o.TenantID, len(o.RedirectURIs), len(o.Secrets))
}

func (s *Server) getApp(c *call, in clientRef) (appOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return appOut{}, err
	}
	cl, err := s.manage.GetClient(c.ctx, tid, in.ClientID)
	if err != nil {
		return appOut{}, err
	}
	out := appOut{clientView: viewClient(cl), Secrets: []view.Secret{}}
	if !cl.Public() {
		ss, err := s.manage.ListClientSecrets(c.ctx, tid, in.ClientID)
		if err != nil {
			return appOut{}, err
		}
		out.Secrets = view.NewSecrets(ss)
	}
	return out, nil
}

// pageIn is a listing page.
type pageIn struct {
	Limit    int    `json:"limit,omitempty" jsonschema:"How many to return (default 50, at most 200)."`
	Offset   int    `json:"offset,omitempty" jsonschema:"How many to skip."`
	TenantID string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
}

// effectiveLimit is the page size manage applies (its clampPage).
func effectiveLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 200:
		return 200
	}
	return n
}

// clientsOut is list_clients' answer (REST's list shape).
type clientsOut struct {
	Clients []clientView `json:"clients"`
	Total   int          `json:"total"`
	Limit   int          `json:"limit"`
	Offset  int          `json:"offset"`
}

func (o clientsOut) summary() string {
	return fmt.Sprintf("%d of %d client(s) from offset %d.", len(o.Clients), o.Total, o.Offset)
}

func (s *Server) listClients(c *call, in pageIn) (clientsOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return clientsOut{}, err
	}
	cs, total, err := s.manage.ListClients(c.ctx, tid, idp.Page{Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return clientsOut{}, err
	}
	out := clientsOut{Clients: []clientView{}, Total: total, Limit: effectiveLimit(in.Limit), Offset: in.Offset}
	for i := range cs {
		out.Clients = append(out.Clients, viewClient(&cs[i]))
	}
	return out, nil
}

// updateClientIn is update_client's input: nil fields stay as they are.
type updateClientIn struct {
	ClientID               string    `json:"client_id" jsonschema:"The client's client_id."`
	Name                   *string   `json:"name,omitempty" jsonschema:"New name."`
	RedirectURIs           *[]string `json:"redirect_uris,omitempty" jsonschema:"Replaces all redirect URIs."`
	PostLogoutRedirectURIs *[]string `json:"post_logout_redirect_uris,omitempty" jsonschema:"Replaces all post-logout redirect URIs."`
	Scopes                 *[]string `json:"scopes,omitempty" jsonschema:"Replaces the extra scopes the client may request."`
	RequireConsent         *bool     `json:"require_consent,omitempty" jsonschema:"Always show the consent screen."`
	DefaultAudience        *string   `json:"default_audience,omitempty" jsonschema:"Resource server identifier for tokens that name no resource; empty string clears it."`
	RefreshGraceSeconds    *int      `json:"refresh_grace_seconds,omitempty" jsonschema:"Seconds (0-60) during which a rotated refresh token may be presented again and gets the same successor."`
	TenantID               string    `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun                 bool      `json:"dry_run,omitempty" jsonschema:"Validate and show the change without making it."`
}

// clientChangeOut is the answer of a client update.
type clientChangeOut struct {
	Client  clientView    `json:"client" jsonschema:"The client after the change."`
	Changes []fieldChange `json:"changes" jsonschema:"Each field that changed (or, in a dry run, would change), with its old and new value."`
	DryRun  bool          `json:"dry_run,omitempty"`
}

func (o clientChangeOut) summary() string {
	what := "no field changed (the values were already set)."
	if len(o.Changes) > 0 {
		var fs []string
		for _, c := range o.Changes {
			fs = append(fs, c.Field)
		}
		what = "fields " + strings.Join(fs, ", ") + "."
	}
	if o.DryRun {
		return fmt.Sprintf("Client %s would change: %s %s", o.Client.ClientID, what, dryRunNote)
	}
	return fmt.Sprintf("Client %s updated: %s", o.Client.ClientID, what)
}

func (s *Server) updateClient(c *call, in updateClientIn) (clientChangeOut, error) {
	return s.changeClient(c, in.TenantID, in.ClientID, in.DryRun, manage.ClientPatch{
		Name: in.Name, RedirectURIs: in.RedirectURIs, PostLogoutRedirectURIs: in.PostLogoutRedirectURIs,
		Scopes: in.Scopes, RequireConsent: in.RequireConsent, DefaultResourceServer: in.DefaultAudience,
		RefreshGraceSeconds: in.RefreshGraceSeconds,
	})
}

// changeClient applies p through manage and reports the difference.
func (s *Server) changeClient(c *call, tenantID, clientID string, dryRun bool, p manage.ClientPatch) (clientChangeOut, error) {
	tid, err := c.tenant(tenantID)
	if err != nil {
		return clientChangeOut{}, err
	}
	before, err := s.manage.GetClient(c.ctx, tid, clientID)
	if err != nil {
		return clientChangeOut{}, err
	}
	after, err := s.manage.UpdateClient(c.dryRunCtx(dryRun), tid, clientID, p)
	if err != nil {
		return clientChangeOut{}, err
	}
	out := clientChangeOut{Client: viewClient(after), DryRun: dryRun}
	out.Changes = diff(viewClient(before), out.Client, "updated_at")
	return out, nil
}

// redirectURIsIn edits a client's redirect URI lists.
type redirectURIsIn struct {
	ClientID               string   `json:"client_id" jsonschema:"The client's client_id."`
	RedirectURIs           []string `json:"redirect_uris,omitempty" jsonschema:"Exact redirect URIs, e.g. http://localhost:3000/api/auth/callback."`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty" jsonschema:"Exact post-logout redirect URIs, e.g. http://localhost:3000/."`
	TenantID               string   `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun                 bool     `json:"dry_run,omitempty" jsonschema:"Validate and show the change without making it."`
}

// errNoURIs is the answer to an add or remove that names no URI.
var errNoURIs = toolError("Name at least one URI in redirect_uris or post_logout_redirect_uris.")

func (s *Server) addRedirectURIs(c *call, in redirectURIsIn) (clientChangeOut, error) {
	if len(in.RedirectURIs)+len(in.PostLogoutRedirectURIs) == 0 {
		return clientChangeOut{}, errNoURIs
	}
	return s.changeClient(c, in.TenantID, in.ClientID, in.DryRun, manage.ClientPatch{
		AddRedirectURIs: in.RedirectURIs, AddPostLogoutRedirectURIs: in.PostLogoutRedirectURIs,
	})
}

// removeRedirectURIsIn is remove_redirect_uris' input.
type removeRedirectURIsIn struct {
	ClientID               string   `json:"client_id" jsonschema:"The client's client_id."`
	RedirectURIs           []string `json:"redirect_uris,omitempty" jsonschema:"Redirect URIs to remove, exactly as registered (see get_app)."`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty" jsonschema:"Post-logout redirect URIs to remove, exactly as registered."`
	Confirm                bool     `json:"confirm,omitempty" jsonschema:"Set to true only after the user agreed: sign-ins using these URIs stop working."`
	TenantID               string   `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun                 bool     `json:"dry_run,omitempty" jsonschema:"Show the change without making it (no confirm needed)."`
}

func (s *Server) removeRedirectURIs(c *call, in removeRedirectURIsIn) (clientChangeOut, error) {
	if len(in.RedirectURIs)+len(in.PostLogoutRedirectURIs) == 0 {
		return clientChangeOut{}, errNoURIs
	}
	p := manage.ClientPatch{RemoveRedirectURIs: in.RedirectURIs, RemovePostLogoutRedirectURIs: in.PostLogoutRedirectURIs}
	if !in.Confirm && !in.DryRun {
		// Ask for confirmation only for a change that would succeed.
		if _, err := s.changeClient(c, in.TenantID, in.ClientID, true, p); err != nil {
			return clientChangeOut{}, err
		}
		// Not needConfirm: this one can be undone (add_redirect_uris).
		return clientChangeOut{}, toolError(fmt.Sprintf("This will remove %d URI(s) from client %s: sign-ins and logouts using them fail until add_redirect_uris puts them back. Ask the user to confirm, then call this tool again with confirm: true.",
			len(in.RedirectURIs)+len(in.PostLogoutRedirectURIs), in.ClientID))
	}
	return s.changeClient(c, in.TenantID, in.ClientID, in.DryRun, p)
}

// deleteClientIn is delete_client's input.
type deleteClientIn struct {
	ClientID string `json:"client_id" jsonschema:"The client's client_id."`
	Confirm  bool   `json:"confirm,omitempty" jsonschema:"Must be true: the user agreed to delete the client. Not needed with dry_run."`
	TenantID string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"Check and show what would be deleted without deleting it."`
}

// deletedClientOut says which client was (or would be) deleted.
type deletedClientOut struct {
	Deleted clientView `json:"deleted" jsonschema:"The client as it was."`
	DryRun  bool       `json:"dry_run,omitempty"`
}

func (o deletedClientOut) summary() string {
	if o.DryRun {
		return fmt.Sprintf("Would delete client %s (%q) with its secrets and revoke its tokens. %s", o.Deleted.ClientID, o.Deleted.Name, dryRunNote)
	}
	return fmt.Sprintf("Deleted client %s (%q); its secrets are gone and its tokens revoked.", o.Deleted.ClientID, o.Deleted.Name)
}

func (s *Server) deleteClient(c *call, in deleteClientIn) (deletedClientOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return deletedClientOut{}, err
	}
	cl, err := s.manage.GetClient(c.ctx, tid, in.ClientID)
	if err != nil {
		return deletedClientOut{}, err
	}
	if !in.Confirm && !in.DryRun {
		// Ask for confirmation only for a deletion that would succeed: a
		// caller who may not delete is told so first.
		if err := s.manage.DeleteClient(c.dryRunCtx(true), tid, in.ClientID); err != nil {
			return deletedClientOut{}, err
		}
		return deletedClientOut{}, needConfirm(fmt.Sprintf("delete client %s (%q) and revoke every token issued to it", cl.ID, cl.Name))
	}
	if err := s.manage.DeleteClient(c.dryRunCtx(in.DryRun), tid, in.ClientID); err != nil {
		return deletedClientOut{}, err
	}
	return deletedClientOut{Deleted: viewClient(cl), DryRun: in.DryRun}, nil
}

// addSecretIn is add_app_secret's input.
type addSecretIn struct {
	ClientID string `json:"client_id" jsonschema:"The client_id of a web or backend client."`
	TenantID string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"Check that a secret can be added, without creating one."`
}

// newSecretOut is a fresh secret (REST's shape plus the client id).
type newSecretOut struct {
	ClientID     string    `json:"client_id"`
	ID           string    `json:"id" jsonschema:"The secret's id (to delete it later)."`
	ClientSecret string    `json:"client_secret,omitempty" jsonschema:"The secret, shown this once."`
	Hint         string    `json:"hint,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	DryRun       bool      `json:"dry_run,omitempty"`
}

func (o newSecretOut) summary() string {
	if o.DryRun {
		return fmt.Sprintf("A new secret can be added to client %s; none was generated. %s", o.ClientID, dryRunNote)
	}
	return fmt.Sprintf("New secret %s for client %s. The client_secret below is shown only this once: tell the user to store it now (never in source control). Older secrets keep working until deleted.", o.ID, o.ClientID)
}

func (s *Server) addAppSecret(c *call, in addSecretIn) (newSecretOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return newSecretOut{}, err
	}
	sec, err := s.manage.AddClientSecret(c.dryRunCtx(in.DryRun), tid, in.ClientID)
	if err != nil {
		return newSecretOut{}, err
	}
	return newSecretOut{ClientID: in.ClientID, ID: sec.ID, ClientSecret: sec.Value, Hint: sec.Hint, CreatedAt: sec.CreatedAt, DryRun: in.DryRun}, nil
}
