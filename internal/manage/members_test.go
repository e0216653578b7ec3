package manage

import (
	"context"
	"errors"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestAccountMembers(t *testing.T) {
	f := newFixture(t)
	owner := WithActor(context.Background(), Actor{Type: ActorUser, ID: f.boot.AdminUser.ID,
		Memberships: []idp.AccountMember{{AccountID: f.accA, UserID: f.boot.AdminUser.ID, Role: idp.RoleOwner}}})
	m, err := f.svc.AddAccountMember(owner, f.accA, " Helper@Example.com ", idp.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	if m.User.Email != "helper@example.com" || m.User.TenantID != f.boot.AdminTenant.ID {
		t.Fatalf("member = %+v", m.User)
	}
	ms, err := f.svc.AccountMembers(userIn(f.accA, idp.RoleViewer), f.accA)
	if err != nil || len(ms) != 2 || ms[0].Role != idp.RoleOwner || ms[1].User.ID != m.User.ID {
		t.Fatalf("members = %+v, %v", ms, err)
	}
	cases := []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"admin may not", userIn(f.accA, idp.RoleAdmin), idp.ErrForbidden},
		{"viewer may not", userIn(f.accA, idp.RoleViewer), idp.ErrForbidden},
		{"other account sees nothing", userIn(f.accB, idp.RoleOwner), idp.ErrNotFound},
		{"machine token", WithActor(context.Background(), Actor{Type: ActorClient, ID: "c", TenantID: "tenant-a"}), idp.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.AddAccountMember(tc.ctx, f.accA, "x@example.com", idp.RoleOwner); !errors.Is(err, tc.want) {
				t.Fatalf("add: %v, want %v", err, tc.want)
			}
			if err := f.svc.RemoveAccountMember(tc.ctx, f.accA, m.User.ID); !errors.Is(err, tc.want) {
				t.Fatalf("remove: %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := f.svc.AddAccountMember(owner, f.accA, "y@example.com", "root"); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("bad role: %v", err)
	}
	// The last owner stays.
	if err := f.svc.RemoveAccountMember(owner, f.accA, f.boot.AdminUser.ID); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("removing the last owner: %v, want invalid", err)
	}
	if _, err := f.svc.AddAccountMember(owner, f.accA, f.boot.AdminUser.Email, idp.RoleAdmin); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("demoting the last owner: %v, want invalid", err)
	}
	if err := f.svc.RemoveAccountMember(owner, f.accA, m.User.ID); err != nil {
		t.Fatal(err)
	}
	if ms, _ := f.svc.AccountMembers(owner, f.accA); len(ms) != 1 {
		t.Fatalf("after removal: %d members", len(ms))
	}
	if !hasAudit(f.audits(t, f.boot.AdminTenant.ID), func(e idp.AuditEvent) bool {
		return e.Action == "account.member.remove" && e.Details["user_id"] == m.User.ID && e.ActorID == f.boot.AdminUser.ID
	}) {
		t.Fatal("the removal is not audited")
	}
}
