package mail

import "context"

// Message is one email.
type Message struct {
	To          string
	FromName    string
	FromAddress string // empty: the install's default sender
	Subject     string
	Text        string
	HTML        string
}

// Sender delivers mail.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
