package mailtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// maxDepth bounds multipart nesting.
const maxDepth = 5

// parse returns the decoded subject (RFC 2047 encoded words) and the first
// text/plain part of a message (RFC 2045, RFC 2046), or empty strings for
// what it cannot read; a malformed message is still recorded.
func parse(data []byte) (subject, text string) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return "", ""
	}
	subject = msg.Header.Get("Subject")
	dec := mime.WordDecoder{}
	if s, err := dec.DecodeHeader(subject); err == nil {
		subject = s
	}
	text = textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return subject, strings.ReplaceAll(text, "\r\n", "\n")
}

// textPart finds the first text/plain body in a (possibly multipart) entity.
func textPart(contentType, encoding string, body io.Reader, depth int) string {
	mediaType, params := "text/plain", map[string]string{}
	if contentType != "" {
		var err error
		if mediaType, params, err = mime.ParseMediaType(contentType); err != nil {
			return ""
		}
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/") && depth < maxDepth:
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return ""
			}
			// NextPart already decodes quoted-printable parts and removes
			// their Content-Transfer-Encoding header.
			if t := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); t != "" {
				return t
			}
		}
	case mediaType == "text/plain":
		b, err := io.ReadAll(decode(encoding, body))
		if err != nil {
			return ""
		}
		return string(b)
	}
	return ""
}

// decode undoes a Content-Transfer-Encoding (RFC 2045 §6).
func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}
