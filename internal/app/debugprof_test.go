package app

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestServeDebugProfiles: with AUTHALLA_DEBUG_CPU_PROFILE and
// AUTHALLA_DEBUG_HEAP_PROFILE set, serve writes both profiles (pprof's
// gzipped protocol buffers, readable only by the owner) when it stops;
// without them it writes nothing (TestServe runs with an empty environment).
func TestServeDebugProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, heap := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "heap.pprof")
	getenv := func(k string) string {
		switch k {
		case cpuProfileEnv:
			return cpu
		case heapProfileEnv:
			return heap
		}
		return ""
	}
	_, base, stop, stderr := startServeEnv(t, filepath.Join(dir, "data"), getenv)
	res, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d; stderr:\n%s", code, stderr.String())
	}
	for _, path := range []string{cpu, heap} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("profile not written: %v", err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a gzipped pprof profile (starts %x)", filepath.Base(path), b[:min(len(b), 4)])
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", filepath.Base(path), st.Mode().Perm())
		}
	}
}
