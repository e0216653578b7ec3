package oauth

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// decodeBoth decodes payload with DecodeClaims and with encoding/json.
func decodeBoth(payload []byte) (fast accessTokenClaims, fastOK bool, slow accessTokenClaims, slowErr error) {
	fastOK = fast.DecodeClaims(payload)
	slowErr = json.Unmarshal(payload, &slow)
	return
}

// TestDecodeClaimsReadsWhatAppendJSONWrites: the claims we sign come back
// whole, through the fast route.
func TestDecodeClaimsReadsWhatAppendJSONWrites(t *testing.T) {
	for _, c := range []accessTokenClaims{
		{Issuer: "https://t1.example", Subject: "cli_1", Audience: idp.Audience{"https://api.example"}, Expiry: 1700000600,
			IssuedAt: 1700000000, NotBefore: 1700000000, JTI: "j1", TenantID: "t1", ClientID: "cli_1", Scope: "read write"},
		{Issuer: "https://t1.example/", Subject: "usr_1", Audience: idp.Audience{"a", "b"}, Expiry: 1, JTI: "j2", TenantID: "t1",
			ClientID: "cli_2", AuthTime: 1699999999},
		{Audience: idp.Audience{}},
	} {
		payload := c.AppendJSON(nil)
		got, ok, want, err := decodeBoth(payload)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got, c) {
			t.Errorf("DecodeClaims(%s) = %+v, %v; want %+v", payload, got, ok, c)
		}
	}
}

// TestDecodeClaimsLeavesTheRestToEncodingJSON: what encoding/json reads
// differently from a plain walk is refused, so keys.Claims falls back.
func TestDecodeClaimsLeavesTheRestToEncodingJSON(t *testing.T) {
	for _, payload := range []string{
		`{"ISS":"x"}`,                  // encoding/json matches names case-insensitively
		`{"sub":"a","sub":"b"}`,        // written twice
		`{"sub":"caf\u00e9"}`,          // an escape
		`{"exp":1.5}`,                  // not an integer
		`{"exp":null}`,                 // null
		`{"aud":["a",1]}`,              // not an array of strings
		`{"act":{"sub":"x"}}`,          // a member we do not know
		`{"exp":99999999999999999999}`, // too large
	} {
		if _, ok, _, _ := decodeBoth([]byte(payload)); ok {
			t.Errorf("DecodeClaims accepted %s", payload)
		}
	}
}

// FuzzDecodeClaims: whatever DecodeClaims accepts, encoding/json decodes
// to the same claims.
func FuzzDecodeClaims(f *testing.F) {
	f.Add([]byte(`{"iss":"https://t1.example","sub":"s","aud":["a","b"],"exp":2,"iat":1,"nbf":1,"jti":"j","tid":"t","client_id":"c","scope":"a","auth_time":1}`))
	f.Add([]byte(`{"aud":"a"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, ok, want, err := decodeBoth(payload)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("DecodeClaims accepted %q, encoding/json refuses it: %v", payload, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeClaims(%q) = %+v, encoding/json = %+v", payload, got, want)
		}
	})
}
