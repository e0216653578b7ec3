package main

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

func TestSMTPSinkReceivesAndDecodes(t *testing.T) {
	sink, err := listenSMTP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	msg := strings.Join([]string{
		"From: a@example.test",
		"To: Bob@Example.test",
		"Subject: Sign in",
		"MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="b1"`,
		"",
		"--b1",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: quoted-printable",
		"",
		"Your code is 123456. Or open http://127.0.0.1/t/x/oauth2/magic-link?token=3Dabc",
		".a line that starts with a dot",
		"--b1",
		"Content-Type: text/html; charset=utf-8",
		"Content-Transfer-Encoding: base64",
		"",
		"PHA+Y29kZTwvcD4=",
		"--b1--",
		"",
	}, "\r\n")
	if err := smtp.SendMail(sink.ln.Addr().String(), nil, "a@example.test", []string{"Bob@Example.test"}, []byte(msg)); err != nil {
		t.Fatalf("send: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := sink.waitFor(ctx, "bob@example.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	if pin := extractPIN(got.text); pin != "123456" {
		t.Errorf("PIN = %q, want 123456 (text %q)", pin, got.text)
	}
	for _, want := range []string{"magic-link?token=abc", "\n.a line that starts with a dot", "<p>code</p>"} {
		if !strings.Contains(got.text, want) {
			t.Errorf("decoded text lacks %q: %q", want, got.text)
		}
	}
	// A second wait for the next mail to the same address times out.
	short, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := sink.waitFor(short, "bob@example.test", 1); err == nil {
		t.Error("waitFor(skip=1) found a second mail that was never sent")
	}
}

func TestExtractPIN(t *testing.T) {
	tests := []struct{ text, want string }{
		{"code: 042137\n", "042137"},
		{"no code here 12345", ""},
		{"1234567 is too long, 654321 is right", "654321"},
	}
	for _, tt := range tests {
		if got := extractPIN(tt.text); got != tt.want {
			t.Errorf("extractPIN(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
