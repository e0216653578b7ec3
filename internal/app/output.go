package app

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
)

// output is what a command prints: a JSON value for --json and a human
// rendering.
type output struct {
	json  any
	human func(w io.Writer)
}

func (o *output) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(o.json)
	}
	if o.human != nil {
		o.human(w)
	}
	return nil
}

// listJSON is the shape of every list: the management API's shape.
type listJSON struct {
	Items  any `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

type tenantJSON struct {
	ID                 string     `json:"id"`
	Issuer             string     `json:"issuer"`
	Name               string     `json:"name"`
	AccountID          string     `json:"account_id,omitempty"`
	Admin              bool       `json:"admin,omitempty"`
	Status             string     `json:"status"`
	SuspendedAt        *time.Time `json:"suspended_at,omitempty"`
	AllowRegistration  bool       `json:"allow_registration"`
	AuthMethods        []string   `json:"auth_methods"`
	AllowedOrigins     []string   `json:"allowed_origins"`
	SigningAlg         string     `json:"signing_alg"`
	AccessTokenTTL     int        `json:"access_token_ttl"`
	IDTokenTTL         int        `json:"id_token_ttl"`
	RefreshTokenTTL    int        `json:"refresh_token_ttl"`
	RefreshAbsoluteTTL int        `json:"refresh_absolute_ttl"`
	SessionTTL         int        `json:"session_ttl"`
	SessionIdleTTL     int        `json:"session_idle_ttl"`
	EmailFromName      string     `json:"email_from_name,omitempty"`
	EmailFromAddress   string     `json:"email_from_address,omitempty"`
	DefaultLanguage    string     `json:"default_language"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

func tenantView(t *manage.TenantResult) tenantJSON {
	return tenantJSON{
		ID: t.ID, Issuer: t.Issuer, Name: t.Name, AccountID: t.AccountID, Admin: t.Admin,
		Status: string(t.Status), SuspendedAt: t.SuspendedAt,
		AllowRegistration: t.AllowRegistration, AuthMethods: nonNil(t.AuthMethods),
		AllowedOrigins: nonNil(t.AllowedOrigins), SigningAlg: t.SigningAlg,
		AccessTokenTTL: t.AccessTokenTTL, IDTokenTTL: t.IDTokenTTL,
		RefreshTokenTTL: t.RefreshTokenTTL, RefreshAbsoluteTTL: t.RefreshAbsoluteTTL,
		SessionTTL: t.SessionTTL, SessionIdleTTL: t.SessionIdleTTL,
		EmailFromName: t.EmailFromName, EmailFromAddress: t.EmailFromAddress,
		DefaultLanguage: t.DefaultLanguage, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// tenantStatusText is a tenant's status for people: "suspended since …".
func tenantStatusText(t *idp.Tenant) string {
	if !t.Suspended() {
		return string(idp.TenantActive)
	}
	if t.SuspendedAt == nil {
		return string(idp.TenantSuspended)
	}
	return "suspended since " + t.SuspendedAt.UTC().Format(time.RFC3339)
}

func tenantHuman(t *manage.TenantResult) func(io.Writer) {
	return func(w io.Writer) {
		kv(w,
			"id", t.ID,
			"issuer", t.Issuer,
			"name", t.Name,
			"account", t.AccountID,
			"status", tenantStatusText(t.Tenant),
			"allow registration", yesNo(t.AllowRegistration),
			"login methods", strings.Join(t.AuthMethods, ", "),
			"allowed origins", strings.Join(t.AllowedOrigins, ", "),
			"signing algorithm", t.SigningAlg,
			"access token", seconds(t.AccessTokenTTL),
			"ID token", seconds(t.IDTokenTTL),
			"refresh token", seconds(t.RefreshTokenTTL)+" (absolute "+seconds(t.RefreshAbsoluteTTL)+")",
			"session", seconds(t.SessionTTL)+" (idle "+seconds(t.SessionIdleTTL)+")",
		)
	}
}

type clientJSON struct {
	ID                     string    `json:"id"`
	ClientID               string    `json:"client_id"`
	TenantID               string    `json:"tenant_id"`
	Name                   string    `json:"name"`
	Type                   string    `json:"type"`
	RedirectURIs           []string  `json:"redirect_uris"`
	PostLogoutRedirectURIs []string  `json:"post_logout_redirect_uris"`
	Scopes                 []string  `json:"scopes"`
	RequireConsent         bool      `json:"require_consent"`
	ThirdParty             bool      `json:"third_party,omitempty"`
	DefaultResourceServer  string    `json:"default_resource_server,omitempty"`
	RefreshGraceSeconds    int       `json:"refresh_grace_seconds"`
	ClientSecret           string    `json:"client_secret,omitempty"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

func clientView(c *idp.Client, secret string) clientJSON {
	return clientJSON{
		ID: c.ID, ClientID: c.ID, TenantID: c.TenantID, Name: c.Name, Type: string(c.Type),
		RedirectURIs: nonNil(c.RedirectURIs), PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs),
		Scopes: nonNil(c.Scopes), RequireConsent: c.RequireConsent, ThirdParty: c.ThirdParty,
		DefaultResourceServer: c.DefaultResourceServer, RefreshGraceSeconds: c.RefreshGraceSeconds,
		ClientSecret: secret, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func clientHuman(c *idp.Client, secret string) func(io.Writer) {
	return func(w io.Writer) {
		kv(w,
			"client_id", c.ID,
			"tenant", c.TenantID,
			"name", c.Name,
			"type", string(c.Type),
			"redirect URIs", strings.Join(c.RedirectURIs, " "),
			"logout URIs", strings.Join(c.PostLogoutRedirectURIs, " "),
			"scopes", strings.Join(c.Scopes, " "),
			"require consent", yesNo(c.RequireConsent),
			"default resource server", c.DefaultResourceServer,
		)
		if secret != "" {
			fmt.Fprintf(w, "\nclient_secret: %s\n(shown once: store it now; only a hash is kept)\n", secret)
		}
	}
}

type secretJSON struct {
	ID           string    `json:"id"`
	ClientSecret string    `json:"client_secret,omitempty"`
	Hint         string    `json:"hint"`
	CreatedAt    time.Time `json:"created_at"`
}

type userJSON struct {
	ID            string     `json:"id"`
	TenantID      string     `json:"tenant_id"`
	Email         string     `json:"email"`
	Name          string     `json:"name"`
	Picture       string     `json:"picture,omitempty"`
	EmailVerified bool       `json:"email_verified"`
	Status        string     `json:"status"`
	LastLogin     *time.Time `json:"last_login,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func userView(u *idp.User) userJSON {
	return userJSON{
		ID: u.ID, TenantID: u.TenantID, Email: u.Email, Name: u.Name, Picture: u.Picture,
		EmailVerified: u.EmailVerified, Status: string(u.Status), LastLogin: u.LastLogin,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func userHuman(u *idp.User) func(io.Writer) {
	return func(w io.Writer) {
		last := "never"
		if u.LastLogin != nil {
			last = u.LastLogin.Format(time.RFC3339)
		}
		kv(w, "id", u.ID, "tenant", u.TenantID, "email", u.Email, "name", u.Name,
			"email verified", yesNo(u.EmailVerified), "status", string(u.Status), "last login", last)
	}
}

type scopeJSON struct {
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	GrantedToAll bool   `json:"granted_to_all"`
}

type resourceServerJSON struct {
	ID          string      `json:"id"`
	TenantID    string      `json:"tenant_id"`
	Identifier  string      `json:"identifier"`
	Name        string      `json:"name"`
	ScopePrefix string      `json:"scope_prefix"`
	Scopes      []scopeJSON `json:"scopes"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

func resourceServerView(r *idp.ResourceServer) resourceServerJSON {
	out := resourceServerJSON{ID: r.ID, TenantID: r.TenantID, Identifier: r.Identifier, Name: r.Name,
		ScopePrefix: r.ScopePrefix, Scopes: []scopeJSON{}, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, s := range r.Scopes {
		out.Scopes = append(out.Scopes, scopeJSON{Value: s.Value, Description: s.Description, GrantedToAll: s.GrantedToAll})
	}
	return out
}

func resourceServerHuman(r *idp.ResourceServer) func(io.Writer) {
	return func(w io.Writer) {
		var scopes []string
		for _, s := range r.Scopes {
			scopes = append(scopes, s.Value)
		}
		kv(w, "id", r.ID, "tenant", r.TenantID, "identifier", r.Identifier, "name", r.Name,
			"scope prefix", r.ScopePrefix, "scopes", strings.Join(scopes, " "))
	}
}

type keyJSON struct {
	ID          string     `json:"id"`
	Alg         string     `json:"alg"`
	State       string     `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	ActivatedAt *time.Time `json:"activated_at,omitempty"`
	RetiredAt   *time.Time `json:"retired_at,omitempty"`
	RemoveAfter *time.Time `json:"remove_after,omitempty"`
}

func keyView(k *idp.SigningKey) *keyJSON {
	if k == nil {
		return nil
	}
	return &keyJSON{ID: k.ID, Alg: k.Alg, State: string(k.State), CreatedAt: k.CreatedAt,
		ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, RemoveAfter: k.RemoveAfter}
}

type rotateJSON struct {
	// ID is the key this rotation created or activated.
	ID        string   `json:"id"`
	Staged    *keyJSON `json:"staged,omitempty"`
	Activated *keyJSON `json:"activated,omitempty"`
	Retired   *keyJSON `json:"retired,omitempty"`
}

func rotateView(r *keys.RotateResult) rotateJSON {
	v := rotateJSON{Staged: keyView(r.Staged), Activated: keyView(r.Activated), Retired: keyView(r.Retired)}
	switch {
	case v.Activated != nil:
		v.ID = v.Activated.ID
	case v.Staged != nil:
		v.ID = v.Staged.ID
	}
	return v
}

// kv prints aligned "key  value" lines, skipping empty values.
func kv(w io.Writer, pairs ...string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\n", pairs[i], pairs[i+1])
	}
	tw.Flush()
}

// table prints a header and rows, aligned.
func table(w io.Writer, header []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// seconds renders a lifetime like "900s (15m0s)".
func seconds(n int) string {
	return fmt.Sprintf("%ds (%s)", n, time.Duration(n)*time.Second)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
