package secret

import (
	"bytes"
	"testing"
)

func TestDeriveKey(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	other := bytes.Repeat([]byte{8}, 32)
	a, err := DeriveKey(master, "label a")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := DeriveKey(master, "label a")
	b, _ := DeriveKey(master, "label b")
	c, _ := DeriveKey(other, "label a")
	if len(a) != 32 {
		t.Fatalf("key length %d, want 32", len(a))
	}
	if !bytes.Equal(a, again) {
		t.Fatal("same master and label gave different keys")
	}
	if bytes.Equal(a, b) || bytes.Equal(a, c) || bytes.Equal(a, master) {
		t.Fatal("distinct labels or masters gave the same key, or the key is the master")
	}
	if _, err := DeriveKey(master[:16], "label a"); err == nil {
		t.Fatal("a 16-byte master key was accepted")
	}
}
