package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func testAudit(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	event := func(tenantID, id, action, actor string, at time.Time) *idp.AuditEvent {
		return &idp.AuditEvent{TenantID: tenantID, ID: id, Time: at, ActorType: "user", ActorID: actor,
			Action: action, ObjectType: "client", ObjectID: clientID, Outcome: "success",
			RequestID: "req-" + id, ClientIP: "192.0.2.1"}
	}
	e1 := event(tenantA, "ev-1", "client.create", "admin-1", t0)
	e1.Details = map[string]string{"name": "App", "type": "web"}
	e2 := event(tenantA, "ev-2", "client.update", "admin-2", t0.Add(time.Minute))
	e3 := event(tenantA, "ev-3", "client.create", "admin-2", t0.Add(2*time.Minute))
	t.Run("AppendList", func(t *testing.T) {
		for _, e := range []*idp.AuditEvent{e1, e2, e3} {
			must(t, s.AppendAudit(ctx, e))
		}
		got, total, err := s.ListAudit(ctx, tenantA, idp.AuditQuery{})
		must(t, err)
		wantEqual(t, got, []idp.AuditEvent{*e3, *e2, *e1}) // newest first
		wantEqual(t, total, 3)
	})
	t.Run("Conflict", func(t *testing.T) {
		wantErr(t, s.AppendAudit(ctx, e1), idp.ErrConflict)
	})
	t.Run("UnknownTenant", func(t *testing.T) {
		wantErr(t, s.AppendAudit(ctx, event("no-such-tenant", "ev-x", "x", "y", t0)), idp.ErrNotFound)
	})
	t.Run("Filters", func(t *testing.T) {
		cases := []struct {
			name  string
			q     idp.AuditQuery
			want  []string
			total int
		}{
			{"action", idp.AuditQuery{Action: "client.create"}, []string{"ev-3", "ev-1"}, 2},
			{"actor", idp.AuditQuery{ActorID: "admin-2"}, []string{"ev-3", "ev-2"}, 2},
			{"since inclusive", idp.AuditQuery{Since: ptr(t0.Add(time.Minute))}, []string{"ev-3", "ev-2"}, 2},
			{"until exclusive", idp.AuditQuery{Until: ptr(t0.Add(time.Minute))}, []string{"ev-1"}, 1},
			{"window", idp.AuditQuery{Since: ptr(t0), Until: ptr(t0.Add(2 * time.Minute)), ActorID: "admin-2"}, []string{"ev-2"}, 1},
			{"page", idp.AuditQuery{Page: idp.Page{Limit: 1, Offset: 1}}, []string{"ev-2"}, 3},
			{"none", idp.AuditQuery{Action: "user.delete"}, nil, 0},
		}
		for _, c := range cases {
			got, total, err := s.ListAudit(ctx, tenantA, c.q)
			must(t, err)
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if !equalStrings(ids, c.want) || total != c.total {
				t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, ids, total, c.want, c.total)
			}
		}
	})
	t.Run("CrossTenant", func(t *testing.T) {
		got, total, err := s.ListAudit(ctx, tenantB, idp.AuditQuery{})
		must(t, err)
		if len(got) != 0 || total != 0 {
			t.Fatalf("tenant B sees %v", got)
		}
		// The same event id may exist in tenant B.
		must(t, s.AppendAudit(ctx, event(tenantB, "ev-1", "client.create", "admin-1", t0)))
		_, total, err = s.ListAudit(ctx, tenantA, idp.AuditQuery{})
		must(t, err)
		wantEqual(t, total, 3)
	})
	t.Run("PageLimits", func(t *testing.T) {
		const n = 201
		for i := 0; i < n; i++ {
			must(t, s.AppendAudit(ctx, event("tenant-b", fmt.Sprintf("bulk-%03d", i), "bulk", "cli", t0.Add(time.Duration(i)*time.Second))))
		}
		q := idp.AuditQuery{Action: "bulk"}
		got, total, err := s.ListAudit(ctx, tenantB, q)
		must(t, err)
		wantEqual(t, total, n)
		wantEqual(t, len(got), 50) // Limit <= 0 means 50
		wantEqual(t, got[0].ID, "bulk-200")
		q.Limit = 1000
		got, _, err = s.ListAudit(ctx, tenantB, q)
		must(t, err)
		wantEqual(t, len(got), 200) // capped
		q.Limit, q.Offset = 10, 195
		got, _, err = s.ListAudit(ctx, tenantB, q)
		must(t, err)
		wantEqual(t, len(got), 6)
		wantEqual(t, got[5].ID, "bulk-000")
	})
}
