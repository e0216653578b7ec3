package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// checkFile compares got with the file at path, or rewrites the file when
// the test runs with -update.
func checkFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/integration -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s is out of date: %s (run go test ./internal/integration -update)", path, firstDiff(string(want), got))
	}
}

// firstDiff describes the first line where want and got differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ": file has " + quote(wl) + ", Generate gives " + quote(gl)
		}
	}
	return "no line differs"
}

func quote(s string) string { return "`" + s + "`" }

// TestGolden pins every framework's complete output for a local setup
// (path issuer, confidential or public client, API audience and scope).
func TestGolden(t *testing.T) {
	for _, fw := range registry {
		t.Run(fw.info.Name, func(t *testing.T) {
			res, err := Generate(localRequest(fw.info.Name, fw.info.ClientTypes[0]))
			if err != nil {
				t.Fatal(err)
			}
			checkFile(t, filepath.Join("testdata", fw.info.Name+".golden"), res.Markdown(fw.info.Description))
		})
	}
}

// TestSkillReferences checks that each framework reference of the agent
// skill is exactly what Generate emits for the placeholder request, so the
// skill teaches what generate_integration writes.
func TestSkillReferences(t *testing.T) {
	dir := filepath.Join("..", "..", "skills", "authalla", "references")
	for _, fw := range registry {
		t.Run(fw.info.Name, func(t *testing.T) {
			res, err := Generate(placeholderRequest(fw.info.Name))
			if err != nil {
				t.Fatal(err)
			}
			got := res.Markdown(fw.info.Description)
			path := filepath.Join(dir, fw.info.Name+".md")
			checkFile(t, path, got)
			if *update {
				return
			}
			// Every generated file appears verbatim in a code block.
			doc, _ := os.ReadFile(path)
			for _, f := range res.Files {
				if !strings.Contains(string(doc), "\n"+f.Content) {
					t.Errorf("%s lacks the code of %s", path, f.Path)
				}
			}
		})
	}
}
