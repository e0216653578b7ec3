// Package flatjson reads flat JSON objects, the shape of our JWT claims
// sets: one object whose member values are strings, integers or arrays of
// strings. It reads them without reflection, for the token paths where
// encoding/json's decoding took a tenth or more of a request's CPU.
//
// It is a fast path, not a JSON parser: whatever it is not sure to read
// exactly as encoding/json would (a string with an escape or a byte
// outside printable ASCII, a number with a fraction or an exponent, null,
// true, false, a nested object, a name written with escapes) makes Walk
// report false, and the caller decodes the same bytes with encoding/json.
// When Walk reports true, every value it handed out is the one
// encoding/json would have decoded from the same bytes (the package's
// tests compare the two on fuzzed input).
package flatjson

import (
	"strconv"
)

// Value is the raw text of one member value.
type Value struct {
	raw []byte
}

// Text returns the value as a string if it is a JSON string of printable
// ASCII without escapes.
func (v Value) Text() (string, bool) {
	s, ok := plainString(v.raw)
	return string(s), ok
}

// Int returns the value as an int64 if it is a JSON integer (RFC 8259 §6:
// no fraction, no exponent) that fits.
func (v Value) Int() (int64, bool) {
	if !isInteger(v.raw) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v.raw), 10, 64)
	return n, err == nil
}

// Strings returns the value as a list if it is an array of strings that
// Text accepts. An empty array gives an empty, non-nil list.
func (v Value) Strings() ([]string, bool) {
	out := []string{}
	end, ok := arrayEnd(v.raw, 0, func(s []byte) { out = append(out, string(s)) })
	if !ok || end != len(v.raw) {
		return nil, false
	}
	return out, true
}

// Walk calls member for each member of the object b, in order, until
// member returns false. It reports whether b is a flat object it read to
// the end with every call returning true. A member value is a string, an
// integer or an array of strings; the name is passed as written, and a
// name with escapes ends the walk.
func Walk(b []byte, member func(name string, v Value) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		end, ok := stringEnd(b, i)
		if !ok {
			return false
		}
		name, ok := plainString(b[i:end])
		if !ok {
			return false
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		end, ok = valueEnd(b, i)
		if !ok || !member(string(name), Value{raw: b[i:end]}) {
			return false
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// valueEnd returns the end of the value starting at b[i] if it is a
// string, an integer or an array of plain strings (plainString).
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		end, ok := stringEnd(b, i)
		if !ok {
			return i, false
		}
		_, ok = plainString(b[i:end])
		return end, ok
	case c == '-' || '0' <= c && c <= '9':
		j := i + 1
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		return j, isInteger(b[i:j])
	case c == '[':
		return arrayEnd(b, i, nil)
	}
	return i, false
}

// arrayEnd returns the end of the array of plain strings (plainString)
// starting at b[i], passing each element to elem when it is not nil.
func arrayEnd(b []byte, i int, elem func([]byte)) (int, bool) {
	if i >= len(b) || b[i] != '[' {
		return i, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		end, ok := stringEnd(b, i)
		if !ok {
			return i, false
		}
		s, ok := plainString(b[i:end])
		if !ok {
			return i, false
		}
		if elem != nil {
			elem(s)
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// stringEnd returns the index after the closing quote of the string that
// starts at b[i]. A string with a backslash is not read (it has escapes).
func stringEnd(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, true
		case '\\':
			return j, false
		}
	}
	return i, false
}

// plainString returns the content of the quoted string q if it is all
// printable ASCII (0x20–0x7e) without a backslash: exactly the strings
// whose JSON text is their value. Control characters are invalid JSON,
// and other bytes encoding/json would check as UTF-8 (replacing invalid
// sequences), so they are left to it.
func plainString(q []byte) ([]byte, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return nil, false
	}
	s := q[1 : len(q)-1]
	for _, c := range s {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return s, true
}

// isInteger reports whether b is a JSON number without fraction or
// exponent (RFC 8259 §6): an optional minus, then 0 or a digit 1–9
// followed by digits.
func isInteger(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '0' || b[0] > '9' {
		return false
	}
	if b[0] == '0' {
		return len(b) == 1
	}
	for _, c := range b[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace (RFC 8259 §2).
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
