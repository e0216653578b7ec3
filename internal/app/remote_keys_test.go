package app

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// testRemoteKeyLifecycle runs keys stage/activate/retire against the API
// and locally on the tenant "shop", checking that both print the same
// JSON shape and that the API's refusals reach stderr.
func testRemoteKeyLifecycle(t *testing.T, e *env, dataDir string) {
	run := func(local bool, args ...string) map[string]any {
		t.Helper()
		args = append(append([]string{"keys"}, args...), "--tenant", "shop", "--json")
		if local {
			args = append(args, "--local", "--data-dir", dataDir)
		}
		code, out, errs := cliRun(t, e, args...)
		if code != 0 {
			t.Fatalf("%v: %d\n%s\n%s", args, code, out, errs)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return v
	}
	sameShape := func(what string, remote, local map[string]any) {
		t.Helper()
		if r, l := shape(remote), shape(local); !slices.Equal(r, l) {
			t.Errorf("%s: remote fields %v, local fields %v", what, r, l)
		}
	}

	rs, ls := run(false, "stage", "--alg", "ES256"), run(true, "stage", "--alg", "ES256")
	sameShape("stage", rs, ls)
	if rs["state"] != "staged" || rs["alg"] != "ES256" {
		t.Fatalf("remote stage: %v", rs)
	}
	rkid, lkid := rs["id"].(string), ls["id"].(string)

	code, _, errs := cliRun(t, e, "keys", "activate", "--tenant", "shop", "--kid", rkid)
	if code != 1 || !strings.Contains(errs, "max-age") || strings.Contains(errs, "{") {
		t.Fatalf("early remote activation: %d %q", code, errs)
	}
	if code, _, errs := cliRun(t, e, "keys", "retire", "--tenant", "shop"); code != 2 || !strings.Contains(errs, "--kid") {
		t.Fatalf("retire without --kid: %d %q", code, errs)
	}

	ra := run(false, "activate", "--kid", rkid, "--force")
	if ra["id"] != rkid || ra["retired"] == nil {
		t.Fatalf("remote activate: %v", ra)
	}
	la := run(true, "activate", "--kid", lkid, "--force")
	sameShape("activate", ra, la)

	// rkid is retired now (a no-op); a fresh staged key is removed.
	rr := run(false, "retire", "--kid", rkid)
	lr := run(true, "retire", "--kid", rkid)
	sameShape("retire", rr, lr)
	if rr["removed"] != false || lr["removed"] != false {
		t.Fatalf("retire of a retired key: %v / %v", rr, lr)
	}
	gone := run(false, "stage")["id"].(string)
	if r := run(false, "retire", "--kid", gone); r["removed"] != true {
		t.Fatalf("remote retire of a staged key: %v", r)
	}
	code, _, errs = cliRun(t, e, "keys", "retire", "--tenant", "shop", "--kid", lkid)
	if code != 1 || !strings.Contains(errs, "activate another key first") {
		t.Fatalf("remote retire of the active key: %d %q", code, errs)
	}
}

// shape lists the JSON paths of v (objects nested), sorted.
func shape(v map[string]any) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		out = append(out, k)
		if m, ok := v[k].(map[string]any); ok {
			for _, sub := range shape(m) {
				out = append(out, k+"."+sub)
			}
		}
	}
	return out
}
