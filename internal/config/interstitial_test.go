package config

import (
	"io"
	"strings"
	"testing"
)

// TestSec18UntrustedErrorInterstitialSetting: the interstitial before a
// third-party client's error redirect is on unless turned off by flag or
// environment; the flag wins.
func TestSec18UntrustedErrorInterstitialSetting(t *testing.T) {
	tests := map[string]struct {
		args []string
		env  map[string]string
		want bool
	}{
		"on by default":      {nil, nil, true},
		"environment off":    {nil, map[string]string{"AUTHALLA_UNTRUSTED_ERROR_INTERSTITIAL": "false"}, false},
		"flag off":           {[]string{"--untrusted-error-interstitial=false"}, nil, false},
		"flag overrides env": {[]string{"--untrusted-error-interstitial"}, map[string]string{"AUTHALLA_UNTRUSTED_ERROR_INTERSTITIAL": "0"}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := Load("serve", tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.UntrustedErrorInterstitial != tc.want {
				t.Fatalf("UntrustedErrorInterstitial = %v, want %v", c.UntrustedErrorInterstitial, tc.want)
			}
		})
	}
	_, err := Load("serve", nil, env(map[string]string{"AUTHALLA_UNTRUSTED_ERROR_INTERSTITIAL": "sometimes"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "AUTHALLA_UNTRUSTED_ERROR_INTERSTITIAL") {
		t.Fatalf("bad boolean: %v", err)
	}
}
