package mcp

// User tools: create_user, list_users, update_user and suspend_user, each
// over one manage operation (the REST API's rules and field names).

import (
	"fmt"
	"strings"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

// userView is a user as the REST API shows it, led by its tenant.
type userView struct {
	TenantID string `json:"tenant_id"`
	view.User
}

func viewUser(u *idp.User) userView {
	return userView{TenantID: u.TenantID, User: view.NewUser(u)}
}

func (s *Server) registerUserTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name:  "create_user",
		Title: "Create a user",
		Description: `Create a user in the tenant, identified by email (unique per tenant). The user signs in with the tenant's login methods (e.g. a one-time code sent to that email); no password is set here.
Use it to invite a user or to create a test user for a new integration. Returns the user with its id. Set dry_run to preview.`,
		Scope: ScopeWrite,
	}, s.createUser)

	addTool(s, srv, toolDef{
		Name:  "list_users",
		Title: "List or search users",
		Description: `List the tenant's users, or search them with a case-insensitive substring of the email or name (a whole email address matches that address only). Use limit (default 50, at most 200) and offset to page; total is the number of matches.
Use it to find a user's id for update_user or suspend_user.`,
		Scope: ScopeRead, ReadOnly: true, Idempotent: true,
	}, s.listUsers)

	addTool(s, srv, toolDef{
		Name:  "update_user",
		Title: "Update a user",
		Description: `Change a user's email, name, picture URL, email_verified flag or status (active or inactive). Only the fields you pass change; a new email is unverified unless you also set email_verified. To block a user use suspend_user (it also ends their sessions); setting status "active" lifts a suspension.
Returns the user after the change and the changed fields. Set dry_run to preview.`,
		Scope: ScopeWrite, Idempotent: true,
	}, s.updateUser)

	addTool(s, srv, toolDef{
		Name:  "suspend_user",
		Title: "Suspend a user",
		Description: `Suspend a user: they can no longer sign in, every browser session of theirs ends and every refresh and access token issued to them is revoked, in every application of the tenant. Lift it with update_user status "active" (sessions and tokens stay revoked).
Only call it after the user of this assistant agreed, with confirm: true (dry_run: true previews without confirm).`,
		Scope: ScopeAdmin, Destructive: true, Idempotent: true,
	}, s.suspendUser)
}

// createUserIn is create_user's input.
type createUserIn struct {
	Email         string `json:"email" jsonschema:"The user's email address (unique in the tenant)."`
	Name          string `json:"name,omitempty" jsonschema:"Display name."`
	EmailVerified bool   `json:"email_verified,omitempty" jsonschema:"Mark the email as verified (only when you know it belongs to the user)."`
	TenantID      string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun        bool   `json:"dry_run,omitempty" jsonschema:"Validate and show the user that would be created, without creating it."`
}

// userOut is the answer of a user write.
type userOut struct {
	User    userView      `json:"user"`
	Changes []fieldChange `json:"changes,omitempty" jsonschema:"For updates: each field that changed (or, in a dry run, would change)."`
	DryRun  bool          `json:"dry_run,omitempty"`
	verb    string
}

func (o userOut) summary() string {
	s := fmt.Sprintf("User %s (%s) %s.", o.User.ID, o.User.Email, o.verb)
	if len(o.Changes) > 0 {
		var fs []string
		for _, c := range o.Changes {
			fs = append(fs, c.Field)
		}
		s += " Fields: " + strings.Join(fs, ", ") + "."
	}
	if o.DryRun {
		s += " " + dryRunNote
	}
	return s
}

func (s *Server) createUser(c *call, in createUserIn) (userOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return userOut{}, err
	}
	u, err := s.manage.CreateUser(c.dryRunCtx(in.DryRun), tid, manage.UserInput{Email: in.Email, Name: in.Name, EmailVerified: in.EmailVerified})
	if err != nil {
		return userOut{}, err
	}
	out := userOut{User: viewUser(u), DryRun: in.DryRun, verb: "created"}
	if in.DryRun {
		out.verb = "would be created"
	}
	return out, nil
}

// listUsersIn is list_users' input.
type listUsersIn struct {
	Search   string `json:"search,omitempty" jsonschema:"Case-insensitive part of the email or name; omit to list everyone."`
	Limit    int    `json:"limit,omitempty" jsonschema:"How many to return (default 50, at most 200)."`
	Offset   int    `json:"offset,omitempty" jsonschema:"How many to skip."`
	TenantID string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
}

// usersOut is list_users' answer (REST's list shape).
type usersOut struct {
	Users  []userView `json:"users"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

func (o usersOut) summary() string {
	return fmt.Sprintf("%d of %d matching user(s) from offset %d.", len(o.Users), o.Total, o.Offset)
}

func (s *Server) listUsers(c *call, in listUsersIn) (usersOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return usersOut{}, err
	}
	us, total, err := s.manage.ListUsers(c.ctx, tid, idp.UserQuery{Search: in.Search, Page: idp.Page{Limit: in.Limit, Offset: in.Offset}})
	if err != nil {
		return usersOut{}, err
	}
	out := usersOut{Users: []userView{}, Total: total, Limit: effectiveLimit(in.Limit), Offset: in.Offset}
	for i := range us {
		out.Users = append(out.Users, viewUser(&us[i]))
	}
	return out, nil
}

// updateUserIn is update_user's input: nil fields stay as they are.
type updateUserIn struct {
	UserID        string  `json:"user_id" jsonschema:"The user's id (from list_users)."`
	Email         *string `json:"email,omitempty" jsonschema:"New email address."`
	Name          *string `json:"name,omitempty" jsonschema:"New display name."`
	Picture       *string `json:"picture,omitempty" jsonschema:"https URL of a profile picture; empty string removes it."`
	EmailVerified *bool   `json:"email_verified,omitempty" jsonschema:"Whether the email is verified."`
	Status        *string `json:"status,omitempty" jsonschema:"active or inactive (use suspend_user to suspend)."`
	TenantID      string  `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun        bool    `json:"dry_run,omitempty" jsonschema:"Validate and show the change without making it."`
}

func (s *Server) updateUser(c *call, in updateUserIn) (userOut, error) {
	// Suspension ends sessions and revokes tokens: it is suspend_user's,
	// which needs mcp:admin and confirm, not a field edit under mcp:write.
	if in.Status != nil && strings.TrimSpace(*in.Status) == string(idp.UserSuspended) {
		return userOut{}, toolError("To suspend a user call suspend_user (it needs the user's confirmation); update_user sets status active or inactive only.")
	}
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return userOut{}, err
	}
	before, err := s.manage.GetUser(c.ctx, tid, in.UserID)
	if err != nil {
		return userOut{}, err
	}
	p := manage.UserPatch{Email: in.Email, Name: in.Name, Picture: in.Picture, EmailVerified: in.EmailVerified}
	if in.Status != nil {
		st := idp.UserStatus(strings.TrimSpace(*in.Status))
		p.Status = &st
	}
	after, err := s.manage.UpdateUser(c.dryRunCtx(in.DryRun), tid, in.UserID, p)
	if err != nil {
		return userOut{}, err
	}
	out := userOut{User: viewUser(after), DryRun: in.DryRun, verb: "updated"}
	out.Changes = diff(viewUser(before), out.User, "updated_at")
	switch {
	case len(out.Changes) == 0:
		out.verb = "unchanged (the values were already set)"
	case in.DryRun:
		out.verb = "would be updated"
	}
	return out, nil
}

// suspendUserIn is suspend_user's input.
type suspendUserIn struct {
	UserID   string `json:"user_id" jsonschema:"The user's id (from list_users)."`
	Confirm  bool   `json:"confirm,omitempty" jsonschema:"Must be true: the user of this assistant agreed to the suspension. Not needed with dry_run."`
	TenantID string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"Check and show the suspension without making it."`
}

func (s *Server) suspendUser(c *call, in suspendUserIn) (userOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return userOut{}, err
	}
	u, err := s.manage.GetUser(c.ctx, tid, in.UserID)
	if err != nil {
		return userOut{}, err
	}
	if !in.Confirm && !in.DryRun {
		// Ask for confirmation only for a suspension that would succeed.
		if _, err := s.manage.SuspendUser(c.dryRunCtx(true), tid, in.UserID); err != nil {
			return userOut{}, err
		}
		return userOut{}, needConfirm(fmt.Sprintf("suspend %s, end all of their sessions and revoke every token issued to them", u.Email))
	}
	after, err := s.manage.SuspendUser(c.dryRunCtx(in.DryRun), tid, in.UserID)
	if err != nil {
		return userOut{}, err
	}
	out := userOut{User: viewUser(after), DryRun: in.DryRun, verb: "suspended; their sessions ended and their tokens were revoked"}
	if in.DryRun {
		out.verb = "would be suspended, their sessions ended and their tokens revoked"
	}
	return out, nil
}
