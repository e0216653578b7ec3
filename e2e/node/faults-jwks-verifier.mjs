// A relying party's token check with jose's createRemoteJWKSet, driven by
// the signing-key rotation fault test (e2e/faults_rotation_test.go,
// SECURITY-TESTS 54). The test runs the IdP on a fake clock, so this
// process runs on the same clock: every input line is
// "<unix ms of the fake clock> <JWT>", Date.now() answers that time (jose
// uses it for its JWKS cache and cooldown), and jwtVerify checks exp/iat
// at that time. It prints one line per token: "ok <kid>" or
// "fail <reason>". Environment: JWKS_URI, ISSUER.
import { createInterface } from 'node:readline';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';

const { JWKS_URI, ISSUER } = process.env;
if (!JWKS_URI || !ISSUER) {
  console.error('JWKS_URI and ISSUER are required');
  process.exit(2);
}

let fakeNow = Date.now();
Date.now = () => fakeNow;

// jose's defaults: keys cached for 10 minutes, at most one refetch per
// 30 s when a token names a kid the cached set lacks.
const jwks = createRemoteJWKSet(new URL(JWKS_URI));

console.log('listening on stdin');
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const [ms, token] = line.trim().split(' ');
  if (!token) continue;
  fakeNow = Number(ms);
  try {
    const { kid } = decodeProtectedHeader(token);
    await jwtVerify(token, jwks, { issuer: ISSUER, currentDate: new Date(fakeNow) });
    console.log(`ok ${kid}`);
  } catch (err) {
    console.log(`fail ${err.code ?? err.name}: ${err.message}`.replaceAll('\n', ' '));
  }
}
