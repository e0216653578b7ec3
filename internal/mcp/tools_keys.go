package mcp

import (
	"fmt"
	"strings"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
)

// signingKeyView is a signing key's public facts (never private parts).
type signingKeyView struct {
	KeyID       string     `json:"kid,omitempty" jsonschema:"The JWK kid (empty for a key a dry run would create)."`
	Alg         string     `json:"alg"`
	State       string     `json:"state" jsonschema:"staged: published in the JWKS, not signing yet; active: signs new tokens; retired: published until the tokens it signed expire."`
	CreatedAt   time.Time  `json:"created_at"`
	ActivatedAt *time.Time `json:"activated_at,omitempty"`
	RetiredAt   *time.Time `json:"retired_at,omitempty"`
	RemoveAfter *time.Time `json:"remove_after,omitempty" jsonschema:"When a retired key leaves the JWKS."`
}

func viewKey(k *idp.SigningKey) *signingKeyView {
	if k == nil {
		return nil
	}
	return &signingKeyView{KeyID: k.ID, Alg: k.Alg, State: string(k.State), CreatedAt: k.CreatedAt,
		ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, RemoveAfter: k.RemoveAfter}
}

type keysOut struct {
	TenantID string           `json:"tenant_id"`
	Keys     []signingKeyView `json:"signing_keys"`
}

func (o keysOut) summary() string {
	parts := make([]string, len(o.Keys))
	for i, k := range o.Keys {
		parts[i] = fmt.Sprintf("%s %s %s", k.KeyID, k.Alg, k.State)
	}
	return fmt.Sprintf("Tenant %s has %d signing keys: %s.", o.TenantID, len(o.Keys), strings.Join(parts, "; "))
}

type rotateIn struct {
	TenantID  string `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	Immediate bool   `json:"immediate,omitempty" jsonschema:"Sign with a new key at once (after a suspected key compromise). Without it, one step of the staged rotation runs: a new key is published first and starts signing on a later call, once relying parties' cached key sets have it."`
	DryRun    bool   `json:"dry_run,omitempty" jsonschema:"Show what the rotation would do without doing it (no confirm needed)."`
	Confirm   bool   `json:"confirm,omitempty" jsonschema:"Set to true only after the user agreed."`
}

type rotateOut struct {
	TenantID  string          `json:"tenant_id"`
	DryRun    bool            `json:"dry_run,omitempty"`
	Staged    *signingKeyView `json:"staged,omitempty" jsonschema:"The key published by this step, not signing yet."`
	Activated *signingKeyView `json:"activated,omitempty" jsonschema:"The key that now signs new tokens."`
	Retired   *signingKeyView `json:"retired,omitempty" jsonschema:"The previous key: still published until its tokens expire."`
}

func (o rotateOut) summary() string {
	var steps []string
	if o.Staged != nil {
		steps = append(steps, "a new "+o.Staged.Alg+" key is published (not signing yet)")
	}
	if o.Activated != nil {
		steps = append(steps, "key "+nameOr(o.Activated.KeyID, "(new)")+" signs new tokens")
	}
	if o.Retired != nil {
		steps = append(steps, "key "+o.Retired.KeyID+" is retired and stays published until its tokens expire")
	}
	s := fmt.Sprintf("Rotation of tenant %s: %s.", o.TenantID, strings.Join(steps, "; "))
	if o.DryRun {
		return "Dry run, nothing was changed: " + s
	}
	if o.Activated == nil {
		s += " Call rotate_signing_keys again later to activate it."
	}
	return s
}

func (s *Server) registerKeyTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name: "list_signing_keys", Title: "List signing keys", Scope: ScopeRead, ReadOnly: true, Idempotent: true,
		Description: "Lists a tenant's token-signing keys (public facts only: kid, algorithm, state, dates). The tenant's JWKS publishes the staged, active and retired ones; apps verify tokens with it. Use rotate_signing_keys to rotate.",
	}, s.listKeys)
	addTool(s, srv, toolDef{
		Name: "rotate_signing_keys", Title: "Rotate signing keys", Scope: ScopeAdmin, Destructive: true,
		Description: "Rotates a tenant's token-signing key. By default one safe step runs: a new key is published first and activated on a later call once relying parties' caches have it. immediate: true switches at once (for a suspected compromise; apps with a stale key cache may reject new tokens for a while). Requires confirm: true after the user agreed; dry_run: true shows the plan. Returns the keys staged, activated and retired.",
	}, s.rotateKeys)
}

func (s *Server) listKeys(c *call, in tenantIn) (keysOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return keysOut{}, err
	}
	ks, err := s.manage.ListSigningKeys(c.ctx, id)
	if err != nil {
		return keysOut{}, err
	}
	out := keysOut{TenantID: id, Keys: make([]signingKeyView, len(ks))}
	for i := range ks {
		out.Keys[i] = *viewKey(&ks[i])
	}
	return out, nil
}

func (s *Server) rotateKeys(c *call, in rotateIn) (rotateOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return rotateOut{}, err
	}
	if !in.Confirm && !in.DryRun {
		what := "publish a new signing key for tenant " + id + " (it starts signing on a later call)"
		if in.Immediate {
			what = "make a new key sign tenant " + id + "'s tokens at once; apps with a cached key set may reject new tokens until they refresh it"
		}
		return rotateOut{}, needConfirm(what)
	}
	res, err := s.manage.RotateSigningKey(c.dryRunCtx(in.DryRun), id, in.Immediate)
	if err != nil {
		return rotateOut{}, err
	}
	return rotateOut{TenantID: id, DryRun: in.DryRun, Staged: viewKey(res.Staged), Activated: viewKey(res.Activated), Retired: viewKey(res.Retired)}, nil
}
