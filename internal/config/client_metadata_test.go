package config

import (
	"io"
	"strings"
	"testing"
)

func TestClientIDMetadataDocumentsSetting(t *testing.T) {
	tests := map[string]struct {
		args []string
		env  map[string]string
		want bool
	}{
		"off by default":     {nil, nil, false},
		"environment on":     {nil, map[string]string{"AUTHALLA_CLIENT_ID_METADATA_DOCUMENTS": "true"}, true},
		"flag on":            {[]string{"--client-id-metadata-documents"}, nil, true},
		"flag overrides env": {[]string{"--client-id-metadata-documents=false"}, map[string]string{"AUTHALLA_CLIENT_ID_METADATA_DOCUMENTS": "1"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := Load("serve", tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.ClientIDMetadataDocuments != tc.want {
				t.Fatalf("ClientIDMetadataDocuments = %v, want %v", c.ClientIDMetadataDocuments, tc.want)
			}
		})
	}
	_, err := Load("serve", nil, env(map[string]string{"AUTHALLA_CLIENT_ID_METADATA_DOCUMENTS": "maybe"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "AUTHALLA_CLIENT_ID_METADATA_DOCUMENTS") {
		t.Fatalf("bad boolean: %v", err)
	}
}
