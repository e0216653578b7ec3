package mcp

// Tool registration API shared by every tools_*.go file. A tool file adds
// its tools in a register…Tools(srv) method with addTool; registerTools
// (tools.go) calls each of those.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/bearer"
	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/tenant"
)

// MCP scopes (the contract of issue 4): every user of the admin tenant may
// be granted all three; what a caller may actually do is decided by their
// account role in internal/manage.
const (
	// ScopeRead allows the read tools.
	ScopeRead = "mcp:read"
	// ScopeWrite allows the create and update tools.
	ScopeWrite = "mcp:write"
	// ScopeAdmin allows destructive or security-sensitive tools.
	ScopeAdmin = "mcp:admin"
)

// Scopes are the MCP scopes, weakest first.
var Scopes = []string{ScopeRead, ScopeWrite, ScopeAdmin}

// toolDef describes one tool: its name, model-facing description, the
// scope it needs and its kind.
type toolDef struct {
	Name, Title, Description string
	// Scope is ScopeRead, ScopeWrite or ScopeAdmin; the HTTP layer refuses
	// a tools/call without it (403 insufficient_scope) before the tool runs.
	Scope string
	// ReadOnly, Destructive and Idempotent become the tool's annotations
	// (hints to the client; never relied on for authorization).
	ReadOnly, Destructive, Idempotent bool
}

// call is one tool invocation: the caller's context (the manage actor is
// already inside ctx) and helpers.
type call struct {
	ctx    context.Context
	server *Server
	info   *tenant.Info
	claims *bearer.Claims
}

// tenant returns the tenant a tool works on: explicit when the model named
// one, else the caller's selected tenant (select_tenant), else an error
// telling the model what to do.
func (c *call) tenant(explicit string) (string, error) {
	if id := strings.TrimSpace(explicit); id != "" {
		return id, nil
	}
	id, err := c.server.manage.SelectedTenant(c.ctx)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", errNoTenant
	}
	return id, nil
}

// errNoTenant is the tool error for a call that needs a tenant when none
// was named and none is selected.
var errNoTenant = toolError("No tenant given and none selected. Call list_tenants to see the tenants you can manage, then select_tenant with one of their ids (or pass tenant_id to this tool).")

// dryRunCtx returns the context a write runs in: with dryRun the manage
// operation validates and authorizes everything but stores nothing.
func (c *call) dryRunCtx(dryRun bool) context.Context {
	if dryRun {
		return manage.WithDryRun(c.ctx)
	}
	return c.ctx
}

// toolError is an error whose text is written for the model and shown as
// it is.
type toolError string

func (e toolError) Error() string { return string(e) }

// needConfirm is the tool error of a destructive tool called without
// confirm: true.
func needConfirm(what string) error {
	return toolError("This will " + what + ". It cannot be undone. Ask the user to confirm, then call this tool again with confirm: true.")
}

// summarizer is implemented by outputs that have a one-line summary for
// the text content of the result.
type summarizer interface{ summary() string }

// addTool registers a typed tool: the input and output schemas come from
// the Go types (jsonschema tags give the property descriptions; fields
// without omitempty are required). fn runs with the caller's actor in the
// call's context; its errors become tool results with IsError set and a
// message the model can act on (never internal text).
func addTool[In, Out any](s *Server, srv *mcpsdk.Server, d toolDef, fn func(c *call, in In) (Out, error)) {
	switch d.Scope {
	case ScopeRead, ScopeWrite, ScopeAdmin:
	default:
		panic("mcp: tool " + d.Name + " has no valid scope")
	}
	if _, dup := s.toolScopes[d.Name]; dup {
		panic("mcp: tool " + d.Name + " registered twice")
	}
	s.toolScopes[d.Name] = d.Scope
	destructive := d.Destructive
	closed := false
	t := &mcpsdk.Tool{
		Name:        d.Name,
		Title:       d.Title,
		Description: d.Description,
		Annotations: &mcpsdk.ToolAnnotations{
			Title:           d.Title,
			ReadOnlyHint:    d.ReadOnly,
			DestructiveHint: &destructive,
			IdempotentHint:  d.Idempotent,
			// The tools act on this server only, never on the open web.
			OpenWorldHint: &closed,
		},
	}
	mcpsdk.AddTool(srv, t, func(ctx context.Context, req *mcpsdk.CallToolRequest, in In) (*mcpsdk.CallToolResult, Out, error) {
		var zero Out
		rc, ok := callerFrom(ctx)
		if !ok || !rc.claims.HasScope(d.Scope) {
			// The HTTP layer answers 403 before this point; reaching here
			// means a wiring bug, never a grant.
			return nil, zero, toolError("This tool needs the " + d.Scope + " scope.")
		}
		c := &call{ctx: rc.ctx, server: s, info: rc.info, claims: rc.claims}
		out, err := fn(c, in)
		if err != nil {
			return nil, zero, s.toolErr(ctx, d.Name, err)
		}
		res := &mcpsdk.CallToolResult{}
		if sm, ok := any(out).(summarizer); ok {
			// The text content is the summary and the JSON of the
			// structured content, for clients that only read text (MCP
			// 2025-06-18 server/tools, "Structured Content").
			js, err := marshalJSON(out)
			if err != nil {
				return nil, zero, s.toolErr(ctx, d.Name, err)
			}
			res.Content = []mcpsdk.Content{&mcpsdk.TextContent{Text: sm.summary()}, &mcpsdk.TextContent{Text: js}}
		}
		return res, out, nil
	})
}

// toolErr turns an error of a tool into the message the model sees. Domain
// errors keep their safe text (validation messages are the same as the
// REST API's, SECURITY-TESTS 45); anything else is logged and answered
// with a generic message.
func (s *Server) toolErr(ctx context.Context, tool string, err error) error {
	var te toolError
	var ve *idp.ValidationError
	switch {
	case errors.As(err, &te):
		return te
	case errors.As(err, &ve):
		// Sanitised as the REST API's error_description is, so that both
		// surfaces show the same bytes.
		return toolError(fmt.Sprintf("Invalid input: %s. Correct it and call %s again.", httpx.SanitizeDescription(ve.Error()), tool))
	case errors.Is(err, idp.ErrNotFound):
		return toolError("Not found: no such object in a tenant you can manage. Check the id (list tools show the ids you can use).")
	case errors.Is(err, idp.ErrForbidden):
		// The same refusal as the REST API's 403: a viewer writing, or an
		// object no one may change (the admin tenant, built-in objects).
		return toolError("Denied: you may not do this. Viewers of an account can only read its tenants (ask an owner or admin of the account to do it or to change your role); the admin tenant and built-in objects cannot be changed or deleted by anyone.")
	case errors.Is(err, idp.ErrConflict):
		return toolError("Conflict: an object with this id or identifier already exists. Choose another or fetch the existing one.")
	case errors.Is(err, keys.ErrRotationPending):
		return toolError("The staged key has not been published long enough for relying parties to have fetched it. Try again later, or rotate with immediate: true.")
	case errors.Is(err, idp.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return toolError("The service is temporarily unavailable. Try again in a moment.")
	}
	s.log.ErrorContext(ctx, "mcp: tool failed", "tool", tool, "err", err)
	return toolError("An internal error occurred. Try again; if it persists, report it to the Authalla operator.")
}

// pageArgs are the paging inputs of list tools.
type pageArgs struct {
	Limit  int `json:"limit,omitempty" jsonschema:"Items per page: default 50, at most 200."`
	Offset int `json:"offset,omitempty" jsonschema:"Items to skip, for the next page: the previous offset plus limit."`
}

// page is the manage page of p (manage clamps and validates it).
func (p pageArgs) page() idp.Page { return idp.Page{Limit: p.Limit, Offset: p.Offset} }
