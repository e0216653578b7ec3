package app

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// strList is a repeatable string flag.
type strList []string

func (l *strList) String() string { return strings.Join(*l, ",") }

// Set appends one value.
func (l *strList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// parseInterleaved parses fs over args, allowing positional arguments
// between flags ("client get ID --tenant T"). It returns the positional
// arguments and the names of the flags that were set.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, map[string]bool, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return pos, set, nil
}

// usageError is a command-line mistake: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// isUsage reports whether err is a usage or configuration error.
func isUsage(err error) bool {
	var u *usageError
	var c *configError
	return errors.As(err, &u) || errors.As(err, &c)
}

// configError is bad configuration (a setting's value): exit code 2.
type configError struct{ err error }

func (e *configError) Error() string { return "configuration: " + e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// patch helpers: a pointer when the flag was set, nil otherwise.

func strIf(set map[string]bool, name, v string) *string {
	if !set[name] {
		return nil
	}
	return &v
}

func boolIf(set map[string]bool, name string, v bool) *bool {
	if !set[name] {
		return nil
	}
	return &v
}

func intIf(set map[string]bool, name string, v int) *int {
	if !set[name] {
		return nil
	}
	return &v
}

func listIf(set map[string]bool, name string, v []string) *[]string {
	if !set[name] {
		return nil
	}
	out := append([]string{}, v...)
	return &out
}
