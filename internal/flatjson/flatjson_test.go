package flatjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
)

// walk reads b with Walk into a map of the values Value's methods give:
// string, int64 (or the raw text of an integer that does not fit) and
// []string.
func walk(b []byte) (map[string]any, bool) {
	out := map[string]any{}
	ok := Walk(b, func(name string, v Value) bool {
		switch {
		case bytes.HasPrefix(v.raw, []byte(`"`)):
			s, ok := v.Text()
			out[name] = s
			return ok
		case bytes.HasPrefix(v.raw, []byte(`[`)):
			l, ok := v.Strings()
			out[name] = l
			return ok
		default:
			n, ok := v.Int()
			if !ok {
				out[name] = string(v.raw) // too large for an int64
				return true
			}
			out[name] = n
			return true
		}
	})
	return out, ok
}

// decode reads b with encoding/json into the same shapes as walk.
func decode(t *testing.T, b []byte) (map[string]any, error) {
	var raw map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, strconv.ErrSyntax
	}
	out := map[string]any{}
	for k, v := range raw {
		switch v := v.(type) {
		case json.Number:
			if n, err := v.Int64(); err == nil {
				out[k] = n
			} else {
				out[k] = v.String()
			}
		case []any:
			l := []string{}
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					t.Fatalf("array element %v is not a string", e)
				}
				l = append(l, s)
			}
			out[k] = l
		default:
			out[k] = v
		}
	}
	return out, nil
}

func TestWalk(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]any // nil: Walk must refuse
	}{
		{"claims", `{"iss":"https://t.example","aud":"api","exp":1700000000,"nbf":-5,"scope":"a b"}`,
			map[string]any{"iss": "https://t.example", "aud": "api", "exp": int64(1700000000), "nbf": int64(-5), "scope": "a b"}},
		{"audience array", ` { "aud" : [ "a" , "b" ] , "x" : [ ] } `, map[string]any{"aud": []string{"a", "b"}, "x": []string{}}},
		{"empty object", `{}`, map[string]any{}},
		{"zero", `{"n":0}`, map[string]any{"n": int64(0)}},
		{"escape", `{"a":"x\"y"}`, nil},
		{"escaped name", `{"\u0061":"x"}`, nil},
		{"non-ASCII", `{"a":"é"}`, nil},
		{"control character", "{\"a\":\"x\ty\"}", nil},
		{"fraction", `{"exp":1.5}`, nil},
		{"exponent", `{"exp":1e9}`, nil},
		{"leading zero", `{"exp":01}`, nil},
		{"minus alone", `{"exp":-}`, nil},
		{"null", `{"exp":null}`, nil},
		{"boolean", `{"a":true}`, nil},
		{"nested object", `{"a":{"b":"c"}}`, nil},
		{"array of numbers", `{"a":[1]}`, nil},
		{"trailing comma", `{"a":"b",}`, nil},
		{"trailing comma in array", `{"a":["b",]}`, nil},
		{"missing colon", `{"a" "b"}`, nil},
		{"trailing data", `{"a":"b"} {}`, nil},
		{"unterminated", `{"a":"b"`, nil},
		{"not an object", `["a"]`, nil},
		{"empty", ``, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := walk([]byte(tc.in))
			if tc.want == nil {
				if ok {
					t.Fatalf("Walk accepted %s as %v", tc.in, got)
				}
				return
			}
			if !ok || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Walk(%s) = %v, %v; want %v", tc.in, got, ok, tc.want)
			}
		})
	}
}

// TestWalkStops: a member callback that returns false ends the walk.
func TestWalkStops(t *testing.T) {
	calls := 0
	if Walk([]byte(`{"a":"1","b":"2"}`), func(string, Value) bool { calls++; return false }) || calls != 1 {
		t.Fatalf("Walk went on after a refusal (%d calls)", calls)
	}
}

// FuzzWalk: whatever Walk accepts, encoding/json accepts too and decodes
// to the same values.
func FuzzWalk(f *testing.F) {
	for _, s := range []string{
		`{"iss":"https://t.example","aud":["a","b"],"exp":1700000000,"jti":"x"}`,
		`{"a":99999999999999999999}`, `{"a":"b","a":"c"}`, `{}`, `{"a":[]}`, `{"a":-0}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := walk(b)
		if !ok {
			return
		}
		want, err := decode(t, b)
		if err != nil {
			t.Fatalf("Walk accepted %q, encoding/json refuses it: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Walk(%q) = %v, encoding/json = %v", b, got, want)
		}
	})
}
