package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// firstStartLink finds the one-time sign-in link in the first start's
// output.
var firstStartLink = regexp.MustCompile(`https?://\S+/oauth2/magic-link\?token=\S+`)

// TestFirstStartSignInLink starts the binary on an empty data directory,
// as `go run ./cmd/authalla` on a fresh machine does, and signs the first
// administrator in with the link it prints (PRODUCT §1).
func TestFirstStartSignInLink(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	mails := mailtest.Start(t)
	smtpHost, smtpPort := mails.Addr()
	srv := startServer(ctx, t, bin, "", smtpHost, smtpPort)

	out := srv.proc.out.String()
	link := firstStartLink.FindString(out)
	if link == "" {
		t.Fatalf("the first start printed no sign-in link:\n%s", out)
	}
	if !strings.HasPrefix(link, srv.url+"/oauth2/magic-link?") {
		t.Fatalf("sign-in link %s is not on the admin issuer %s", link, srv.url)
	}
	if strings.Contains(out[strings.Index(out, link)+len(link):], "token=") {
		t.Errorf("the output repeats the sign-in token (a credential must be printed once, to the terminal)")
	}

	browser := newBrowser(ctx, t)
	f := newFlow(t, browser, "first-admin")
	f.do("open the printed link", chromedp.Navigate(link))
	f.do("press Continue",
		chromedp.WaitVisible(`//button[contains(normalize-space(.), "Continue")]`),
		chromedp.Click(`//button[contains(normalize-space(.), "Continue")]`),
	)
	if loc := f.waitPath("/"); !strings.HasPrefix(loc, srv.url+"/") {
		t.Fatalf("after the link the browser is at %s, want the admin issuer's start page", loc)
	}
	if got := f.text(".account strong"); got != "admin@localhost" {
		t.Fatalf("start page shows %q signed in, want admin@localhost", got)
	}
	f.checkConsole()
	if status := getStatus(ctx, t, link); status != http.StatusBadRequest {
		t.Fatalf("GET the used first-start link = %d, want 400 (single use)", status)
	}
}
