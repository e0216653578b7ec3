package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/view"
)

// writePNG writes a small valid PNG to dir and returns its path and size.
func writePNG(t *testing.T, dir string) (string, int) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, b.Len()
}

// decodeTheme decodes --json output of a theme command.
func decodeTheme(t *testing.T, out string) view.Theme {
	t.Helper()
	var v view.Theme
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("theme output is not JSON: %v\n%s", err, out)
	}
	return v
}

// TestThemeValidation: bad flags are refused before anything is saved,
// with the exit code and a message naming the flag or field.
func TestThemeValidation(t *testing.T) {
	h := newHarness(t)
	h.ok("tenant", "create", "--id", "acme", "--name", "Acme")
	dir := t.TempDir()
	svg := filepath.Join(dir, "logo.svg")
	big := filepath.Join(dir, "big.png")
	empty := filepath.Join(dir, "empty.png")
	pngPath, _ := writePNG(t, dir)
	pngBytes, _ := os.ReadFile(pngPath)
	for path, data := range map[string][]byte{
		svg:   []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		big:   append(pngBytes, make([]byte, manage.MaxThemeImage)...),
		empty: {},
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"colour name", []string{"update", "--primary-color", "red"}, 2, `--primary-color: "red" is not a colour in the form #rrggbb`},
		{"short hex", []string{"update", "--dark-background-color", "#12345"}, 2, "--dark-background-color:"},
		{"no hash", []string{"update", "--text-color", "112233"}, 2, "--text-color:"},
		{"css injection", []string{"update", "--dark-text-color", "#fff;x:y"}, 2, "--dark-text-color:"},
		{"second flag bad", []string{"update", "--primary-color", "#112233", "--secondary-button-text-color", "#zzzzzz"}, 2, "--secondary-button-text-color:"},
		{"nothing to change", []string{"update"}, 2, "nothing to change"},
		{"bad language", []string{"update", "--default-language", "not a tag"}, 1, "invalid default_language"},
		{"unknown flag", []string{"update", "--primary", "#112233"}, 2, "flag provided but not defined: -primary"},
		{"no file", []string{"set-logo"}, 2, "--file is required"},
		{"missing file", []string{"set-icon", "--file", filepath.Join(dir, "nope.png")}, 1, "--file:"},
		{"svg", []string{"set-logo", "--file", svg}, 1, "must be a PNG, JPEG or WebP image"},
		{"too large", []string{"set-logo", "--file", big}, 1, "larger than 256 KiB"},
		{"empty", []string{"set-icon", "--file", empty}, 1, "the file is empty"},
		{"unknown tenant", []string{"get", "--tenant", "nope"}, 1, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"theme"}, tc.args...)
			if !strings.Contains(strings.Join(tc.args, " "), "--tenant") {
				args = append(args, "--tenant", "acme")
			}
			h.fails(tc.code, tc.want, args...)
		})
	}
	// --tenant is required locally.
	h.fails(2, "--tenant is required", "theme", "get")
	// Nothing above was saved.
	if v := decodeTheme(t, h.ok("theme", "get", "--tenant", "acme", "--json")); v.UpdatedAt != nil || v.LogoURL != "" || v.IconURL != "" || v.DefaultLanguage != "en" {
		t.Fatalf("a refused command changed the theme: %+v", v)
	}
}

// TestThemeFlags: update sends only the flags given, under the API's
// names, and builds the same manage patch.
func TestThemeFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		body string
	}{
		{[]string{"--primary-color", "#AABBCC"}, `{"light":{"primary_color":"#AABBCC"}}`},
		{[]string{"--dark-primary-color", "#000000", "--dark-box-background-color", "#111111"}, `{"dark":{"box_background_color":"#111111","primary_color":"#000000"}}`},
		{[]string{"--secondary-button-text-color", "#010203", "--dark-text-color", "#040506", "--default-language", "pt-BR"},
			`{"dark":{"text_color":"#040506"},"default_language":"pt-BR","light":{"secondary_button_text_color":"#010203"}}`},
		{[]string{"--default-language", "de"}, `{"default_language":"de"}`},
	} {
		var f themeFlags
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		f.register(fs)
		_, set, err := parseInterleaved(fs, tc.args)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if err := f.check(set); err != nil {
			t.Fatalf("%v: check: %v", tc.args, err)
		}
		got, _ := json.Marshal(f.body(set))
		if string(got) != tc.body {
			t.Errorf("%v: body %s, want %s", tc.args, got, tc.body)
		}
		// The manage patch carries the same values.
		p := f.patch(set)
		var fromPatch = body{}
		for _, sc := range []struct {
			key string
			c   manage.ColorsPatch
		}{{"light", p.Light}, {"dark", p.Dark}} {
			sub := map[string]string{}
			for i, v := range []*string{sc.c.PrimaryColor, sc.c.SecondaryColor, sc.c.SecondaryButtonTextColor, sc.c.BackgroundColor, sc.c.BoxBackgroundColor, sc.c.TextColor} {
				if v != nil {
					sub[colorFlags[i].key] = *v
				}
			}
			if len(sub) > 0 {
				fromPatch[sc.key] = sub
			}
		}
		if p.DefaultLanguage != nil {
			fromPatch["default_language"] = *p.DefaultLanguage
		}
		if got, _ := json.Marshal(fromPatch); string(got) != tc.body {
			t.Errorf("%v: patch %s, want %s", tc.args, got, tc.body)
		}
	}
}

// TestThemeLocal: update changes only the colours given (and is what get
// then shows), warnings go to stderr in human mode and into "warnings"
// with --json, an uploaded logo is shown summarised, and reset restores
// the defaults (keeping the default language).
func TestThemeLocal(t *testing.T) {
	h := newHarness(t)
	h.ok("tenant", "create", "--id", "acme", "--name", "Acme")
	def := decodeTheme(t, h.ok("theme", "get", "--tenant", "acme", "--json"))
	if def.Light.PrimaryColor != page.DefaultLight.PrimaryColor || def.Dark.TextColor != page.DefaultDark.TextColor ||
		def.Warnings == nil || def.UpdatedAt != nil || def.DefaultLanguage != "en" {
		t.Fatalf("defaults: %+v", def)
	}

	code, out, errs := h.run("theme", "update", "--tenant", "acme", "--primary-color", "#1D4ED8", "--dark-text-color", "#222222", "--default-language", "de")
	if code != 0 || !strings.Contains(out, "#1d4ed8") || !strings.Contains(out, "default language  de") || strings.Contains(out, "warning") {
		t.Fatalf("update: %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "authalla: warning: dark mode: text on the page background has a contrast ratio of") {
		t.Fatalf("no contrast warning on stderr:\n%s", errs)
	}
	got := decodeTheme(t, h.ok("theme", "get", "--tenant", "acme", "--json"))
	want := def
	want.Light.PrimaryColor, want.Dark.TextColor, want.DefaultLanguage = "#1d4ed8", "#222222", "de"
	if got.UpdatedAt == nil || len(got.Warnings) != 2 || !strings.HasPrefix(got.Warnings[0], "dark mode: text on the page background") {
		t.Fatalf("get after update: %+v", got)
	}
	got.UpdatedAt = nil
	if !reflect.DeepEqual(withoutWarnings(got), withoutWarnings(want)) {
		t.Fatalf("get after update:\n%+v\nwant\n%+v", got, want)
	}

	pngPath, _ := writePNG(t, t.TempDir())
	v := decodeTheme(t, h.ok("theme", "set-logo", "--tenant", "acme", "--file", pngPath, "--json"))
	if v.LogoURL == "" || v.IconURL != "" || v.Light.PrimaryColor != "#1d4ed8" {
		t.Fatalf("set-logo: %+v", v)
	}
	if out := h.ok("theme", "get", "--tenant", "acme"); !strings.Contains(out, "logo              "+imageSummary(v.LogoURL)+"\n") || strings.Contains(out, "base64") {
		t.Fatalf("human get with a logo:\n%s", out)
	}

	reset := decodeTheme(t, h.ok("theme", "reset", "--tenant", "acme", "--json"))
	again := decodeTheme(t, h.ok("theme", "get", "--tenant", "acme", "--json"))
	def.DefaultLanguage = "de" // reset keeps the language
	for name, v := range map[string]view.Theme{"reset": reset, "get after reset": again} {
		if !reflect.DeepEqual(v, def) {
			t.Errorf("%s: %+v, want the defaults %+v", name, v, def)
		}
	}
}

// withoutWarnings returns v without its warnings.
func withoutWarnings(v view.Theme) view.Theme {
	v.Warnings = nil
	return v
}

func TestImageSummary(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "none",
		"/assets/brand/logo?v=abc":          "/assets/brand/logo?v=abc",
		"data:image/png;base64,AAECAwQ=":    "uploaded image/png, 5 bytes",
		"data:image/webp;base64,not base64": "uploaded image/webp",
	} {
		if got := imageSummary(in); got != want {
			t.Errorf("imageSummary(%q) = %q, want %q", in, got, want)
		}
	}
}
