package idp

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestAudienceJSON(t *testing.T) {
	tests := []struct {
		aud  Audience
		want string
	}{
		{Audience{"https://api.example.com"}, `"https://api.example.com"`},
		{Audience{"a", "b"}, `["a","b"]`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.aud)
		if err != nil || string(b) != tt.want {
			t.Fatalf("Marshal(%v) = %s, %v; want %s", tt.aud, b, err, tt.want)
		}
		var back Audience
		if err := json.Unmarshal(b, &back); err != nil || !slices.Equal(back, tt.aud) {
			t.Fatalf("Unmarshal(%s) = %v, %v", b, back, err)
		}
	}
	var a Audience
	for _, bad := range []string{`1`, `{"x":1}`, `[1]`} {
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

func TestAudienceContains(t *testing.T) {
	a := Audience{"urn:a", "https://b.example.com"}
	if !a.Contains("urn:a") || a.Contains("urn:b") || (Audience{}).Contains("") {
		t.Fatal("Contains is wrong")
	}
}
