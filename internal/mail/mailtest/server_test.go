package mailtest

import (
	"context"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// dial opens a raw SMTP conversation with srv and reads the greeting.
func dial(t *testing.T, srv *Server) *textproto.Conn {
	t.Helper()
	host, port := srv.Addr()
	c, err := textproto.Dial("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	return c
}

// cmd sends one command and checks the reply code.
func cmd(t *testing.T, c *textproto.Conn, want int, format string, args ...any) string {
	t.Helper()
	id, err := c.Cmd(format, args...)
	if err != nil {
		t.Fatal(err)
	}
	c.StartResponse(id)
	defer c.EndResponse(id)
	code, msg, err := c.ReadResponse(want)
	if err != nil {
		t.Fatalf("%q: got %d %s, want %d", fmt.Sprintf(format, args...), code, msg, want)
	}
	return msg
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestConversation(t *testing.T) {
	srv := Start(t)
	c := dial(t, srv)

	// Commands out of order are refused (RFC 5321 §4.1.4).
	cmd(t, c, 503, "MAIL FROM:<a@example.com>")
	msg := cmd(t, c, 250, "EHLO client.example")
	if !strings.Contains(msg, "8BITMIME") {
		t.Errorf("EHLO reply lacks extensions: %q", msg)
	}
	cmd(t, c, 503, "RCPT TO:<b@example.com>")
	cmd(t, c, 503, "DATA")
	cmd(t, c, 250, "NOOP")
	cmd(t, c, 501, "MAIL FROM:a@example.com")
	cmd(t, c, 502, "STARTTLS")
	cmd(t, c, 500, "XYZZY")

	// RSET drops a started transaction.
	cmd(t, c, 250, "MAIL FROM:<dropped@example.com>")
	cmd(t, c, 250, "RCPT TO:<dropped@example.com>")
	cmd(t, c, 250, "RSET")
	cmd(t, c, 503, "RCPT TO:<b@example.com>")

	// A full message with ESMTP parameters and dot-stuffed lines.
	cmd(t, c, 250, "mail from:<Sender@Example.com> BODY=8BITMIME SIZE=100")
	cmd(t, c, 250, "RCPT TO:<b@example.com>")
	cmd(t, c, 250, "RCPT TO:<c@example.com>")
	cmd(t, c, 354, "DATA")
	body := "Subject: =?utf-8?q?Caf=C3=A9?=\r\nContent-Type: text/plain\r\n\r\nline one\r\n..leading dot\r\n.\r\n"
	if _, err := c.W.WriteString(body); err != nil {
		t.Fatal(err)
	}
	c.W.Flush()
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatal(err)
	}
	cmd(t, c, 221, "QUIT")

	got, err := srv.WaitFor(waitCtx(t), "C@EXAMPLE.COM")
	if err != nil {
		t.Fatal(err)
	}
	if got.From != "Sender@Example.com" || strings.Join(got.To, ",") != "b@example.com,c@example.com" {
		t.Errorf("envelope = %s -> %v", got.From, got.To)
	}
	if want := "Subject: =?utf-8?q?Caf=C3=A9?=\r\nContent-Type: text/plain\r\n\r\nline one\r\n.leading dot\r\n"; string(got.Data) != want {
		t.Errorf("Data = %q, want %q", got.Data, want)
	}
	if got.Subject != "Café" || got.Text != "line one\n.leading dot\n" {
		t.Errorf("Subject = %q, Text = %q", got.Subject, got.Text)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages recorded, want 1 (RSET one dropped)", n)
	}
}

// send delivers one raw message over a fresh connection.
func send(t *testing.T, srv *Server, to, data string) {
	t.Helper()
	c := dial(t, srv)
	cmd(t, c, 250, "HELO x")
	cmd(t, c, 250, "MAIL FROM:<>")
	cmd(t, c, 250, "RCPT TO:<%s>", to)
	cmd(t, c, 354, "DATA")
	c.W.WriteString(data + "\r\n.\r\n")
	c.W.Flush()
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatal(err)
	}
	cmd(t, c, 221, "QUIT")
}

func TestParseMIME(t *testing.T) {
	tests := []struct {
		name, data, subject, text string
	}{
		{"quoted-printable alternative",
			"Subject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b1\r\n\r\n" +
				"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
				"Code 123456 link https://x.example/oauth2/a?t=3D1&u=3D=\r\n2 caf=C3=A9\r\n" +
				"--b1\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b1--\r\n",
			"Hi", "Code 123456 link https://x.example/oauth2/a?t=1&u=2 café"},
		{"base64 nested in mixed",
			"Subject: =?UTF-8?B?w4k=?=\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n" +
				"--o\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n" +
				"--i\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\nd29ybGQ=\r\n--i--\r\n--o--\r\n",
			"É", "hello world"},
		{"no MIME at all", "Subject: plain\r\n\r\nbody", "plain", "body\n"},
		{"HTML only", "Subject: h\r\nContent-Type: text/html\r\n\r\n<p>x</p>", "h", ""},
		{"garbage", "this is not a message", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := Start(t)
			send(t, srv, "r@example.com", tc.data)
			got, err := srv.WaitFor(waitCtx(t), "r@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != tc.subject || got.Text != tc.text {
				t.Errorf("Subject = %q, Text = %q; want %q, %q", got.Subject, got.Text, tc.subject, tc.text)
			}
		})
	}
}

func TestWaitFor(t *testing.T) {
	srv := Start(t)
	send(t, srv, "a@example.com", "Subject: 1\r\n\r\nx")
	send(t, srv, "b@example.com", "Subject: 2\r\n\r\nx")
	send(t, srv, "a@example.com", "Subject: 3\r\n\r\nx")

	// Each call yields the next unseen message to that recipient, in order.
	for _, want := range []string{"1", "3"} {
		got, err := srv.WaitFor(waitCtx(t), "a@example.com")
		if err != nil || got.Subject != want {
			t.Fatalf("WaitFor(a) = %q, %v; want %q", got.Subject, err, want)
		}
	}

	// A waiter blocks until the message arrives.
	done := make(chan Received, 1)
	go func() {
		got, err := srv.WaitFor(waitCtx(t), "a@example.com")
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	send(t, srv, "a@example.com", "Subject: 4\r\n\r\nx")
	if got := <-done; got.Subject != "4" {
		t.Fatalf("waiter got %q, want 4", got.Subject)
	}

	// Nothing more for a: a cancelled context ends the wait.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.WaitFor(ctx, "a@example.com"); err == nil {
		t.Fatal("WaitFor with a cancelled context returned a message")
	}

	// Close wakes waiters.
	errc := make(chan error, 1)
	go func() {
		_, err := srv.WaitFor(context.Background(), "nobody@example.com")
		errc <- err
	}()
	srv.Close()
	if err := <-errc; err == nil {
		t.Fatal("WaitFor after Close returned a message")
	}
	srv.Close() // idempotent
}

func TestExtract(t *testing.T) {
	tests := []struct {
		text, pin, link string
	}{
		{"Your code:\n\n    042917\n\nOpen https://t.example/t/123456/oauth2/login/link?x=1 now.", "042917", "https://t.example/t/123456/oauth2/login/link?x=1"},
		{"Code (123456). See http://localhost:8080/oauth2/pin-code.", "123456", "http://localhost:8080/oauth2/pin-code"},
		{"ignore https://example.com/help then https://a.example/oauth2/x", "", "https://a.example/oauth2/x"},
		{"numbers 12345 1234567 a123456 but no pin", "", ""},
	}
	for _, tc := range tests {
		if got := ExtractPIN(tc.text); got != tc.pin {
			t.Errorf("ExtractPIN(%q) = %q, want %q", tc.text, got, tc.pin)
		}
		if got := ExtractLink(tc.text); got != tc.link {
			t.Errorf("ExtractLink(%q) = %q, want %q", tc.text, got, tc.link)
		}
	}
}
