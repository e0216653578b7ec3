package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// Limits on authorization request input. They bound what a request can
// make us store; real clients stay far below them.
const (
	maxAuthorizeBody  = 64 << 10
	maxStateLen       = 4096
	maxNonceLen       = 1024
	maxHintLen        = 512
	maxIDTokenHint    = 16 << 10
	maxAuthzResources = 10
)

// Prompt values (OIDC Core §3.1.2.1).
const (
	promptNone          = "none"
	promptLogin         = "login"
	promptConsent       = "consent"
	promptSelectAccount = "select_account"
)

// promptValues are the prompt values we understand, as published in
// discovery.
var promptValues = []string{promptNone, promptLogin, promptConsent, promptSelectAccount}

// singleParams must not appear more than once (RFC 6749 §3.1: "Request and
// response parameters MUST NOT be included more than once"). resource is
// absent on purpose: RFC 8707 §2 lets it repeat.
var singleParams = []string{
	"response_type", "response_mode", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method", "prompt", "max_age",
	"login_hint", "id_token_hint", "request", "request_uri", "audience",
	"display", "ui_locales", "claims_locales", "acr_values",
}

// authorization is one authorization request on its way to an answer.
type authorization struct {
	info        *tenant.Info
	client      *idp.Client
	redirectURI string           // the validated URI responses go to
	req         *idp.AuthRequest // validated parameters; ID is set once parked
	parked      bool             // req is stored (a resumed request)
	resources   []*idp.ResourceServer
	hintSubject string // sub of a verified id_token_hint (first pass only)
}

// readAuthorizeParams returns the parameters of a GET (query) or POST
// (form body, OIDC Core §3.1.2.1) authorization request. A malformed
// query or body is answered with an error page: nothing is validated yet.
func readAuthorizeParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	bad := &httpx.PageError{Status: http.StatusBadRequest, Title: "Invalid request", Message: "The authorization request is malformed."}
	if r.Method != http.MethodPost {
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, bad
		}
		return v, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAuthorizeBody)
	if err := r.ParseForm(); err != nil {
		return nil, bad
	}
	return r.PostForm, nil
}

// param returns the value of name; repeated reports more than one value.
// An empty value counts as absent (RFC 6749 §3.1).
func param(v url.Values, name string) (value string, repeated bool) {
	vs := v[name]
	if len(vs) > 1 {
		return "", true
	}
	if len(vs) == 1 {
		return vs[0], false
	}
	return "", false
}

// pageError is an authorization error that must not redirect.
func pageError(message string) error {
	return &httpx.PageError{Status: http.StatusBadRequest, Title: "Invalid request", Message: message}
}

// checkClient performs steps (a) and (b): the client must exist in this
// tenant and may use the authorization endpoint, and the redirect URI must
// be one of its registered ones. Until both hold, every error is a page,
// never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2). It returns the
// redirect URI that responses go to.
func (p *Provider) checkClient(ctx context.Context, info *tenant.Info, v url.Values) (*idp.Client, string, error) {
	clientID, rep := param(v, "client_id")
	if rep {
		return nil, "", pageError("The client_id parameter was sent more than once.")
	}
	if clientID == "" {
		return nil, "", pageError("The request names no client (client_id is missing).")
	}
	sent, rep := param(v, "redirect_uri")
	if rep {
		return nil, "", pageError("The redirect_uri parameter was sent more than once.")
	}
	return p.loadClient(ctx, info, clientID, sent)
}

// loadClient loads clientID from the request's tenant and resolves the
// redirect URI (sent may be empty); used for new and resumed requests.
func (p *Provider) loadClient(ctx context.Context, info *tenant.Info, clientID, sent string) (*idp.Client, string, error) {
	client, err := p.lookupClient(ctx, info, clientID)
	if me := asClientMetadataError(err); me != nil {
		return nil, "", pageError("The application's client ID Metadata Document cannot be used: " + me.reason + ".")
	}
	if errors.Is(err, idp.ErrNotFound) {
		return nil, "", pageError("The application that sent you here is not registered.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("authorize: load client: %w", err)
	}
	if !client.Type.AllowsGrant(idp.GrantAuthorizationCode) {
		return nil, "", pageError("This application cannot sign users in.")
	}
	if sent == "" {
		// OAuth 2.1 §4.1.1: redirect_uri may be omitted only when exactly
		// one is registered.
		if len(client.RedirectURIs) != 1 {
			return nil, "", pageError("The request names no redirect_uri.")
		}
		return client, client.RedirectURIs[0], nil
	}
	if !matchRedirectURI(client, sent) {
		return nil, "", pageError("The redirect_uri is not registered for this application.")
	}
	return client, sent, nil
}

// checkParams performs step (c) on a request whose client and redirect URI
// are valid: every error from here on is an *authzError, redirected. It
// returns the validated request, not yet stored.
func (p *Provider) checkParams(ctx context.Context, a *authorization, v url.Values) error {
	ar := &idp.AuthRequest{
		TenantID: a.info.Tenant.ID, ClientID: a.client.ID, Issuer: a.info.Issuer,
		ResponseMode: "query",
	}
	ar.RedirectURI, _ = param(v, "redirect_uri")
	a.req = ar
	// state first, so that every later error can echo it.
	state, rep := param(v, "state")
	if !rep {
		ar.State = state
	}
	for _, name := range singleParams {
		if _, rep := param(v, name); rep {
			return errAuthz(errInvalidRequest, "The "+name+" parameter was sent more than once.")
		}
	}
	if len(ar.State) > maxStateLen {
		ar.State = ""
		return errAuthz(errInvalidRequest, "The state parameter is too long.")
	}
	switch rt, _ := param(v, "response_type"); rt {
	case "":
		return errAuthz(errInvalidRequest, "The response_type parameter is missing.")
	case "code":
	default:
		// RFC 9700 §2.1.2: no implicit or hybrid flows.
		return errAuthz(errUnsupportedResponseType, "Only response_type=code is supported.")
	}
	if rm, _ := param(v, "response_mode"); rm != "" && rm != "query" {
		return errAuthz(errInvalidRequest, "Only response_mode=query is supported.")
	}
	// OIDC Core §6: request objects are not supported, and say so rather
	// than ignoring them (discovery publishes the same).
	if x, _ := param(v, "request"); x != "" {
		return errAuthz(errRequestNotSupported, "Request objects are not supported.")
	}
	if x, _ := param(v, "request_uri"); x != "" {
		return errAuthz(errRequestURINotSupported, "The request_uri parameter is not supported.")
	}
	if ar.State == "" {
		// PRODUCT §3: state is required, as CSRF protection for clients
		// that do not use PKCE (RFC 9700 §2.1).
		return errAuthz(errInvalidRequest, "The state parameter is required.")
	}
	rawScope, _ := param(v, "scope")
	scopes, ok := parseScope(rawScope)
	if !ok {
		return errAuthz(errInvalidScope, "The scope parameter holds invalid characters.")
	}
	if err := checkPKCE(a.client, v, ar); err != nil {
		return err
	}
	if err := checkPrompt(v, ar); err != nil {
		return err
	}
	ar.Nonce, _ = param(v, "nonce")
	ar.LoginHint, _ = param(v, "login_hint")
	if len(ar.Nonce) > maxNonceLen || len(ar.LoginHint) > maxHintLen {
		return errAuthz(errInvalidRequest, "The nonce or login_hint parameter is too long.")
	}
	// audience is the hosted service's one-value spelling of RFC 8707
	// resource; both at once is ambiguous (the token endpoint agrees).
	resources := v["resource"]
	if aud, _ := param(v, "audience"); aud != "" {
		if len(resources) > 0 {
			return errAuthz(errInvalidRequest, "Send either resource or audience, not both.")
		}
		resources = []string{aud}
	}
	if err := p.checkResources(ctx, a, resources, scopes); err != nil {
		return err
	}
	// PRODUCT §3 requires openid, except for a request that is only for
	// derived resource servers (an MCP client asks for plain OAuth access
	// to the MCP endpoint, RFC 6749 §3.3, and needs no ID token).
	if !slices.Contains(scopes, scopeOpenID) && !p.onlyDerived(a.info, a.req.Resource) {
		return errAuthz(errInvalidScope, "The openid scope is required.")
	}
	ar.Scope = allowedScopes(a.client, scopes, a.resources)
	if hint, _ := param(v, "id_token_hint"); hint != "" {
		sub, err := p.idTokenHintSubject(ctx, a.info, a.client, hint)
		if err != nil {
			return err
		}
		a.hintSubject = sub
	}
	return nil
}

// checkPKCE enforces RFC 7636 as profiled by OAuth 2.1 §4.1.1 and RFC 9700
// §2.1.1: S256 only (an absent method means plain, so it is refused), a
// well-formed challenge, and a challenge always for public clients.
func checkPKCE(client *idp.Client, v url.Values, ar *idp.AuthRequest) error {
	challenge, _ := param(v, "code_challenge")
	method, _ := param(v, "code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return errAuthz(errInvalidRequest, "code_challenge_method was sent without code_challenge.")
	case challenge == "" && client.Public():
		return errAuthz(errInvalidRequest, "PKCE is required: send code_challenge with code_challenge_method=S256.")
	case challenge == "":
		return nil
	case method != pkceS256:
		return errAuthz(errInvalidRequest, "Only code_challenge_method=S256 is supported.")
	case !validCodeChallenge(challenge):
		return errAuthz(errInvalidRequest, "The code_challenge must be 43 base64url characters (RFC 7636 S256).")
	}
	ar.CodeChallenge, ar.CodeChallengeMethod = challenge, method
	return nil
}

// checkPrompt validates prompt (OIDC Core §3.1.2.1: space-delimited, none
// alone) and max_age (non-negative seconds).
func checkPrompt(v url.Values, ar *idp.AuthRequest) error {
	raw, _ := param(v, "prompt")
	for _, pr := range strings.Split(raw, " ") {
		if pr == "" || slices.Contains(ar.Prompt, pr) {
			continue
		}
		if !slices.Contains(promptValues, pr) {
			return errAuthz(errInvalidRequest, "The prompt parameter holds an unsupported value.")
		}
		ar.Prompt = append(ar.Prompt, pr)
	}
	if slices.Contains(ar.Prompt, promptNone) && len(ar.Prompt) > 1 {
		return errAuthz(errInvalidRequest, "prompt=none cannot be combined with other prompt values.")
	}
	if raw, _ := param(v, "max_age"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || strings.HasPrefix(raw, "+") {
			return errAuthz(errInvalidRequest, "max_age must be a non-negative number of seconds.")
		}
		ar.MaxAge = &n
	}
	return nil
}

// checkResources validates resource indicators (RFC 8707 §2) and the
// audience parameter: each must be an absolute URI without a fragment that
// names a derived or stored resource server of this tenant, else
// invalid_target. It sets a.req.Resource and a.resources (when none is
// named: the client's default resource server, else the derived one the
// requested scopes are for, so that its scopes can be requested).
func (p *Provider) checkResources(ctx context.Context, a *authorization, resources, scopes []string) error {
	var ids []string
	for _, res := range resources {
		if res != "" && !slices.Contains(ids, res) {
			ids = append(ids, res)
		}
	}
	if len(ids) > maxAuthzResources {
		return errAuthz(errInvalidTarget, "Too many resources were requested.")
	}
	rs, err := p.resourceServers(ctx, a.info, a.client, ids)
	if err != nil {
		return err
	}
	if len(ids) == 0 && len(rs) == 0 {
		// A request with only the scopes of one derived resource server
		// (the MCP endpoint) and no resource is for that server: its
		// identifier becomes the requested resource, so the code and the
		// tokens carry it as audience (issue 4; RFC 8707 §2 lets the
		// server pick a default audience).
		if d := p.derivedForScopes(a.info, scopes); d != nil {
			ids, rs = []string{d.Identifier}, []*idp.ResourceServer{d}
		}
	}
	a.req.Resource, a.resources = ids, rs
	return nil
}

// resourceServers loads the resource servers named by ids, or the client's
// default resource server when ids is empty (it is ignored if it no longer
// exists). A missing or malformed identifier is invalid_target.
func (p *Provider) resourceServers(ctx context.Context, info *tenant.Info, client *idp.Client, ids []string) ([]*idp.ResourceServer, error) {
	if len(ids) == 0 {
		if client.DefaultResourceServer == "" {
			return nil, nil
		}
		rs, err := p.lookupResource(ctx, info, client.DefaultResourceServer)
		if errors.Is(err, idp.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("authorize: load default resource server: %w", err)
		}
		return []*idp.ResourceServer{rs}, nil
	}
	var out []*idp.ResourceServer
	for _, id := range ids {
		u, err := url.Parse(id)
		if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") || strings.Contains(id, "#") {
			return nil, errAuthz(errInvalidTarget, "A resource must be an absolute URI without a fragment.")
		}
		rs, err := p.lookupResource(ctx, info, id)
		if errors.Is(err, idp.ErrNotFound) {
			return nil, errAuthz(errInvalidTarget, "A requested resource is not known.")
		}
		if err != nil {
			return nil, fmt.Errorf("authorize: load resource server: %w", err)
		}
		out = append(out, rs)
	}
	return out, nil
}
