package mailtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limits that keep a misbehaving client from hanging or exhausting a test.
const (
	maxConnBytes = 32 << 20 // everything one connection may send
	maxRcpts     = 100
	idleTimeout  = 2 * time.Minute
)

// Received is one message as the server got it.
type Received struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients (RCPT TO)
	Data    []byte   // the message, dot-unstuffed, with CRLF line endings
	Subject string   // decoded Subject header
	Text    string   // the decoded text/plain part, LF line endings
}

// Server is a running SMTP listener.
type Server struct {
	ln net.Listener
	wg sync.WaitGroup

	mu     sync.Mutex
	msgs   []Received
	taken  []bool // taken[i]: msgs[i] was returned by WaitFor
	notify chan struct{}
	conns  map[net.Conn]struct{}
	closed bool
}

// Start listens on 127.0.0.1 on a free port and serves until the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{ln: ln, notify: make(chan struct{}), conns: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Addr returns the host and port to configure as the SMTP server.
func (s *Server) Addr() (host string, port int) {
	a := s.ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// Messages returns every message received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = clone(m)
	}
	return out
}

// WaitFor returns the oldest message addressed to `to` (compared
// case-insensitively, envelope recipients) that no earlier WaitFor
// returned, waiting until one arrives, ctx ends or the server closes.
// Calling it once per expected mail thus yields each mail once, in order.
func (s *Server) WaitFor(ctx context.Context, to string) (Received, error) {
	for {
		s.mu.Lock()
		for i, m := range s.msgs {
			if !s.taken[i] && slices.ContainsFunc(m.To, func(r string) bool { return strings.EqualFold(r, to) }) {
				s.taken[i] = true
				s.mu.Unlock()
				return clone(m), nil
			}
		}
		ch, closed := s.notify, s.closed
		s.mu.Unlock()
		if closed {
			return Received{}, fmt.Errorf("mailtest: server closed before a message to %s arrived", to)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Received{}, fmt.Errorf("mailtest: no message to %s: %w", to, ctx.Err())
		}
	}
}

// Close stops the listener, drops open connections and waits for the
// handlers to finish. It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.notify)
		s.ln.Close()
		for c := range s.conns {
			c.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.session(c)
		}()
	}
}

// record stores a message and wakes the waiters.
func (s *Server) record(m Received) {
	m.Subject, m.Text = parse(m.Data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	s.taken = append(s.taken, false)
	if !s.closed {
		close(s.notify)
		s.notify = make(chan struct{})
	}
}

// session runs the SMTP dialogue on one connection (RFC 5321 §4.1).
func (s *Server) session(c net.Conn) {
	r := textproto.NewReader(bufio.NewReader(&io.LimitedReader{R: c, N: maxConnBytes}))
	w := textproto.NewWriter(bufio.NewWriter(c))
	reply := func(format string, args ...any) bool {
		return w.PrintfLine(format, args...) == nil
	}
	if !reply("220 mailtest ESMTP ready") {
		return
	}
	var (
		greeted bool
		from    *string
		rcpts   []string
	)
	reset := func() { from, rcpts = nil, nil }
	for {
		c.SetDeadline(time.Now().Add(idleTimeout))
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		ok := true
		switch strings.ToUpper(verb) {
		case "EHLO":
			greeted = true
			reset()
			ok = reply("250-mailtest greets %s", arg) && reply("250-8BITMIME") &&
				reply("250-SMTPUTF8") && reply("250 SIZE %d", maxConnBytes)
		case "HELO":
			greeted = true
			reset()
			ok = reply("250 mailtest")
		case "MAIL":
			addr, found := path(arg, "FROM:")
			switch {
			case !greeted:
				ok = reply("503 5.5.1 Send EHLO or HELO first")
			case from != nil:
				ok = reply("503 5.5.1 Nested MAIL command")
			case !found:
				ok = reply("501 5.5.4 Syntax: MAIL FROM:<address>")
			default:
				from = &addr
				ok = reply("250 2.1.0 OK")
			}
		case "RCPT":
			addr, found := path(arg, "TO:")
			switch {
			case from == nil:
				ok = reply("503 5.5.1 Need MAIL before RCPT")
			case !found || addr == "":
				ok = reply("501 5.5.4 Syntax: RCPT TO:<address>")
			case len(rcpts) >= maxRcpts:
				ok = reply("452 4.5.3 Too many recipients")
			default:
				rcpts = append(rcpts, addr)
				ok = reply("250 2.1.5 OK")
			}
		case "DATA":
			if len(rcpts) == 0 {
				ok = reply("503 5.5.1 Need RCPT before DATA")
				break
			}
			if !reply("354 End data with <CR><LF>.<CR><LF>") {
				return
			}
			data, err := readData(r)
			if err != nil {
				return
			}
			s.record(Received{From: *from, To: rcpts, Data: data})
			reset()
			ok = reply("250 2.0.0 OK queued")
		case "RSET":
			reset()
			ok = reply("250 2.0.0 OK")
		case "NOOP":
			ok = reply("250 2.0.0 OK")
		case "VRFY":
			ok = reply("252 2.1.5 Cannot verify, will accept")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		case "STARTTLS", "AUTH":
			ok = reply("502 5.5.1 Not implemented by mailtest")
		default:
			ok = reply("500 5.5.2 Command not recognised")
		}
		if !ok {
			return
		}
	}
}

// path extracts the address of "FROM:<a@b> PARAMS" or "TO:<a@b>", ignoring
// ESMTP parameters (RFC 5321 §4.1.2). The null sender "<>" is allowed.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// readData reads the DATA section up to the line holding a single dot,
// removing the leading dot a client doubles (RFC 5321 §4.5.2).
func readData(r *textproto.Reader) ([]byte, error) {
	var b strings.Builder
	for {
		line, err := r.ReadLine()
		if err != nil {
			return nil, err
		}
		if line == "." {
			return []byte(b.String()), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
		b.WriteString("\r\n")
	}
}

func clone(m Received) Received {
	m.To = slices.Clone(m.To)
	m.Data = slices.Clone(m.Data)
	return m
}
