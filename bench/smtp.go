package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"
)

// smtpSink is a minimal SMTP receiver (RFC 5321, no TLS, no AUTH) on
// loopback that keeps the plain text of every message it accepts. The
// benchmark points the server's --smtp-host/--smtp-port at it to read the
// PIN of the one hosted sign-in it performs.
type smtpSink struct {
	ln net.Listener

	mu       sync.Mutex
	messages []sunkMail
	arrived  chan struct{} // closed and replaced on every message
}

// sunkMail is one received message.
type sunkMail struct {
	to   []string
	text string
}

// listenSMTP starts the sink on addr (a loopback host:port).
func listenSMTP(addr string) (*smtpSink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtp sink: %w", err)
	}
	s := &smtpSink{ln: ln, arrived: make(chan struct{})}
	go s.serve()
	return s, nil
}

// Close stops accepting connections.
func (s *smtpSink) Close() error { return s.ln.Close() }

func (s *smtpSink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

// session speaks just enough SMTP for a client sending without TLS or AUTH.
func (s *smtpSink) session(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	reply := func(line string) bool {
		_, err := w.WriteString(line + "\r\n")
		return err == nil && w.Flush() == nil
	}
	if !reply("220 bench-smtp ready") {
		return
	}
	var to []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			reply("250-bench-smtp")
			reply("250 8BITMIME")
		case strings.HasPrefix(cmd, "HELO"):
			reply("250 bench-smtp")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			to = nil
			reply("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			addr := strings.Trim(strings.TrimSpace(strings.TrimSpace(line)[len("RCPT TO:"):]), "<>")
			if i := strings.Index(addr, ">"); i >= 0 {
				addr = addr[:i]
			}
			to = append(to, strings.ToLower(addr))
			reply("250 OK")
		case cmd == "DATA":
			if !reply("354 end with <CRLF>.<CRLF>") {
				return
			}
			raw, err := readData(r)
			if err != nil {
				return
			}
			s.add(sunkMail{to: to, text: plainText(raw)})
			reply("250 OK")
		case cmd == "RSET":
			to = nil
			reply("250 OK")
		case cmd == "NOOP":
			reply("250 OK")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

// readData reads a DATA section up to the lone dot, undoing dot-stuffing
// (RFC 5321 §4.5.2).
func readData(r *bufio.Reader) ([]byte, error) {
	var buf bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if line == ".\r\n" || line == ".\n" {
			return buf.Bytes(), nil
		}
		line = strings.TrimPrefix(line, ".")
		buf.WriteString(line)
		if buf.Len() > 1<<20 {
			return nil, fmt.Errorf("message too large")
		}
	}
}

func (s *smtpSink) add(m sunkMail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// waitFor returns the first message to addr received after the first skip
// messages to that address, waiting until ctx ends.
func (s *smtpSink) waitFor(ctx context.Context, addr string, skip int) (sunkMail, error) {
	addr = strings.ToLower(addr)
	for {
		s.mu.Lock()
		seen := 0
		for _, m := range s.messages {
			for _, to := range m.to {
				if to == addr {
					if seen == skip {
						s.mu.Unlock()
						return m, nil
					}
					seen++
				}
			}
		}
		ch := s.arrived
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return sunkMail{}, fmt.Errorf("no mail to %s: %w", addr, ctx.Err())
		}
	}
}

// plainText decodes a message's text parts (multipart, quoted-printable,
// base64) into one string; on a parse failure it returns the raw message.
func plainText(raw []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return string(raw)
	}
	var out strings.Builder
	collectText(&out, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if out.Len() == 0 {
		return string(raw)
	}
	return out.String()
}

func collectText(out *strings.Builder, contentType, encoding string, body io.Reader, depth int) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") && depth < 5 {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err != nil {
				return
			}
			collectText(out, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, depth+1)
		}
	}
	if !strings.HasPrefix(mediaType, "text/") {
		return
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, stripNewlines{body})
	}
	b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
	out.Write(b)
	out.WriteString("\n")
}

// stripNewlines drops CR and LF so base64 bodies wrapped at 76 columns decode.
type stripNewlines struct{ r io.Reader }

func (s stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

var pinPattern = regexp.MustCompile(`\b(\d{6})\b`)

// extractPIN returns the first 6-digit number of a mail's text.
func extractPIN(text string) string {
	m := pinPattern.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return m[1]
}
