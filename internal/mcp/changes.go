package mcp

import (
	"encoding/json"
	"reflect"
	"slices"
)

// fieldChange is one field a write changes (or, in a dry run, would
// change), shown as JSON values.
type fieldChange struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// diff lists the JSON fields whose values differ between before and after
// (views of the same object), nested objects as dotted paths
// ("light.primary_color"), in path order; ignore names fields that always
// change (timestamps).
func diff(before, after any, ignore ...string) []fieldChange {
	a, b := jsonFields(before), jsonFields(after)
	var names []string
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	out := []fieldChange{}
	for _, k := range names {
		if slices.Contains(ignore, k) || reflect.DeepEqual(a[k], b[k]) {
			continue
		}
		out = append(out, fieldChange{Field: k, From: a[k], To: b[k]})
	}
	return out
}

// jsonFields flattens the JSON object of v into path → value.
func jsonFields(v any) map[string]any {
	m := map[string]any{}
	if b, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	out := map[string]any{}
	flatten("", m, out)
	return out
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = v
	}
}
