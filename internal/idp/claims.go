package idp

import (
	"encoding/json"
	"errors"
)

// Audience is a JWT `aud` claim. RFC 7519 §4.1.3 allows a single string or
// an array; it is written as a string when there is one audience (RFC 9068
// §3 recommends that form for a single resource) and read in either form.
type Audience []string

// MarshalJSON writes one audience as a string and several as an array.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON reads either form.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// Contains reports whether s is one of the audiences.
func (a Audience) Contains(s string) bool {
	for _, x := range a {
		if x == s {
			return true
		}
	}
	return false
}
