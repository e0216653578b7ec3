// Package pgtest gives tests the PostgreSQL server scripts/test provides
// (AUTHALLA_TEST_POSTGRES_URL) and throwaway databases on it. Only test
// code imports it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env names the PostgreSQL server tests may create databases on.
const Env = "AUTHALLA_TEST_POSTGRES_URL"

// AdminURL returns the server's URL. Without Env the test is skipped, or
// fails when CI is set: CI must cover PostgreSQL.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and %s is not: CI must run the PostgreSQL tests", Env)
		}
		t.Skipf("%s is not set", Env)
	}
	return u
}

// FreshDatabase creates an empty database named prefix plus a random
// suffix on the server of AdminURL, drops it when the test ends and
// returns its URL.
func FreshDatabase(t testing.TB, prefix string) string {
	t.Helper()
	admin := AdminURL(t)
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := prefix + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := Exec(ctx, admin, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := Exec(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Exec runs one statement (CREATE or DROP DATABASE) on the database of
// the admin URL.
func Exec(ctx context.Context, admin, stmt string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}
