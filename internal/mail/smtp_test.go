package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/mail/mailtest"
)

func TestNewSMTPConfig(t *testing.T) {
	const from = "Authalla <no-reply@example.com>"
	tests := []struct {
		name    string
		cfg     config.SMTP
		wantErr string // substring; empty: must succeed
	}{
		{"starttls default", config.SMTP{Host: "smtp.example.com", From: from}, ""},
		{"starttls", config.SMTP{Host: "smtp.example.com", Port: 587, TLS: "starttls", From: from, Username: "u", Password: "p"}, ""},
		{"implicit tls", config.SMTP{Host: "smtp.example.com", Port: 465, TLS: "tls", From: from}, ""},
		{"none on localhost", config.SMTP{Host: "localhost", Port: 25, TLS: "none", From: from}, ""},
		{"none on 127.0.0.1", config.SMTP{Host: "127.0.0.1", Port: 2525, TLS: "none", From: from}, ""},
		{"none on ::1", config.SMTP{Host: "::1", Port: 2525, TLS: "none", From: from}, ""},
		{"none on a remote host", config.SMTP{Host: "smtp.example.com", Port: 25, TLS: "none", From: from}, "smtp-tls"},
		{"none on a name that merely contains localhost", config.SMTP{Host: "localhost.example.com", TLS: "none", From: from}, "smtp-tls"},
		{"none on a private address", config.SMTP{Host: "10.0.0.5", TLS: "none", From: from}, "smtp-tls"},
		{"unknown tls mode", config.SMTP{Host: "smtp.example.com", TLS: "ssl", From: from}, "smtp-tls"},
		{"no host", config.SMTP{From: from}, "smtp-host"},
		{"bad from", config.SMTP{Host: "smtp.example.com", From: "not an address"}, "smtp-from"},
		{"bad port", config.SMTP{Host: "smtp.example.com", Port: 70000, From: from}, "smtp-port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSMTP(tc.cfg)
			if tc.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("NewSMTP = %v, %v; want a sender", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("NewSMTP err = %v, want one naming %q", err, tc.wantErr)
			}
		})
	}
}

func newLoopbackSender(t *testing.T, srv *mailtest.Server, tls string) *SMTPSender {
	t.Helper()
	host, port := srv.Addr()
	s, err := NewSMTP(config.SMTP{Host: host, Port: port, TLS: tls, From: "Authalla <no-reply@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSMTPSenderDelivers(t *testing.T) {
	srv := mailtest.Start(t)
	s := newLoopbackSender(t, srv, "none")
	// A long link with '=' and '&' forces quoted-printable soft breaks and escapes.
	link := "http://localhost:8080/t/acme/oauth2/login/link?token=" + strings.Repeat("Zm9v", 20) + "&state=a%3Db"
	subject, text, html, err := RenderSignIn(SignInData{TenantName: "Café Ünïcode & Co", Email: "Alice@Example.com",
		PIN: "042917", Link: link, PINMinutes: 10, LinkHours: 24})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name               string
		msg                Message
		wantEnvelopeFrom   string
		wantHeaderFromPart string
	}{
		{"default sender", Message{To: "alice@example.com", Subject: subject, Text: text, HTML: html},
			"no-reply@example.com", "Authalla"},
		{"tenant sender", Message{To: "bob@example.com", FromName: "Acme", FromAddress: "login@acme.example", Subject: subject, Text: text, HTML: html},
			"login@acme.example", "Acme"},
		{"name only", Message{To: "carol@example.com", FromName: "Acme Login", Subject: subject, Text: text},
			"no-reply@example.com", "Acme Login"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Send(context.Background(), tc.msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got, err := srv.WaitFor(waitCtx(t), tc.msg.To)
			if err != nil {
				t.Fatal(err)
			}
			if got.From != tc.wantEnvelopeFrom || len(got.To) != 1 || got.To[0] != tc.msg.To {
				t.Errorf("envelope = %s -> %v, want %s -> [%s]", got.From, got.To, tc.wantEnvelopeFrom, tc.msg.To)
			}
			if got.Subject != subject {
				t.Errorf("Subject = %q, want %q", got.Subject, subject)
			}
			if got.Text != strings.ReplaceAll(text, "\r\n", "\n") {
				t.Errorf("text part differs:\n got %q\nwant %q", got.Text, text)
			}
			if p := mailtest.ExtractPIN(got.Text); p != "042917" {
				t.Errorf("PIN = %q", p)
			}
			if l := mailtest.ExtractLink(got.Text); l != link {
				t.Errorf("link = %q, want %q", l, link)
			}
			data := string(got.Data)
			if !strings.Contains(data, tc.wantHeaderFromPart) {
				t.Errorf("From header lacks %q:\n%s", tc.wantHeaderFromPart, data)
			}
			if tc.msg.HTML != "" && (!strings.Contains(data, "multipart/alternative") || !strings.Contains(data, "text/html")) {
				t.Errorf("no HTML alternative:\n%s", data)
			}
			if !strings.Contains(data, "Auto-Submitted: auto-generated") {
				t.Error("no Auto-Submitted header")
			}
		})
	}
}

// TestSMTPNeverFallsBackToPlaintext checks that the starttls and tls modes
// refuse to deliver to a server that speaks no TLS, rather than sending the
// PIN and the link in the clear.
func TestSMTPNeverFallsBackToPlaintext(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			srv := mailtest.Start(t)
			s := newLoopbackSender(t, srv, mode)
			err := s.Send(context.Background(), Message{To: "alice@example.com", Subject: "s", Text: "secret 123456"})
			if err == nil {
				t.Fatal("Send succeeded without TLS")
			}
			if n := len(srv.Messages()); n != 0 {
				t.Fatalf("%d messages went out in the clear", n)
			}
		})
	}
}

func TestSMTPSenderRefusesBadMessages(t *testing.T) {
	srv := mailtest.Start(t)
	s := newLoopbackSender(t, srv, "none")
	for name, m := range map[string]Message{
		"header injection in subject": {To: "a@example.com", Subject: "hi\r\nBcc: victim@example.com", Text: "x"},
		"header injection in name":    {To: "a@example.com", FromName: "x\nBcc: v@example.com", Subject: "s", Text: "x"},
		"bad recipient":               {To: "not an address", Subject: "s", Text: "x"},
		"no body":                     {To: "a@example.com", Subject: "s"},
	} {
		if err := s.Send(context.Background(), m); err == nil {
			t.Errorf("%s: Send accepted it", name)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d bad messages were delivered", n)
	}
}
