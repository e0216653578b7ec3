package app

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// TestMaintainPurgesUnusedRegistrations: the maintenance pass removes a
// self-registered client (RFC 7591) that got no grant within a day, and
// not before.
func TestMaintainPurgesUnusedRegistrations(t *testing.T) {
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
	if _, err := d.manage.Bootstrap(manage.WithActor(ctx, systemActor), manage.BootstrapInput{}); err != nil {
		t.Fatal(err)
	}
	c, _, _, err := d.manage.RegisterDynamicClient(ctx, &idp.Client{TenantID: manage.AdminTenantID, Type: idp.ClientNative,
		Name: "Claude Code", RedirectURIs: []string{"http://127.0.0.1/callback"}}, "", "")
	if err != nil {
		t.Fatal(err)
	}

	clock.Advance(manage.DefaultDynamicClientTTL - time.Minute)
	maintain(ctx, d)
	if _, err := d.store.GetClient(ctx, manage.AdminTenantID, c.ID); err != nil {
		t.Fatalf("registration purged before its day: %v", err)
	}
	clock.Advance(2 * time.Minute)
	maintain(ctx, d)
	if _, err := d.store.GetClient(ctx, manage.AdminTenantID, c.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("unused registration kept after a day: %v", err)
	}
	if _, err := d.store.GetClient(ctx, manage.AdminTenantID, manage.AdminUIClientID); err != nil {
		t.Fatalf("the Admin UI client went too: %v", err)
	}
}
