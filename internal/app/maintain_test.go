package app

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/changes"
	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// TestMaintain: one maintenance pass activates a staged key once it has
// been published long enough and purges expired login challenges.
func TestMaintain(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	clock := idp.NewFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	d, err := openDeps(ctx, &cfg, newLogger(io.Discard, "error"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sctx := manage.WithActor(ctx, systemActor)
	if _, err := d.manage.Bootstrap(sctx, manage.BootstrapInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.manage.CreateTenant(sctx, manage.TenantInput{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	rot, err := d.manage.RotateSigningKey(sctx, "acme", false)
	if err != nil || rot.Staged == nil {
		t.Fatalf("stage: %+v %v", rot, err)
	}
	expired := &idp.LoginChallenge{TenantID: "acme", ID: "lc_old", Email: "a@example.com",
		PINHash: []byte("p"), LinkHash: []byte("l"), CreatedAt: clock.Now(),
		PINExpiresAt: clock.Now().Add(time.Minute), LinkExpiresAt: clock.Now().Add(time.Minute)}
	if err := d.store.CreateLoginChallenge(ctx, "acme", expired); err != nil {
		t.Fatal(err)
	}

	maintain(ctx, d) // too early: nothing changes
	if state := keyState(t, d, rot.Staged.ID); state != idp.KeyStaged {
		t.Fatalf("staged key is %s before its publish delay", state)
	}
	if _, err := d.store.GetLoginChallenge(ctx, "acme", "lc_old"); err != nil {
		t.Fatalf("a live challenge was purged: %v", err)
	}

	// The scheduled activation is announced on the change bus (so other
	// nodes drop their cached keys without waiting for the key TTL).
	var heard []idp.Change
	d.changes.Subscribe(changes.SubscriberFunc(func(ch idp.Change) { heard = append(heard, ch) }))
	clock.Advance(time.Hour)
	maintain(ctx, d)
	if !slices.Contains(heard, idp.Change{Kind: idp.ChangeKeys, TenantID: "acme"}) {
		t.Fatalf("the scheduled activation was not announced; the bus carried %+v", heard)
	}
	if state := keyState(t, d, rot.Staged.ID); state != idp.KeyActive {
		t.Fatalf("staged key is %s after an hour of maintenance", state)
	}
	if _, err := d.store.GetLoginChallenge(ctx, "acme", "lc_old"); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("expired challenge: %v", err)
	}

	// The key the activation retired is removed once past its retention,
	// found by the same one-query scan across tenants.
	ks, err := d.store.ListSigningKeys(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	var retired *idp.SigningKey
	for i := range ks {
		if ks[i].State == idp.KeyRetired {
			retired = &ks[i]
		}
	}
	if retired == nil || retired.RemoveAfter == nil {
		t.Fatalf("no retired key with a removal time after activation: %+v", ks)
	}
	maintain(ctx, d) // still retained
	if state := keyState(t, d, retired.ID); state != idp.KeyRetired {
		t.Fatalf("retired key is %s before its removal time", state)
	}
	clock.Advance(retired.RemoveAfter.Sub(clock.Now()))
	maintain(ctx, d)
	ks, err = d.store.ListSigningKeys(ctx, "acme")
	if err != nil || len(ks) != 1 || ks[0].ID != rot.Staged.ID {
		t.Fatalf("keys after the retention: %+v %v", ks, err)
	}
}

func keyState(t *testing.T, d *deps, kid string) idp.KeyState {
	t.Helper()
	ks, err := d.store.ListSigningKeys(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.ID == kid {
			return k.State
		}
	}
	t.Fatalf("key %s is gone", kid)
	return ""
}
