package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestFaultsKeyRotation is SECURITY-TESTS 54: an in-process Authalla on a
// fake clock issues access tokens continuously while its signing key is
// rotated the staged way (published first, active after the JWKS max-age,
// the old key kept for the retention period) several times. Three
// verifiers check every token as it is issued and none may fail:
//   - jose's createRemoteJWKSet (Node, on the same fake clock);
//   - go-oidc's RemoteKeySet;
//   - a strict verifier that refetches the JWKS only when its Cache-Control
//     max-age has run out (maxAgeVerifier), never on an unknown kid.
//
// The JWKS is never empty and always holds the kid that signed the latest
// token. As a control, an immediate rotation (no publication period) must
// make the strict verifier fail: the test can tell a staged rotation from
// one that breaks caching relying parties.
//
// It runs once per signing algorithm, so the three verifiers also check
// that our RS256, ES256 (raw r||s, RFC 7518 §3.4) and EdDSA signatures are
// the ones they expect.
func TestFaultsKeyRotation(t *testing.T) {
	requireE2E(t)
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) { keyRotationUnderIssuance(t, alg) })
	}
}

// keyRotationUnderIssuance is TestFaultsKeyRotation with the tenant's keys
// of alg.
func keyRotationUnderIssuance(t *testing.T, alg string) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	h := oauthtest.New(t)
	tenantID := oauthtest.TenantA
	if _, err := h.Keys.Rotate(ctx, tenantID, alg, true); err != nil {
		t.Fatalf("switch to %s: %v", alg, err)
	}
	issuer := h.Issuer(tenantID)
	jwksURI := issuer + "/.well-known/jwks.json"
	c := faultClient(10 * time.Second)

	issue := func() string {
		t.Helper()
		a := postForm(ctx, c, issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}},
			oauthtest.BackendClient, h.Secret(tenantID, oauthtest.BackendClient))
		tok, _ := a.json()["access_token"].(string)
		if a.status != http.StatusOK || tok == "" {
			t.Fatalf("client_credentials: %v", a)
		}
		return tok
	}
	strict := &maxAgeVerifier{url: jwksURI, now: h.Clock.Now, c: c}
	remote := oidc.NewRemoteKeySet(oidc.ClientContext(ctx, c), jwksURI)
	node := startJoseVerifier(ctx, t, jwksURI, issuer)

	check := func(step int, tok string) {
		t.Helper()
		kid := tokenKID(t, tok)
		served := servedKIDs(ctx, t, c, jwksURI)
		if len(served) == 0 {
			t.Fatalf("step %d: the JWKS is empty (zitadel #7714)", step)
		}
		if !served[kid] {
			t.Fatalf("step %d: token signed with kid %s, which the JWKS does not serve (%v)", step, kid, served)
		}
		if err := strict.verify(tok); err != nil {
			t.Fatalf("step %d: the max-age verifier failed: %v", step, err)
		}
		if _, err := remote.VerifySignature(ctx, tok); err != nil {
			t.Fatalf("step %d: go-oidc RemoteKeySet failed: %v", step, err)
		}
		if node != nil {
			if res := node.verify(t, h.Clock.Now(), tok); res != "ok "+kid {
				t.Fatalf("step %d: jose createRemoteJWKSet: %s", step, res)
			}
		}
	}

	rotations := pick(3, 10)
	const step = time.Minute
	const stepsPerRotation = 12 // 12 min: longer than max-age + cache TTL (5.5 min)
	kids := map[string]bool{}
	tokens := 0
	for i := range rotations*stepsPerRotation + stepsPerRotation {
		if i > 0 && i%stepsPerRotation == 0 && i/stepsPerRotation <= rotations {
			if _, err := h.Keys.Rotate(ctx, tenantID, alg, false); err != nil {
				t.Fatalf("step %d: staged rotation: %v", i, err)
			}
		}
		// The server's maintenance moves staged keys along (internal/app
		// runs it periodically).
		if err := h.Keys.Maintain(ctx, tenantID); err != nil {
			t.Fatalf("step %d: maintain: %v", i, err)
		}
		for range 3 {
			tok := issue()
			check(i, tok)
			kids[tokenKID(t, tok)] = true
			tokens++
			h.Clock.Advance(step / 3)
		}
	}
	if header, _ := decodeJWT(t, issue()); header["alg"] != alg {
		t.Fatalf("tokens are signed with %v, want %s", header["alg"], alg)
	}
	if len(kids) < rotations+1 {
		t.Fatalf("tokens were signed with %d distinct keys over %d rotations: the keys did not rotate", len(kids), rotations)
	}
	t.Logf("%d tokens, %d keys, %d rotations: 0 failed validations; the max-age verifier fetched the JWKS %d times", tokens, len(kids), rotations, strict.fetches)

	// Control: an immediate rotation signs with a key relying parties have
	// not seen; the strict verifier, within its max-age, must notice.
	h.Clock.Advance(time.Second)
	_ = strict.verify(issue()) // the strict verifier's cache is fresh now
	if _, err := h.Keys.Rotate(ctx, tenantID, alg, true); err != nil {
		t.Fatalf("immediate rotation: %v", err)
	}
	h.Clock.Advance(time.Second)
	if err := strict.verify(issue()); err == nil {
		t.Fatal("control: the max-age verifier accepted a token of a key activated immediately; it cannot tell a staged rotation from a broken one")
	}
}

// maxAgeVerifier is the strictest caching relying party: it fetches the
// JWKS, keeps it for exactly the Cache-Control max-age (RFC 9111 §5.2.2.1)
// and refetches only then — never because a token names an unknown kid.
type maxAgeVerifier struct {
	url     string
	now     func() time.Time
	c       *http.Client
	set     *jose.JSONWebKeySet
	until   time.Time
	fetches int
}

var maxAgeRe = regexp.MustCompile(`max-age=(\d+)`)

func (v *maxAgeVerifier) verify(raw string) error {
	now := v.now()
	if v.set == nil || !now.Before(v.until) {
		resp, err := v.c.Get(v.url)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := maxAgeRe.FindStringSubmatch(resp.Header.Get("Cache-Control"))
		if m == nil {
			return fmt.Errorf("JWKS without a max-age: %q", resp.Header.Get("Cache-Control"))
		}
		age, _ := strconv.Atoi(m[1])
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(body, &set); err != nil {
			return fmt.Errorf("JWKS: %w", err)
		}
		v.set, v.until = &set, now.Add(time.Duration(age)*time.Second)
		v.fetches++
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA, jose.PS256})
	if err != nil {
		return err
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := v.set.Key(kid)
	if len(keys) == 0 {
		return fmt.Errorf("kid %s is not in the JWKS cached until %s", kid, v.until.Format(time.TimeOnly))
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return err
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return err
	}
	if now.Unix() >= claims.Exp {
		return errors.New("expired")
	}
	return nil
}

// tokenKID reads the kid of a JWT's header.
func tokenKID(t *testing.T, tok string) string {
	t.Helper()
	header, _ := decodeJWT(t, tok)
	kid, _ := header["kid"].(string)
	return kid
}

// servedKIDs fetches the JWKS and returns its kids.
func servedKIDs(ctx context.Context, t *testing.T, c *http.Client, u string) map[string]bool {
	t.Helper()
	a := send(c, mustGet(ctx, u))
	var set jose.JSONWebKeySet
	if a.status != http.StatusOK || json.Unmarshal(a.body, &set) != nil {
		t.Fatalf("JWKS: %v", a)
	}
	out := map[string]bool{}
	for _, k := range set.Keys {
		out[k.KeyID] = true
	}
	return out
}

// joseVerifier is the Node process of faults-jwks-verifier.mjs.
type joseVerifier struct {
	in  io.Writer
	out *bufio.Scanner
}

// startJoseVerifier starts the Node verifier, or returns nil with a log
// line when node is not installed outside CI.
func startJoseVerifier(ctx context.Context, t *testing.T, jwksURI, issuer string) *joseVerifier {
	t.Helper()
	dir := ensureNodeModules(ctx, t)
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "faults-jwks-verifier.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "JWKS_URI="+jwksURI, "ISSUER="+issuer)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("node: %v", err)
	}
	t.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("jose verifier stderr:\n%s", stderr.String())
		}
	})
	v := &joseVerifier{in: in, out: bufio.NewScanner(out)}
	if !v.out.Scan() || v.out.Text() != "listening on stdin" {
		t.Fatalf("the jose verifier did not start: %q %v\n%s", v.out.Text(), v.out.Err(), stderr.String())
	}
	return v
}

// verify sends one token with the fake clock's time and reads the verdict.
func (v *joseVerifier) verify(t *testing.T, now time.Time, tok string) string {
	t.Helper()
	if _, err := fmt.Fprintf(v.in, "%d %s\n", now.UnixMilli(), tok); err != nil {
		t.Fatalf("jose verifier: %v", err)
	}
	if !v.out.Scan() {
		t.Fatalf("jose verifier exited: %v", v.out.Err())
	}
	return v.out.Text()
}
