package manage

import (
	"errors"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestValidateRedirectURICases: registration-time checks of SECURITY-TESTS
// 4, 17 and 46 (fragments, userinfo, wildcards, dot segments, script
// schemes, http off loopback, private-use schemes for native clients only).
func TestValidateRedirectURICases(t *testing.T) {
	tests := []struct {
		uri  string
		typ  idp.ClientType
		want bool
	}{
		{"https://app.example.com/callback", idp.ClientWeb, true},
		{"https://app.example.com/cb?tenant=a", idp.ClientSPA, true},
		{"https://app.example.com:8443/cb", idp.ClientWeb, true},
		{"http://127.0.0.1/callback", idp.ClientNative, true},
		{"http://127.0.0.1:3000/callback", idp.ClientWeb, true},
		{"http://[::1]:3000/callback", idp.ClientSPA, true},
		{"http://localhost:3000/callback", idp.ClientSPA, true},
		{"com.example.app:/oauth", idp.ClientNative, true},
		{"cursor://anysphere.cursor-retrieval/oauth/callback", idp.ClientNative, true},
		{"com.example.app:/oauth", idp.ClientWeb, false},
		{"cursor://x/cb", idp.ClientSPA, false},
		{"", idp.ClientWeb, false},
		{"/callback", idp.ClientWeb, false},
		{"app.example.com/callback", idp.ClientWeb, false},
		{"https://app.example.com/callback#frag", idp.ClientWeb, false},
		{"https://app.example.com/callback#", idp.ClientWeb, false},
		{"https://user:pw@app.example.com/callback", idp.ClientWeb, false},
		{"https://user@app.example.com/callback", idp.ClientWeb, false},
		{"https://*.example.com/callback", idp.ClientWeb, false},
		{"https://app.example.com/*", idp.ClientWeb, false},
		{"http://app.example.com/callback", idp.ClientWeb, false},
		{"http://127.0.0.1.evil.example/callback", idp.ClientNative, false},
		{"http://10.0.0.1/callback", idp.ClientNative, false},
		{"javascript:alert(1)", idp.ClientNative, false},
		{"JavaScript:alert(1)", idp.ClientNative, false},
		{"data:text/html,hi", idp.ClientNative, false},
		{"file:///etc/passwd", idp.ClientNative, false},
		{"vbscript:msgbox", idp.ClientNative, false},
		{"https:evil.example", idp.ClientWeb, false},
		{"https:///callback", idp.ClientWeb, false},
		{"https://app.example.com/a/../callback", idp.ClientWeb, false},
		{"https://app.example.com/a/%2e%2e/callback", idp.ClientWeb, false},
		{"https://app.example.com/call back", idp.ClientWeb, false},
		{"https://app.example.com/\\evil", idp.ClientWeb, false},
		{"https://app.example.com/\r\nx", idp.ClientWeb, false},
		{"https://app.example.com/caf\u00e9", idp.ClientWeb, false},
		{"HTTPS://app.example.com/callback", idp.ClientWeb, false},
		{"https://" + strings.Repeat("a", 2000) + ".example/cb", idp.ClientWeb, false},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			err := ValidateRedirectURI("redirect_uris", tt.typ, tt.uri)
			if (err == nil) != tt.want {
				t.Fatalf("ValidateRedirectURI(%q, %s) = %v, want ok=%v", tt.uri, tt.typ, err, tt.want)
			}
			if err != nil {
				var ve *idp.ValidationError
				if !errors.As(err, &ve) || ve.Field != "redirect_uris" {
					t.Errorf("error %v is not a ValidationError on redirect_uris", err)
				}
			}
		})
	}
}
