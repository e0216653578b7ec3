package keys

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// TestMaintainAnnouncesItsChanges checks that Maintain tells OnChange when
// it activates a staged key or removes a retired one, and only then, so
// that other nodes drop their cached keys at once.
func TestMaintainAnnouncesItsChanges(t *testing.T) {
	e := newEnv(t)
	var got []idp.Change
	e.m.onChange = func(ch idp.Change) { got = append(got, ch) }
	ctx := context.Background()
	e.ensure(t, "t1", AlgES256)
	e.ensure(t, "t2", AlgES256)
	if _, err := e.m.Rotate(ctx, "t1", AlgES256, false); err != nil {
		t.Fatal(err)
	}
	want := idp.Change{Kind: idp.ChangeKeys, TenantID: "t1"}
	steps := []struct {
		name    string
		advance time.Duration
		want    []idp.Change
	}{
		{"nothing due", 0, nil},
		{"staged key not yet published long enough", testMaxAge, nil},
		{"staged key activated", testCacheTTL, []idp.Change{want}},
		{"retired key still retained", testRetention, nil},
		{"retired key removed", testCacheTTL, []idp.Change{want}},
		{"nothing left to do", time.Hour, nil},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		got = nil
		for _, tenant := range []string{"t1", "t2"} {
			if err := e.m.Maintain(ctx, tenant); err != nil {
				t.Fatalf("%s: Maintain(%s): %v", s.name, tenant, err)
			}
		}
		if !slices.Equal(got, s.want) {
			t.Fatalf("%s: announced %+v, want %+v", s.name, got, s.want)
		}
	}
}
