package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"
)

// tsCol scans a NOT NULL time column (unix microseconds on SQLite,
// TIMESTAMPTZ on PostgreSQL) into a UTC time.Time.
type tsCol struct{ dst *time.Time }

func ts(dst *time.Time) tsCol { return tsCol{dst} }

func (c tsCol) Scan(v any) error {
	t, ok, err := scanTime(v)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("sqlstore: unexpected NULL time")
	}
	*c.dst = t
	return nil
}

// nullTSCol scans a nullable time column; NULL is nil.
type nullTSCol struct{ dst **time.Time }

func nullTS(dst **time.Time) nullTSCol { return nullTSCol{dst} }

func (c nullTSCol) Scan(v any) error {
	t, ok, err := scanTime(v)
	if err != nil {
		return err
	}
	if !ok {
		*c.dst = nil
		return nil
	}
	*c.dst = &t
	return nil
}

func scanTime(v any) (time.Time, bool, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case int64:
		return time.UnixMicro(x).UTC(), true, nil
	case time.Time:
		return time.UnixMicro(x.UnixMicro()).UTC(), true, nil
	}
	return time.Time{}, false, fmt.Errorf("sqlstore: cannot scan %T as a time", v)
}

// strCol scans a nullable text column; NULL is "".
type strCol struct{ dst *string }

func str(dst *string) strCol { return strCol{dst} }

func (c strCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.dst = ""
	case string:
		*c.dst = x
	case []byte:
		*c.dst = string(x)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as text", v)
	}
	return nil
}

// jsonCol scans JSON text into dst (a pointer to a slice or map). Empty
// JSON arrays and objects leave dst nil.
type jsonCol struct{ dst any }

func jsonOf(dst any) jsonCol { return jsonCol{dst} }

func (c jsonCol) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as JSON", v)
	}
	switch string(b) {
	case "", "null", "[]", "{}":
		return nil
	}
	if err := json.Unmarshal(b, c.dst); err != nil {
		return fmt.Errorf("sqlstore: decode JSON column: %w", err)
	}
	return nil
}

// jsonList encodes a list as JSON text; nil is "[]".
func jsonList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	// Lists of strings and of plain structs of strings cannot fail to encode.
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonMap encodes a string map as JSON text; nil is "{}".
func jsonMap(v map[string]string) string {
	if len(v) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(v) // a map of strings cannot fail to encode
	return string(b)
}

// jsonValue encodes a struct as JSON text.
func jsonValue(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode JSON: %w", err)
	}
	return string(b), nil
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }
