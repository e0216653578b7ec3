package login

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// signIns counts SignIn calls by "method outcome".
type signIns struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *signIns) SignIn(method, outcome string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n[method+" "+outcome]++
}

func (s *signIns) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.n {
		out[k] = v
	}
	return out
}

// TestSignInOutcomesAreCounted walks the hosted pages through each
// outcome and checks that every attempt is counted once, under its
// outcome.
func TestSignInOutcomesAreCounted(t *testing.T) {
	m := &signIns{n: map[string]int{}}
	e := newEnv(t, envOptions{metrics: m, limits: Limits{VerifyPerIP: Limit{Max: 12, Window: time.Hour}}})
	iss := e.issuer(acme)
	want := map[string]int{}
	check := func(step string) {
		t.Helper()
		if got := m.snapshot(); !reflect.DeepEqual(got, want) {
			t.Fatalf("after %s: counted %v, want %v", step, got, want)
		}
	}

	// Five wrong PINs: four wrong, the fifth burns the challenge; the
	// right PIN afterwards is refused as locked too.
	b := e.browser()
	loc := b.startLogin(acme, alice, "").Header.Get("Location")
	pin, link := e.lastCode(alice)
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	for range idp.MaxPINAttempts {
		b.submitPIN(acme, loc, wrong)
	}
	want["pin wrong_pin"], want["pin locked"] = idp.MaxPINAttempts-1, 1
	check("five wrong PINs")
	b.submitPIN(acme, loc, pin)
	want["pin locked"]++
	check("the right PIN after the burn")

	// The link still works once; then it is gone.
	tok := url.Values{"token": {mustQuery(t, link, "token")}}
	o := e.browser()
	if r := o.post(link, iss+"/oauth2/magic-link", tok); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("link = %d", r.StatusCode)
	}
	want["magic_link ok"]++
	check("the link")
	// (The used link's page no longer renders, so the CSRF token comes
	// from the sign-in page of the same host.)
	if r := o.post(iss+"/oauth2/login", iss+"/oauth2/magic-link", tok); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("link again = %d", r.StatusCode)
	}
	want["magic_link invalid_link"]++
	check("the link again")

	// A PIN after its lifetime; then a fresh one that signs in.
	b = e.browser()
	loc = b.startLogin(acme, alice, "").Header.Get("Location")
	pin, _ = e.lastCode(alice)
	e.clock.Advance(idp.PINLifetime)
	b.submitPIN(acme, loc, pin)
	want["pin expired"]++
	check("an expired PIN")
	loc = b.startLogin(acme, alice, "").Header.Get("Location")
	pin, _ = e.lastCode(alice)
	if r := b.submitPIN(acme, loc, pin); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("right PIN = %d", r.StatusCode)
	}
	want["pin ok"]++
	check("the right PIN")

	// A user suspended after asking for a code verifies it but may not
	// sign in.
	s := e.browser()
	loc = s.startLogin(acme, alice, "").Header.Get("Location")
	pin, _ = e.lastCode(alice)
	u := e.users[acme+"|"+alice]
	u.Status = idp.UserSuspended
	if err := e.store.UpdateUser(e.ctx, acme, u); err != nil {
		t.Fatal(err)
	}
	if r := s.submitPIN(acme, loc, pin); r.StatusCode != http.StatusForbidden {
		t.Fatalf("suspended user's PIN = %d", r.StatusCode)
	}
	want["pin not_allowed"]++
	check("a suspended user")

	// Past the per-address limit, attempts are refused before any check.
	for i := 0; ; i++ {
		if i > 20 {
			t.Fatal("the verification limit never applied")
		}
		if r := b.submitPIN(acme, loc, "123456"); r.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if got := m.snapshot()["pin rate_limited"]; got != 1 {
		t.Fatalf("rate_limited = %d, want 1", got)
	}
	for k, v := range m.snapshot() {
		if _, err := fmt.Sscanf(k, "%s %s", new(string), new(string)); err != nil || v <= 0 {
			t.Errorf("odd count %q = %d", k, v)
		}
	}
}

func TestCountSignInFromAudit(t *testing.T) {
	cases := []struct {
		action  string
		details map[string]string
		want    map[string]int
	}{
		{"login.success", map[string]string{"method": "pin"}, map[string]int{"pin ok": 1}},
		{"login.failure", map[string]string{"method": "pin", "reason": "wrong_pin"}, map[string]int{"pin wrong_pin": 1}},
		{"login.failure", map[string]string{"method": "pin", "reason": "burned"}, map[string]int{"pin locked": 1}},
		{"login.failure", map[string]string{"method": "magic_link", "reason": "already_used"}, map[string]int{"magic_link already_used": 1}},
		{"login.failure", map[string]string{"method": "pin", "reason": "new_reason"}, map[string]int{"pin new_reason": 1}},
		{"user.updated", map[string]string{"method": "pin"}, map[string]int{}},
	}
	for _, c := range cases {
		m := &signIns{n: map[string]int{}}
		h := &Handler{metrics: m}
		h.countSignIn(c.action, c.details)
		if got := m.snapshot(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v: counted %v, want %v", c.action, c.details, got, c.want)
		}
	}
}
