package mail

import (
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

func TestRenderSignIn(t *testing.T) {
	base := SignInData{TenantName: "Acme", Email: "alice@example.com", PIN: "004271",
		Link: "https://acme.example.com/oauth2/login/link?t=abc&u=1", PINMinutes: 10, LinkHours: 24}
	tests := []struct {
		name        string
		mod         func(*SignInData)
		wantSubject string
		text, html  []string // substrings that must appear
		notHTML     []string // substrings that must not appear in the HTML
	}{
		{"sign-in", func(*SignInData) {}, "Sign in to Acme",
			[]string{"004271", "https://acme.example.com/oauth2/login/link?t=abc&u=1", "10 minutes", "24 hours", "didn't ask for this", "alice@example.com"},
			[]string{">004271<", `href="https://acme.example.com/oauth2/login/link?t=abc&amp;u=1"`, "Sign in to Acme</a>", "10 minutes", "24 hours", "didn't ask for this", `lang="en"`, `aria-label="Your code: 0 0 4 2 7 1"`},
			nil},
		{"sign-up", func(d *SignInData) { d.Signup = true }, "Confirm your email for Acme",
			[]string{"create your Acme account", "finish signing up"},
			[]string{"Create my account</a>"}, nil},
		{"singular units", func(d *SignInData) { d.PINMinutes, d.LinkHours = 1, 1 }, "Sign in to Acme",
			[]string{"1 minute.", "1 hour:"}, []string{"1 minute.", "1 hour."}, nil},
		{"HTML in the tenant name is escaped", func(d *SignInData) { d.TenantName = `<script>alert(1)</script> & "Co"` }, `Sign in to <script>alert(1)</script> & "Co"`,
			[]string{`<script>alert(1)</script> & "Co"`},
			[]string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;"},
			[]string{"<script>"}},
		{"line breaks in the tenant name are flattened", func(d *SignInData) { d.TenantName = "Acme\r\nBcc: x@example.com" }, "Sign in to Acme  Bcc: x@example.com",
			[]string{"Acme  Bcc"}, nil, nil},
		{"no tenant name: the link's host", func(d *SignInData) { d.TenantName = "" }, "Sign in to acme.example.com", nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			tc.mod(&d)
			subject, text, html, err := RenderSignIn(d)
			if err != nil {
				t.Fatal(err)
			}
			if subject != tc.wantSubject {
				t.Errorf("subject = %q, want %q", subject, tc.wantSubject)
			}
			for _, s := range tc.text {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.html {
				if !strings.Contains(html, s) {
					t.Errorf("HTML lacks %q:\n%s", s, html)
				}
			}
			for _, s := range append(tc.notHTML, "<img", "src=", "url(", "<script", "@import") {
				if strings.Contains(html, s) {
					t.Errorf("HTML contains %q", s)
				}
			}
			// The test helpers find the PIN and the link in what we render.
			if got := mailtest.ExtractPIN(text); got != d.PIN {
				t.Errorf("ExtractPIN = %q, want %q", got, d.PIN)
			}
			if got := mailtest.ExtractLink(text); got != d.Link {
				t.Errorf("ExtractLink = %q, want %q", got, d.Link)
			}
		})
	}
}

func TestRenderSignInRejects(t *testing.T) {
	ok := SignInData{TenantName: "Acme", Email: "a@example.com", PIN: "123456", Link: "https://a.example/oauth2/x", PINMinutes: 10, LinkHours: 24}
	for name, mod := range map[string]func(*SignInData){
		"short PIN":       func(d *SignInData) { d.PIN = "12345" },
		"non-digit PIN":   func(d *SignInData) { d.PIN = "12345a" },
		"relative link":   func(d *SignInData) { d.Link = "/oauth2/x" },
		"javascript link": func(d *SignInData) { d.Link = "javascript:alert(1)" },
		"zero minutes":    func(d *SignInData) { d.PINMinutes = 0 },
		"zero hours":      func(d *SignInData) { d.LinkHours = 0 },
	} {
		d := ok
		mod(&d)
		if _, _, _, err := RenderSignIn(d); err == nil {
			t.Errorf("%s: RenderSignIn accepted it", name)
		}
	}
	if _, _, _, err := RenderSignIn(ok); err != nil {
		t.Fatalf("control case: %v", err)
	}
}
