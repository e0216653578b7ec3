package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// skillDir is the agent skill, laid out as `npx skills add` expects:
// skills/<name>/SKILL.md with its references beside it.
var skillDir = filepath.Join("..", "..", "skills", "authalla")

// TestSkillManifest checks SKILL.md's front matter (name and a description
// an assistant can decide on), that it names every framework, and that
// every reference it links to exists.
func TestSkillManifest(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(skillDir, "SKILL.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	front, body, ok := strings.Cut(strings.TrimPrefix(doc, "---\n"), "\n---\n")
	if !strings.HasPrefix(doc, "---\n") || !ok {
		t.Fatal("SKILL.md does not start with a --- front matter block")
	}
	fields := map[string]string{}
	for _, line := range strings.Split(front, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("front matter line %q is not key: value", line)
		}
		fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if fields["name"] != "authalla" {
		t.Errorf("name = %q, want authalla (the folder's name)", fields["name"])
	}
	if d := fields["description"]; len(d) < 100 || len(d) > 1024 || !strings.Contains(d, "Use when") {
		t.Errorf("description (%d characters) must say when to use the skill, in at most 1024 characters", len(d))
	}
	for _, fw := range Frameworks {
		if !strings.Contains(body, "`"+fw.Name+"`") || !strings.Contains(body, "references/"+fw.Name+".md") {
			t.Errorf("SKILL.md does not present the %s framework and its reference", fw.Name)
		}
	}
	for _, m := range regexp.MustCompile(`\]\((references/[^)]+)\)`).FindAllStringSubmatch(body, -1) {
		if _, err := os.Stat(filepath.Join(skillDir, m[1])); err != nil {
			t.Errorf("SKILL.md links to %s: %v", m[1], err)
		}
	}
	for _, name := range []string{"oauth21-rules.md", "tenant-and-client-setup.md", "troubleshooting.md", "mcp-setup.md"} {
		if !strings.Contains(body, "references/"+name) {
			t.Errorf("SKILL.md does not link references/%s", name)
		}
	}
}

// TestTroubleshootingCoversCommonErrors keeps the troubleshooting reference
// about the errors people actually hit.
func TestTroubleshootingCoversCommonErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(skillDir, "references", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"redirect_uri", "invalid_target", "CORS", "invalid_grant", "Clock skew", "at+jwt", "invalid_client"} {
		if !strings.Contains(string(raw), topic) {
			t.Errorf("troubleshooting.md does not cover %s", topic)
		}
	}
}
