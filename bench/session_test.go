package main

import (
	"testing"
)

func TestFormWith(t *testing.T) {
	page := `<html><body>
<form method="post" action="/t/x/oauth2/passkey"><input type="hidden" name="csrf" value="p"><button>Passkey</button></form>
<form method="post" action="/t/x/oauth2/login?req=a&amp;b=1">
  <input type="hidden" name="csrf_token" value="tok&amp;en">
  <input type=hidden name=request value='r1'>
  <label>Email <input type="email" name="email" autocomplete="email" required></label>
  <button type="submit">Continue</button>
</form></body></html>`
	action, values, err := formWith(page, "email")
	if err != nil {
		t.Fatal(err)
	}
	if action != "/t/x/oauth2/login?req=a&b=1" {
		t.Errorf("action = %q", action)
	}
	if values.Get("csrf_token") != "tok&en" || values.Get("request") != "r1" || !values.Has("email") || values.Has("csrf") {
		t.Errorf("values = %v", values)
	}
	if _, _, err := formWith(page, "pin"); err == nil {
		t.Error("formWith(pin) found a form that has no pin input")
	}
}

func TestPKCEChallenge(t *testing.T) {
	// RFC 7636 Appendix B.
	p := pkce{verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}
	if got, want := p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want {
		t.Errorf("challenge = %q, want %q", got, want)
	}
}
