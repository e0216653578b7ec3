package integration

import (
	"regexp"
	"strings"
	"testing"
)

// envLine is what every non-comment line of a generated env file must look
// like: one assignment, its value free of quotes (except whole-value
// quoting), $, backticks and backslashes, so no input can add a variable or
// run a command when the file is sourced by a shell.
var envLine = regexp.MustCompile(`^[A-Z][A-Z0-9_]*=("[^"$` + "`" + `\\]*"|[^"'$` + "`" + `\\ ]*)$`)

// FuzzGenerate feeds arbitrary requests to Generate: it must never panic,
// and whatever it accepts must produce well-formed env files and leave
// every value inside string literals.
func FuzzGenerate(f *testing.F) {
	f.Add("express", "http://127.0.0.1:8080/t/acme", "cl_1", "web", "http://localhost:3000", "", "https://api.acme.test", "orders:read")
	f.Add("react-spa-pkce", "https://acme.authalla.com", "spa-1", "spa", "http://127.0.0.1:5173", "http://127.0.0.1:5173/cb", "", "")
	f.Add("m2m", "https://acme.authalla.com/", "svc", "backend", "", "", "urn:api", "a b")
	f.Add("go", "https://x.test", "id\nEVIL=1", "web", "https://app.test", "https://app.test/cb?x=1", "https://api.test/#f", "x")
	f.Fuzz(func(t *testing.T, framework, issuer, clientID, clientType, appURL, redirect, audience, scope string) {
		res, err := Generate(Request{
			Framework: framework, Issuer: issuer, ClientID: clientID, ClientType: clientType,
			AppURL: appURL, RedirectURI: redirect, Audience: audience, Scopes: strings.Fields(scope),
		})
		if err != nil {
			return
		}
		env := res.Files[len(res.Files)-1]
		if env.Language != "dotenv" {
			t.Fatalf("the last file is %s, not the env file", env.Path)
		}
		for _, line := range strings.Split(strings.TrimSuffix(env.Content, "\n"), "\n") {
			if line == "" || strings.HasPrefix(line, "# ") {
				continue
			}
			if !envLine.MatchString(line) {
				t.Fatalf("env line %q is not a single safe assignment", line)
			}
		}
		for _, v := range []string{res.Framework, clientID} {
			if strings.ContainsAny(v, "\n\r") {
				t.Fatalf("accepted a value with a line break: %q", v)
			}
		}
	})
}
