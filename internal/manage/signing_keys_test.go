package manage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
)

// TestSigningKeyLifecycle: stage, activate and retire pass the tenant's
// algorithm and the caller's force through, strip private parts and leave
// audit records (success and failure) naming the key.
func TestSigningKeyLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())

	k, err := f.svc.StageSigningKey(ctx, "tenant-a", "")
	if err != nil || k.ID != "kid-staged-RS256" || k.PrivateEnc != nil {
		t.Fatalf("stage with the tenant's alg: %+v %v", k, err)
	}
	if e := f.lastAudit(t, "tenant-a", "signing_key.stage"); e.ObjectID != k.ID || e.Details["alg"] != "RS256" || e.Outcome != "success" {
		t.Fatalf("stage audit %+v", e)
	}
	if k, err := f.svc.StageSigningKey(ctx, "tenant-a", "ES256"); err != nil || k.Alg != "ES256" {
		t.Fatalf("stage ES256: %+v %v", k, err)
	}

	if _, err := f.svc.ActivateSigningKey(ctx, "tenant-a", k.ID, false); !errors.Is(err, keys.ErrRotationPending) || !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("activate too early: %v", err)
	}
	if e := f.lastAudit(t, "tenant-a", "signing_key.activate"); e.Outcome != "failure" || e.ObjectID != k.ID {
		t.Fatalf("refused activate audit %+v", e)
	}
	f.clock.Advance(time.Second) // audit events are listed newest first
	res, err := f.svc.ActivateSigningKey(ctx, "tenant-a", k.ID, true)
	if err != nil || res.Activated.ID != k.ID || res.Activated.PrivateEnc != nil || res.Retired.PrivateEnc != nil {
		t.Fatalf("forced activate: %+v %v", res, err)
	}
	if e := f.lastAudit(t, "tenant-a", "signing_key.activate"); e.Outcome != "success" || e.Details["force"] != "true" || e.Details["retired"] != "kid-tenant-a" {
		t.Fatalf("activate audit %+v", e)
	}

	if _, err := f.svc.RetireSigningKey(ctx, "tenant-a", "kid-tenant-a"); !errors.Is(err, keys.ErrKeyActive) {
		t.Fatalf("retire active: %v", err)
	}
	r, err := f.svc.RetireSigningKey(ctx, "tenant-a", "kid-staged-ES256")
	if err != nil || !r.Removed || r.Key.PrivateEnc != nil {
		t.Fatalf("retire staged: %+v %v", r, err)
	}
	if e := f.lastAudit(t, "tenant-a", "signing_key.retire"); e.Outcome != "success" || e.ObjectID != "kid-staged-ES256" || e.Details["removed"] != "true" {
		t.Fatalf("retire audit %+v", e)
	}

	f.clock.Advance(time.Second)
	viewer := userIn(f.accA, idp.RoleViewer)
	if _, err := f.svc.RetireSigningKey(viewer, "tenant-a", k.ID); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("viewer retire: %v", err)
	}
	if e := f.lastAudit(t, "tenant-a", "signing_key.retire"); e.Outcome != "failure" || e.ActorID != "usr_viewer" {
		t.Fatalf("denied retire audit %+v", e)
	}
}
