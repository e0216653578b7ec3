package changes

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// maxPayload is below PostgreSQL's 8000-byte limit on a notification
// payload (NOTIFY, "payload must be shorter than 8000 bytes").
const maxPayload = 7900

// envelope is a notification's JSON: the publishing node and the change.
type envelope struct {
	Node string `json:"n"`
	idp.Change
}

// encode renders a notification payload. An id too long for a payload
// (a URL client id, say) is left out: the change then names every object
// of its kind in the tenant, which is safe, only broader.
func encode(node string, ch idp.Change) string {
	b, err := json.Marshal(envelope{Node: node, Change: ch})
	if err == nil && len(b) <= maxPayload {
		return string(b)
	}
	ch.ID = ""
	b, _ = json.Marshal(envelope{Node: node, Change: ch}) // strings only: cannot fail
	return string(b)
}

// decode parses a notification payload.
func decode(payload string) (node string, ch idp.Change, err error) {
	var e envelope
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		return "", idp.Change{}, fmt.Errorf("changes: payload: %w", err)
	}
	if e.Node == "" {
		return "", idp.Change{}, errors.New("changes: payload names no node")
	}
	return e.Node, e.Change, nil
}
