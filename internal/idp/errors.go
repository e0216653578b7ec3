package idp

import "errors"

// Sentinel errors shared by every layer. Stores wrap them with context;
// callers test with errors.Is. The HTTP error mapper turns them into status
// codes, so their text must never carry secrets.
var (
	// ErrNotFound means the object does not exist in the given tenant. A
	// foreign tenant's object is reported as not found, never as forbidden.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule would be broken (duplicate id,
	// email, identifier, ...).
	ErrConflict = errors.New("conflict")
	// ErrAlreadyUsed means a single-use artifact (authorization code,
	// rotated refresh token, magic link) was presented a second time.
	ErrAlreadyUsed = errors.New("already used")
	// ErrExpired means an artifact exists but its lifetime is over.
	ErrExpired = errors.New("expired")
	// ErrInvalid means input failed validation; wrap it in a *ValidationError
	// to name the field.
	ErrInvalid = errors.New("invalid")
	// ErrForbidden means the caller is authenticated but lacks the right.
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable means a dependency (the database) cannot be reached;
	// the request may be retried.
	ErrUnavailable = errors.New("unavailable")
)

// ValidationError names the field that failed validation. It matches
// ErrInvalid with errors.Is.
type ValidationError struct {
	Field   string // JSON/flag name of the offending field
	Message string // human-readable, safe to show to the caller
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid builds a *ValidationError for field.
func Invalid(field, message string) error { return &ValidationError{Field: field, Message: message} }
