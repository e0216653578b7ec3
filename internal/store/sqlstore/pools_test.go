package sqlstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestPoolStats(t *testing.T) {
	want := map[string][]string{DialectSQLite: {PoolRead, PoolWrite}, DialectPostgres: {PoolMain}}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			s := d.open(t)
			if _, _, err := s.ListTenants(testContext(t), "", idp.Page{Limit: 10}); err != nil {
				t.Fatal(err)
			}
			stats := s.PoolStats()
			var names []string
			for name := range stats {
				names = append(names, name)
			}
			slices.Sort(names)
			if strings.Join(names, ",") != strings.Join(want[d.name], ",") {
				t.Fatalf("pools = %v, want %v", names, want[d.name])
			}
			for name, st := range stats {
				if st.OpenConnections < 1 || st.MaxOpenConnections < 1 || st.InUse+st.Idle != st.OpenConnections {
					t.Errorf("%s: %+v", name, st)
				}
			}
			if d.name == DialectSQLite && stats[PoolWrite].MaxOpenConnections != 1 {
				t.Errorf("SQLite writer allows %d connections, want 1", stats[PoolWrite].MaxOpenConnections)
			}
		})
	}
}

func TestSetMaxOpenConns(t *testing.T) {
	// The pool that serves reads, and its default size.
	pool := map[string]string{DialectSQLite: PoolRead, DialectPostgres: PoolMain}
	def := map[string]int{DialectSQLite: sqliteReaders, DialectPostgres: postgresMaxOpen}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			s := d.open(t)
			tests := []struct{ n, want int }{{0, def[s.Dialect()]}, {-3, def[s.Dialect()]}, {2, 2}, {9, 9}}
			for _, tc := range tests {
				s.SetMaxOpenConns(tc.n)
				st := s.PoolStats()
				if got := st[pool[s.Dialect()]].MaxOpenConnections; got != tc.want {
					t.Errorf("SetMaxOpenConns(%d): %d open, want %d", tc.n, got, tc.want)
				}
				if w, ok := st[PoolWrite]; ok && w.MaxOpenConnections != 1 {
					t.Errorf("SetMaxOpenConns(%d): SQLite writer pool %d, want 1", tc.n, w.MaxOpenConnections)
				}
			}
		})
	}
}
