package cachestat

// Recorder counts the lookups of one cache. Implementations are safe for
// concurrent use and cheap enough to call on every lookup.
type Recorder interface {
	// Hit counts a lookup answered from the cache.
	Hit()
	// Miss counts a lookup that had to load from the source (absent,
	// expired or invalidated entry).
	Miss()
}

// Nop is a Recorder that counts nothing: the default when no metrics are
// wired (command-line tools, unit tests).
type Nop struct{}

// Hit does nothing.
func (Nop) Hit() {}

// Miss does nothing.
func (Nop) Miss() {}

// Or returns r, or Nop when r is nil, so that a cache can call its
// recorder without nil checks.
func Or(r Recorder) Recorder {
	if r == nil {
		return Nop{}
	}
	return r
}
