package oauth_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"
)

// freshPostgresDatabase creates an empty database named prefix plus a
// random suffix on AUTHALLA_TEST_POSTGRES_URL, drops it when the test ends
// and returns its address. Without that variable the test is skipped, or
// fails under CI, which must run it.
func freshPostgresDatabase(t *testing.T, prefix string) string {
	t.Helper()
	admin := os.Getenv("AUTHALLA_TEST_POSTGRES_URL")
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("AUTHALLA_TEST_POSTGRES_URL is not set: CI must run these tests on PostgreSQL")
		}
		t.Skip("AUTHALLA_TEST_POSTGRES_URL is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if db, err := sql.Open("pgx", admin); err == nil {
			_, _ = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			db.Close()
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
