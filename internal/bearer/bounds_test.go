package bearer

import (
	"fmt"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// TestThrottleBoundedUnderAddressSpray fails authentication from far more
// addresses than MaxAddresses within one minute and checks the table never
// grows past it; the next minute starts empty (docs/deployment.md,
// "Memory bounds").
func TestThrottleBoundedUnderAddressSpray(t *testing.T) {
	tests := []struct{ max, bound int }{{0, 10000}, {100, 100}}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.max), func(t *testing.T) {
			clk := idp.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			th := &Throttle{MaxAddresses: tc.max, Clock: clk}
			for i := range 5 * tc.bound {
				th.Failed(fmt.Sprintf("198.51.%d.%d", i/256, i%256))
			}
			if n := len(th.counts); n != tc.bound {
				t.Fatalf("%d addresses remembered, bound %d", n, tc.bound)
			}
			clk.Advance(time.Minute)
			th.Failed("192.0.2.1")
			if n := len(th.counts); n != 1 {
				t.Fatalf("next minute holds %d addresses", n)
			}
		})
	}
}
