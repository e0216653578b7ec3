package idp

import "testing"

func TestChangeCovers(t *testing.T) {
	cases := []struct {
		name   string
		ch     Change
		kind   ChangeKind
		tenant string
		want   bool
	}{
		{"same kind and tenant", Change{Kind: ChangeClient, TenantID: "a", ID: "c1"}, ChangeClient, "a", true},
		{"other tenant", Change{Kind: ChangeClient, TenantID: "a"}, ChangeClient, "b", false},
		{"other kind", Change{Kind: ChangeKeys, TenantID: "a"}, ChangeClient, "a", false},
		{"every kind of a tenant", Change{TenantID: "a"}, ChangeToken, "a", true},
		{"every kind, other tenant", Change{TenantID: "a"}, ChangeToken, "b", false},
		{"one kind in every tenant", Change{Kind: ChangeTenant}, ChangeTenant, "z", true},
		{"everything", ChangeEverything, ChangeTheme, "q", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.ch.Covers(c.kind, c.tenant); got != c.want {
				t.Fatalf("%+v.Covers(%s, %s) = %v, want %v", c.ch, c.kind, c.tenant, got, c.want)
			}
		})
	}
}
