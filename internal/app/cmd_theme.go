package app

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

// colorFlag is one colour of a scheme: its flag name (light scheme; the
// dark one adds darkPrefix) and its JSON name in the API and in --json.
type colorFlag struct{ flag, key, what string }

// colorFlags lists the colours in the order of manage.ColorsPatch's fields
// (see themeFlags.colors).
var colorFlags = [...]colorFlag{
	{"primary-color", "primary_color", "primary buttons and links"},
	{"secondary-color", "secondary_color", "secondary buttons"},
	{"secondary-button-text-color", "secondary_button_text_color", "text on secondary buttons"},
	{"background-color", "background_color", "page background"},
	{"box-background-color", "box_background_color", "background of the login box"},
	{"text-color", "text_color", "text"},
}

// darkPrefix turns a colour flag into its dark-scheme twin.
const darkPrefix = "dark-"

// hexColor is the form manage accepts for a colour: "#rrggbb".
var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// themeFlags are the flags of theme update.
type themeFlags struct {
	tenant      string
	language    string
	light, dark [len(colorFlags)]string
}

func (f *themeFlags) register(fs *flag.FlagSet) {
	tenantFlag(fs, &f.tenant)
	for i, c := range colorFlags {
		fs.StringVar(&f.light[i], c.flag, "", "light scheme: colour of the "+c.what+" (#rrggbb)")
		fs.StringVar(&f.dark[i], darkPrefix+c.flag, "", "dark scheme: colour of the "+c.what+" (#rrggbb)")
	}
	fs.StringVar(&f.language, "default-language", "", "default language of the hosted pages, e.g. en or pt-BR")
}

// check refuses a colour that is not "#rrggbb" (naming its flag) and an
// update that changes nothing, before anything is sent or saved.
func (f *themeFlags) check(set map[string]bool) error {
	changes := set["default-language"]
	for i, c := range colorFlags {
		for _, fl := range []struct {
			name string
			v    string
		}{{c.flag, f.light[i]}, {darkPrefix + c.flag, f.dark[i]}} {
			if !set[fl.name] {
				continue
			}
			changes = true
			if !hexColor.MatchString(strings.TrimSpace(fl.v)) {
				return usagef("--%s: %q is not a colour in the form #rrggbb", fl.name, fl.v)
			}
		}
	}
	if !changes {
		return usagef("nothing to change: give a colour flag (e.g. --primary-color, --dark-primary-color) or --default-language")
	}
	return nil
}

// colors returns the patch of one scheme: vals are its flag values and
// prefix "" (light) or darkPrefix.
func (f *themeFlags) colors(set map[string]bool, prefix string, vals *[len(colorFlags)]string) manage.ColorsPatch {
	v := func(i int) *string { return strIf(set, prefix+colorFlags[i].flag, vals[i]) }
	return manage.ColorsPatch{
		PrimaryColor: v(0), SecondaryColor: v(1), SecondaryButtonTextColor: v(2),
		BackgroundColor: v(3), BoxBackgroundColor: v(4), TextColor: v(5),
	}
}

// patch returns the manage patch of the flags that were given.
func (f *themeFlags) patch(set map[string]bool) manage.ThemePatch {
	return manage.ThemePatch{
		Light:           f.colors(set, "", &f.light),
		Dark:            f.colors(set, darkPrefix, &f.dark),
		DefaultLanguage: strIf(set, "default-language", f.language),
	}
}

// themeView is a tenant's branding in the shape of the API's answer to
// /api/v1/theme (view.Theme), so that --json prints the same locally and
// remotely; updated_at is written in UTC.
func themeView(th *idp.Theme, lang string, warnings []string) view.Theme {
	v := view.NewTheme(th, lang, warnings)
	if v.UpdatedAt != nil {
		at := v.UpdatedAt.UTC()
		v.UpdatedAt = &at
	}
	return v
}

// themeOutput prints a theme: the colours on stdout and, in human mode,
// the contrast warnings on the invocation's stderr (in --json they are
// the warnings array).
func themeOutput(ctx context.Context, tenant string, v view.Theme) *output {
	v.Warnings = nonNil(v.Warnings)
	return &output{json: v, human: func(w io.Writer) {
		updated := "never (the defaults apply)"
		if v.UpdatedAt != nil {
			updated = fmtTime(v.UpdatedAt)
		}
		kv(w, "tenant", tenant, "default language", v.DefaultLanguage,
			"logo", imageSummary(v.LogoURL), "icon", imageSummary(v.IconURL), "updated", updated)
		fmt.Fprintln(w)
		light, dark := toColors(v.Light), toColors(v.Dark)
		rows := make([][]string, len(colorFlags))
		for i, c := range colorFlags {
			rows[i] = []string{c.flag, light[i], dark[i]}
		}
		table(w, []string{"COLOUR", "LIGHT", "DARK"}, rows)
		for _, msg := range v.Warnings {
			fmt.Fprintf(stderrOf(ctx), "authalla: warning: %s\n", msg)
		}
	}}
}

// toColors lists a scheme's colours in colorFlags order.
func toColors(c view.Colors) [len(colorFlags)]string {
	return [...]string{c.PrimaryColor, c.SecondaryColor, c.SecondaryButtonTextColor, c.BackgroundColor, c.BoxBackgroundColor, c.TextColor}
}

// imageSummary shows a logo or icon without printing an uploaded image's
// data URL.
func imageSummary(u string) string {
	if u == "" {
		return "none"
	}
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return u
	}
	mt, b64, _ := strings.Cut(rest, ";base64,")
	if b, err := base64.StdEncoding.DecodeString(b64); err == nil {
		return fmt.Sprintf("uploaded %s, %d bytes", mt, len(b))
	}
	return "uploaded " + mt
}

// stderrKey is the context key of the invocation's stderr, where commands
// print notes that must not mix with their output (theme's contrast
// warnings).
type stderrKey struct{}

// withStderr returns ctx carrying w as the invocation's stderr.
func withStderr(ctx context.Context, w io.Writer) context.Context {
	return context.WithValue(ctx, stderrKey{}, w)
}

// stderrOf returns the stderr ctx carries, or io.Discard.
func stderrOf(ctx context.Context) io.Writer {
	if w, ok := ctx.Value(stderrKey{}).(io.Writer); ok && w != nil {
		return w
	}
	return io.Discard
}

// readImage reads the logo or icon at path, refusing files larger than
// manage.MaxThemeImage without reading them whole, and returns the
// bytes with their sniffed media type (manage checks that it is PNG,
// JPEG or WebP).
func readImage(path string) ([]byte, string, error) {
	if path == "" {
		return nil, "", usagef("--file is required")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("--file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, manage.MaxThemeImage+1))
	if err != nil {
		return nil, "", fmt.Errorf("--file: %w", err)
	}
	if len(b) > manage.MaxThemeImage {
		return nil, "", idp.Invalid("file", fmt.Sprintf("the image is larger than %d KiB", manage.MaxThemeImage>>10))
	}
	return b, http.DetectContentType(b), nil
}

func themeGet() *mgmtCmd {
	return tenantOnly("theme get --tenant T", 0, func(ctx context.Context, svc *manage.Service, tenant string, _ []string) (*output, error) {
		th, err := svc.GetTheme(ctx, tenant)
		if err != nil {
			return nil, err
		}
		t, err := svc.GetTenant(ctx, tenant)
		if err != nil {
			return nil, err
		}
		return themeOutput(ctx, tenant, themeView(th, t.DefaultLanguage, manage.ContrastWarnings(th))), nil
	})
}

func themeUpdate() *mgmtCmd {
	var f themeFlags
	return &mgmtCmd{
		usage: "theme update --tenant T [--primary-color #RRGGBB] [--dark-primary-color #RRGGBB] [--text-color ...] ... [--default-language TAG]",
		flags: f.register,
		run: func(ctx context.Context, svc *manage.Service, _ []string, set map[string]bool) (*output, error) {
			if err := needTenant(f.tenant); err != nil {
				return nil, err
			}
			if err := f.check(set); err != nil {
				return nil, err
			}
			r, err := svc.UpdateTheme(ctx, f.tenant, f.patch(set))
			if err != nil {
				return nil, err
			}
			return themeOutput(ctx, f.tenant, themeView(r.Theme, r.DefaultLanguage, r.Warnings)), nil
		},
	}
}

func themeReset() *mgmtCmd {
	return tenantOnly("theme reset --tenant T", 0, func(ctx context.Context, svc *manage.Service, tenant string, _ []string) (*output, error) {
		r, err := svc.ResetTheme(ctx, tenant)
		if err != nil {
			return nil, err
		}
		return themeOutput(ctx, tenant, themeView(r.Theme, r.DefaultLanguage, r.Warnings)), nil
	})
}

func themeSetLogo() *mgmtCmd { return themeSetImage(manage.ImageLogo) }
func themeSetIcon() *mgmtCmd { return themeSetImage(manage.ImageIcon) }

// themeSetImage uploads the logo or the icon (kind manage.ImageLogo or
// manage.ImageIcon).
func themeSetImage(kind string) *mgmtCmd {
	var tenant, file string
	return &mgmtCmd{
		usage: "theme set-" + kind + " --tenant T --file PATH (PNG, JPEG or WebP, at most 256 KiB)",
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.StringVar(&file, "file", "", "the image file (required)")
		},
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			data, mt, err := readImage(file)
			if err != nil {
				return nil, err
			}
			r, err := svc.SetThemeImage(ctx, tenant, kind, mt, data)
			if err != nil {
				return nil, err
			}
			return themeOutput(ctx, tenant, themeView(r.Theme, r.DefaultLanguage, r.Warnings)), nil
		},
	}
}
