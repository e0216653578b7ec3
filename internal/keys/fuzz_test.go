package keys

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary strings to Verify. It must never panic, must
// wrap every refusal in ErrInvalidToken, and may accept only a token whose
// payload one of the tenant's keys actually signed.
func FuzzVerify(f *testing.F) {
	e := newEnv(f)
	ctx := context.Background()
	signed := map[string]bool{}
	kidsOfT1 := map[string]bool{}
	add := func(tenant string, claims testClaims) string {
		tok := e.sign(f, tenant, claims)
		if tenant == "t1" {
			payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
			if err != nil {
				f.Fatal(err)
			}
			signed[string(payload)] = true
		}
		return tok
	}
	for _, alg := range Algorithms {
		kidsOfT1[e.ensure(f, "t1", alg)] = true
		f.Add(add("t1", testClaims{Sub: alg}))
		if _, err := e.m.Rotate(ctx, "t1", alg, true); err != nil {
			f.Fatal(err)
		}
		kidsOfT1[e.activeKID(f, "t1")] = true
	}
	f.Add(add("t1", testClaims{Sub: "latest", Scope: "a b"}))
	e.ensure(f, "t2", AlgES256)
	f.Add(add("t2", testClaims{Sub: "foreign"}))
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("eyJhbGciOiJIUzI1NiIsImtpZCI6IngifQ.e30.AAAA")

	f.Fuzz(func(t *testing.T, token string) {
		v, err := e.m.Verify(ctx, "t1", token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("refusal not wrapped in ErrInvalidToken: %v", err)
			}
			return
		}
		if !signed[string(v.Payload)] {
			t.Fatalf("accepted a payload no tenant key signed: %q", v.Payload)
		}
		if !kidsOfT1[v.KeyID] {
			t.Fatalf("accepted kid %q that is not the tenant's", v.KeyID)
		}
	})
}
