package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/authalla/authalla/internal/config"
)

// Timeouts of one delivery: each network operation, and the whole send.
const (
	smtpTimeout = 10 * time.Second
	sendTimeout = 30 * time.Second
)

// SMTPSender delivers mail through an SMTP relay (RFC 5321) with
// github.com/wneessen/go-mail. Each Send opens its own connection, so the
// sender is safe for concurrent use.
type SMTPSender struct {
	host string
	from netmail.Address
	opts []gomail.Option
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTP checks cfg and builds a sender. TLS modes: "starttls" (the
// default; STARTTLS is mandatory, RFC 3207), "tls" (implicit TLS, RFC 8314
// §3.3) and "none", which is refused unless the host is loopback because
// it would send PINs and sign-in links in the clear. Errors name the
// setting at fault.
func NewSMTP(cfg config.SMTP) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp-host: required to send mail")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp-from: %q is not an email address", cfg.From)
	}
	port := cfg.Port
	opts := []gomail.Option{gomail.WithTimeout(smtpTimeout)}
	switch cfg.TLS {
	case "", "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		port = defaultPort(port, gomail.DefaultPortTLS)
	case "tls":
		opts = append(opts, gomail.WithSSL())
		port = defaultPort(port, gomail.DefaultPortSSL)
	case "none":
		if !isLoopback(cfg.Host) {
			return nil, fmt.Errorf("smtp-tls: \"none\" is only allowed for a loopback SMTP host, not %q; use starttls or tls", cfg.Host)
		}
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		port = defaultPort(port, gomail.DefaultPort)
	default:
		return nil, fmt.Errorf("smtp-tls: %q is not starttls, tls or none", cfg.TLS)
	}
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("smtp-port: %d is not a port", port)
	}
	opts = append(opts, gomail.WithPort(port))
	if cfg.Username != "" {
		// The strongest mechanism the server offers; go-mail refuses to send
		// PLAIN or LOGIN credentials over an unencrypted connection.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &SMTPSender{host: cfg.Host, from: *from, opts: opts}, nil
}

func defaultPort(port, def int) int {
	if port == 0 {
		return def
	}
	return port
}

// isLoopback reports whether host is "localhost" or a loopback IP literal.
// Names are not resolved: a DNS answer must not downgrade transport security.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Send delivers m as a multipart/alternative message (text, then HTML when
// present; RFC 2046 §5.1.4).
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send via %s: %w", s.host, err)
	}
	return nil
}

// build turns m into a go-mail message.
func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	if strings.ContainsAny(m.Subject, "\r\n") || strings.ContainsAny(m.FromName, "\r\n") {
		return nil, errors.New("mail: line break in a header value")
	}
	if m.Text == "" {
		return nil, errors.New("mail: message has no text body")
	}
	from := s.from
	if m.FromAddress != "" {
		from = netmail.Address{Address: m.FromAddress}
	}
	if m.FromName != "" {
		from.Name = m.FromName
	}
	msg := gomail.NewMsg()
	if err := msg.From(from.String()); err != nil {
		return nil, fmt.Errorf("mail: from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: recipient address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	// RFC 3834 §5: machine-generated mail; auto-responders should stay quiet.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
