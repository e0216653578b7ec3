package keys

import (
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestInvalidateByChange: the change bus drops a tenant's cached keys on
// key and tenant changes of that tenant (or of every tenant), and keeps
// them on anything else.
func TestInvalidateByChange(t *testing.T) {
	cases := []struct {
		name  string
		ch    idp.Change
		reads int // store reads of t1 by the next signatures
	}{
		{"keys of t1", idp.Change{Kind: idp.ChangeKeys, TenantID: "t1"}, 1},
		{"tenant t1 changed", idp.Change{Kind: idp.ChangeTenant, TenantID: "t1"}, 1},
		{"every kind of t1", idp.Change{TenantID: "t1"}, 1},
		{"keys of every tenant", idp.Change{Kind: idp.ChangeKeys}, 1},
		{"everything", idp.ChangeEverything, 1},
		{"keys of t2", idp.Change{Kind: idp.ChangeKeys, TenantID: "t2"}, 0},
		{"a client of t1", idp.Change{Kind: idp.ChangeClient, TenantID: "t1", ID: "c"}, 0},
		{"a user of t1", idp.Change{Kind: idp.ChangeUser, TenantID: "t1", ID: "u"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.ensure(t, "t1", AlgES256)
			e.sign(t, "t1", testClaims{}) // cached now
			before := e.st.listCalls()
			e.m.Invalidate(c.ch)
			for range 5 {
				e.sign(t, "t1", testClaims{})
			}
			if got := e.st.listCalls() - before; got != c.reads {
				t.Fatalf("%d store reads after %v, want %d", got, c.ch, c.reads)
			}
		})
	}
}
