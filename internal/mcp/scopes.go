package mcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
)

// maxBody bounds a JSON-RPC request body (a tool call is a few kilobytes).
const maxBody = 256 << 10

// anyMCPScope is the requirement of every method other than tools/call
// (initialize, ping, tools/list, notifications): any one MCP scope.
const anyMCPScope = "*"

// rpcMessage is the part of a JSON-RPC 2.0 message the scope check reads.
type rpcMessage struct {
	Method string `json:"method"`
	Params struct {
		Name string `json:"name"`
	} `json:"params"`
}

// requiredScopes reads the JSON-RPC body (bounded), puts it back for the
// SDK, and returns what the request needs: any MCP scope, plus the scope
// of each tool it calls (a batch, allowed by MCP 2025-03-26, needs them
// all). A body that is not JSON-RPC needs any MCP scope; the SDK then
// answers it. An unknown tool needs no more: the SDK reports it unknown.
func (s *Server) requiredScopes(w http.ResponseWriter, r *http.Request) ([]string, error) {
	need := []string{anyMCPScope}
	if r.Method != http.MethodPost || r.Body == nil {
		return need, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &httpx.APIError{Status: http.StatusRequestEntityTooLarge, Code: "request_too_large", Description: "The request body is too large."}
	}
	if err != nil {
		return nil, &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "The request body could not be read."}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var msgs []rpcMessage
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if json.Unmarshal(body, &msgs) != nil {
			return need, nil
		}
	} else {
		var m rpcMessage
		if json.Unmarshal(body, &m) != nil {
			return need, nil
		}
		msgs = []rpcMessage{m}
	}
	for _, m := range msgs {
		if m.Method != "tools/call" {
			continue
		}
		if sc, ok := s.toolScopes[m.Params.Name]; ok {
			need = append(need, sc)
		}
	}
	return need, nil
}
