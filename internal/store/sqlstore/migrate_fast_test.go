package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestUpToDate checks the one-query check that lets a restart skip the
// migration steps: true only when schema_migrations holds exactly the
// versions 1…SchemaVersion().
func TestUpToDate(t *testing.T) {
	raw, err := Open(context.Background(), filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if ok, err := raw.upToDate(testContext(t), SchemaVersion()); ok || err != nil {
		t.Fatalf("a database without schema_migrations: upToDate = %v, %v; want false, no error", ok, err)
	}
	known := SchemaVersion()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			s := d.open(t) // migrated
			ctx := testContext(t)
			w := s.writer()
			steps := []struct {
				name string
				sql  string
				args []any
				want bool
			}{
				{"migrated", "", nil, true},
				{"a step missing", `DELETE FROM schema_migrations WHERE version = ?`, []any{1}, false},
				{"restored", `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, []any{1, time.Now()}, true},
				{"a newer step", `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, []any{known + 1, time.Now()}, false},
			}
			for _, st := range steps {
				if st.sql != "" {
					if _, err := w.exec(ctx, st.sql, st.args...); err != nil {
						t.Fatalf("%s: %v", st.name, err)
					}
				}
				if got, err := s.upToDate(ctx, known); got != st.want || err != nil {
					t.Fatalf("%s: upToDate = %v, %v; want %v", st.name, got, err, st.want)
				}
			}
		})
	}
}
