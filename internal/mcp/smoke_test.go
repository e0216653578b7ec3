package mcp_test

import "testing"

func TestSmoke(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	var me struct {
		Email string `json:"email"`
	}
	ok(t, cs, "get_me", map[string]any{}, &me)
	if me.Email != "root@example.com" {
		t.Fatalf("me = %+v", me)
	}
}
