package seed

import (
	"net/mail"
	"testing"
)

func TestPlanSpreadsUsers(t *testing.T) {
	cases := []struct {
		name  string
		plan  Plan
		first int // users of tenant 1
	}{
		{"even", Plan{Tenants: 7, Users: 100}, 15},
		{"large tenant", Plan{Tenants: 5, Users: 1000, LargeTenantUsers: 600}, 600},
		{"fewer users than tenants", Plan{Tenants: 10, Users: 3}, 1},
		{"no users", Plan{Tenants: 3}, 0},
		{"one tenant holds all", Plan{Tenants: 1, Users: 50, LargeTenantUsers: 50}, 50},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.plan.Validate(); err != nil {
				t.Fatal(err)
			}
			sum := 0
			for i := 1; i <= c.plan.Tenants; i++ {
				sum += c.plan.UsersIn(i)
			}
			if sum != c.plan.Users {
				t.Errorf("users over all tenants = %d, want %d", sum, c.plan.Users)
			}
			if got := c.plan.UsersIn(1); got != c.first {
				t.Errorf("UsersIn(1) = %d, want %d", got, c.first)
			}
			if c.plan.UsersIn(0) != 0 || c.plan.UsersIn(c.plan.Tenants+1) != 0 {
				t.Error("tenants outside the plan hold users")
			}
		})
	}
}

func TestPlanValidate(t *testing.T) {
	for _, p := range []Plan{
		{Tenants: 0, Users: 1},
		{Tenants: MaxTenants + 1},
		{Tenants: 2, Users: -1},
		{Tenants: 2, Users: 10, LargeTenantUsers: 11},
		{Tenants: 1, Users: 10, LargeTenantUsers: 5},
	} {
		if p.Validate() == nil {
			t.Errorf("%+v: valid, want an error", p)
		}
	}
}

func TestTenantIDs(t *testing.T) {
	for _, c := range []struct {
		i  int
		id string
	}{{1, "seed-00001"}, {10000, "seed-10000"}, {123456, "seed-123456"}} {
		if got := TenantID(c.i); got != c.id {
			t.Errorf("TenantID(%d) = %q, want %q", c.i, got, c.id)
		}
		if got, ok := TenantIndex(c.id); !ok || got != c.i {
			t.Errorf("TenantIndex(%q) = %d, %v", c.id, got, ok)
		}
	}
	for _, bad := range []string{"seed-1", "seed-000001", "seed-00000", "bench", "seed-0000x"} {
		if _, ok := TenantIndex(bad); ok {
			t.Errorf("TenantIndex(%q) accepted", bad)
		}
	}
}

func TestUsersAreDeterministicUniqueAndValid(t *testing.T) {
	const n = 5000
	emails, ids := map[string]bool{}, map[string]bool{}
	statuses := map[string]int{}
	for j := range n {
		u := UserAt("seed-00042", j)
		if u != UserAt("seed-00042", j) {
			t.Fatalf("user %d differs between two calls", j)
		}
		if emails[u.Email] || ids[u.ID] {
			t.Fatalf("user %d repeats an email or id: %+v", j, u)
		}
		emails[u.Email], ids[u.ID] = true, true
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || lower(u.Email) != u.Email {
			t.Fatalf("user %d: email %q is not a lower-case bare address", j, u.Email)
		}
		if len(u.ID) != len("usr_")+32 {
			t.Fatalf("user %d: id %q is not shaped like usr_ + 32 hex digits", j, u.ID)
		}
		statuses[u.Status]++
	}
	if UserAt("seed-00043", 0).ID == UserAt("seed-00042", 0).ID {
		t.Error("the same index in two tenants gives the same id")
	}
	// About 97 % active, 2 % inactive, 1 % suspended.
	if statuses["active"] < n*90/100 || statuses["inactive"] == 0 || statuses["suspended"] == 0 {
		t.Errorf("statuses %v: want mostly active with some inactive and suspended", statuses)
	}
}
