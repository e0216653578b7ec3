package arch

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/authalla/authalla/"

type pkg struct {
	ImportPath string
	Deps       []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json=ImportPath,Deps", mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rule: packages under `from` must not depend (transitively) on any of `forbidden`.
type rule struct {
	from      string
	forbidden []string
	why       string
}

var rules = []rule{
	{"internal/idp", []string{mod}, "idp is the vocabulary: standard library only"},
	{"internal/store", []string{mod + "internal/store/sqlstore", mod + "internal/oauth", mod + "internal/login", mod + "internal/manage", mod + "internal/server"}, "store contracts depend on idp only"},
	{"internal/oauth", []string{mod + "internal/login", mod + "internal/page", mod + "internal/store/sqlstore", "html/template", "database/sql", mod + "internal/manage", mod + "internal/server"}, "oauth never renders HTML, never runs SQL, never imports login"},
	{"internal/login", []string{mod + "internal/oauth", mod + "internal/store/sqlstore", "database/sql", mod + "internal/manage", mod + "internal/server"}, "login never imports oauth (it finishes requests through an interface) and never runs SQL"},
	{"internal/manage", []string{mod + "internal/oauth", mod + "internal/login", mod + "internal/store/sqlstore", "database/sql", mod + "internal/server", mod + "internal/app"}, "manage sits on the store contracts"},
	{"internal/api", []string{mod + "internal/store/sqlstore", "database/sql"}, "api goes through manage"},
	{"internal/admin", []string{mod + "internal/store/sqlstore", "database/sql"}, "admin goes through manage"},
	{"internal/mcp", []string{mod + "internal/store/sqlstore", "database/sql", mod + "internal/oauth", mod + "internal/login", mod + "internal/api", mod + "internal/admin", mod + "internal/server"}, "mcp goes through manage; it satisfies oauth's DerivedResources structurally"},
	{"internal/bearer", []string{mod + "internal/store/sqlstore", "database/sql", mod + "internal/manage", mod + "internal/oauth", mod + "internal/login", mod + "internal/api", mod + "internal/admin", mod + "internal/mcp", mod + "internal/server"}, "bearer verifies tokens with keys and a revocation interface only"},
	{"internal/view", []string{mod + "internal/store/sqlstore", "database/sql", mod + "internal/oauth", mod + "internal/login", mod + "internal/api", mod + "internal/mcp", mod + "internal/admin", mod + "internal/server", mod + "internal/app"}, "view is the JSON shapes the surfaces share: it sits on idp and manage, below every surface"},
	{"internal/server", []string{mod + "internal/app"}, "server is below app"},
	{"internal/tenant", []string{mod + "internal/oauth", mod + "internal/login", mod + "internal/store/sqlstore"}, "tenant resolution is a leaf"},
	{"internal/keys", []string{mod + "internal/oauth", mod + "internal/login", mod + "internal/store/sqlstore", "database/sql"}, "keys sits on the store contracts"},
	{"internal/metrics/cachestat", []string{mod, "github.com/"}, "cachestat is the seam between caches and metrics: standard library only"},
	{"internal/flatjson", []string{mod, "github.com/", "golang.org/"}, "flatjson reads bytes for the token paths: standard library only"},
	{"internal", []string{mod + "internal/pgtest"}, "pgtest is for tests only"},
	{"cmd", []string{mod + "internal/pgtest"}, "pgtest is for tests only"},
	{"bench", []string{mod + "internal/pgtest"}, "pgtest is for tests only"},
	{"internal/metrics", []string{mod + "internal/oauth", mod + "internal/login", mod + "internal/store", mod + "internal/server", mod + "internal/app"}, "metrics knows no domain package: they reach it through their own small interfaces"},
}

// promFree are the packages that count events without importing
// Prometheus: they define the small interface they call (oauth.Metrics,
// login.Metrics, httpx.RequestObserver) or take a cachestat.Recorder, and
// internal/metrics implements them.
var promFree = []string{"internal/idp", "internal/store", "internal/oauth", "internal/login", "internal/httpx",
	"internal/tenant", "internal/keys", "internal/manage", "internal/bearer", "internal/session", "internal/page"}

func init() {
	for _, p := range promFree {
		rules = append(rules, rule{p, []string{"github.com/prometheus/", mod + "internal/metrics"}, "metrics reach " + p + " through its own interfaces, never Prometheus"})
	}
}

func TestImportDirection(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		for _, r := range rules {
			if rel != r.from && !strings.HasPrefix(rel, r.from+"/") {
				continue
			}
			if strings.HasSuffix(rel, "test") { // test harness packages may wire real parts
				continue
			}
			for _, d := range p.Deps {
				for _, f := range r.forbidden {
					if d == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(d, f)) {
						t.Errorf("%s imports %s: %s", rel, d, r.why)
					}
				}
			}
		}
	}
}
