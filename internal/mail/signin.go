package mail

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"unicode"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var funcs = map[string]any{"plural": plural}

var (
	signInText = texttemplate.Must(texttemplate.New("signin.txt.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/signin.txt.tmpl"))
	signInHTML = htmltemplate.Must(htmltemplate.New("signin.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/signin.html.tmpl"))
)

// pinDigits is the length of the sign-in PIN.
const pinDigits = 6

// SignInData fills the sign-in (and sign-up) email: a PIN to type and a
// single-use link to click.
type SignInData struct {
	TenantName string // shown to the user; empty: the link's host
	Email      string // the recipient, repeated in the footer
	PIN        string // six decimal digits
	Link       string // absolute http(s) URL of the magic link
	PINMinutes int    // how long the PIN is valid
	LinkHours  int    // how long the link is valid
	Signup     bool   // the address has no account yet
}

// signInView is what the templates see.
type signInView struct {
	SignInData
	Subject   string
	Heading   string
	Action    string // the button label
	SpokenPIN string // the PIN with spaces, read digit by digit by screen readers
}

// RenderSignIn renders the sign-in email as a subject, a plain-text body
// and an HTML alternative. The HTML escapes every value (html/template),
// loads no remote resources and carries the link both as a button and as
// plain text.
func RenderSignIn(d SignInData) (subject, text, html string, err error) {
	if len(d.PIN) != pinDigits || strings.Trim(d.PIN, "0123456789") != "" {
		return "", "", "", fmt.Errorf("mail: sign-in PIN must be %d digits", pinDigits)
	}
	u, err := url.Parse(d.Link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", "", "", errors.New("mail: sign-in link must be an absolute http(s) URL")
	}
	if d.PINMinutes <= 0 || d.LinkHours <= 0 {
		return "", "", "", errors.New("mail: sign-in validity periods must be positive")
	}
	d.TenantName = oneLine(d.TenantName)
	if d.TenantName == "" {
		d.TenantName = u.Hostname()
	}
	d.Email = oneLine(d.Email)

	v := signInView{SignInData: d, SpokenPIN: strings.Join(strings.Split(d.PIN, ""), " ")}
	if d.Signup {
		v.Subject = "Confirm your email for " + d.TenantName
		v.Heading = "Confirm your email"
		v.Action = "Create my account"
	} else {
		v.Subject = "Sign in to " + d.TenantName
		v.Heading = "Your sign-in code"
		v.Action = "Sign in to " + d.TenantName
	}
	var tb, hb strings.Builder
	if err := signInText.Execute(&tb, v); err != nil {
		return "", "", "", fmt.Errorf("mail: render sign-in text: %w", err)
	}
	if err := signInHTML.Execute(&hb, v); err != nil {
		return "", "", "", fmt.Errorf("mail: render sign-in HTML: %w", err)
	}
	return v.Subject, tb.String(), hb.String(), nil
}

// oneLine replaces control characters (line breaks included) with spaces
// and trims, so a value cannot add header lines or forge body lines.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) {
			return ' '
		}
		return r
	}, s))
}

// plural formats n with unit, adding an "s" unless n is 1.
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
