package view

// NonNil returns s, or an empty slice for nil, so that an empty list is
// written as JSON [] rather than null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
