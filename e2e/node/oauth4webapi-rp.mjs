// A second, independent relying party for the end-to-end test, built on
// oauth4webapi 3: authorization code + PKCE S256 with state and nonce, the
// RFC 9207 `iss` authorization-response parameter required and checked, then
// refresh-token rotation and reuse detection (RFC 9700 §4.14.2): two
// rotations, a replay of the first refresh token, and a check that the replay
// revoked the whole family (the newest refresh token fails too).
//
// Environment: ISSUER, CLIENT_ID, REDIRECT_URI (http://127.0.0.1:<PORT>/callback),
// PORT. Routes: GET /start (redirects to the authorization endpoint),
// GET /callback (runs the whole check), GET /result (the outcome as JSON:
// {"done": true, "ok": bool, "steps": [...], "error": "..."}).
import http from 'node:http'
import * as oauth from 'oauth4webapi'

for (const name of ['ISSUER', 'CLIENT_ID', 'REDIRECT_URI', 'PORT']) {
  if (!process.env[name]) {
    console.error(`oauth4webapi-rp: ${name} is not set`)
    process.exit(2)
  }
}

const issuer = new URL(process.env.ISSUER)
const client = { client_id: process.env.CLIENT_ID }
const clientAuth = oauth.None() // a public (spa) client: PKCE, no secret
const redirectUri = process.env.REDIRECT_URI
// Authalla runs over plain HTTP on loopback in the test.
const insecure = { [oauth.allowInsecureRequests]: true }

let pending = null // the one authorization request in flight
let result = { done: false }

async function discover() {
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure })
  const as = await oauth.processDiscoveryResponse(issuer, response)
  // RFC 9207 §3: an AS that always sends `iss` says so in its metadata; with
  // this set, validateAuthResponse rejects a response without `iss`.
  if (as.authorization_response_iss_parameter_supported !== true) {
    throw new Error('discovery: authorization_response_iss_parameter_supported is not true')
  }
  return as
}

async function start(res) {
  const as = await discover()
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier)
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  pending = { codeVerifier, state, nonce }
  result = { done: false }
  const url = new URL(as.authorization_endpoint)
  url.searchParams.set('client_id', client.client_id)
  url.searchParams.set('redirect_uri', redirectUri)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('scope', 'openid email offline_access')
  url.searchParams.set('code_challenge', codeChallenge)
  url.searchParams.set('code_challenge_method', 'S256')
  url.searchParams.set('state', state)
  url.searchParams.set('nonce', nonce)
  res.writeHead(302, { Location: url.href }).end()
}

// refresh performs one refresh_token grant and returns the parsed response,
// or the OAuth error code when the server refused it.
async function refresh(as, refreshToken) {
  const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, insecure)
  try {
    return { tokens: await oauth.processRefreshTokenResponse(as, client, response) }
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) return { error: err.error, status: err.status }
    throw err
  }
}

async function callback(reqUrl) {
  if (!pending) throw new Error('callback without a pending authorization request')
  const { codeVerifier, state, nonce } = pending
  pending = null
  const steps = []
  const as = await discover()
  const currentUrl = new URL(reqUrl, redirectUri)
  // RFC 9207 §2.4: the `iss` parameter must equal the issuer identifier.
  if (currentUrl.searchParams.get('iss') !== as.issuer) {
    throw new Error(`authorization response iss ${JSON.stringify(currentUrl.searchParams.get('iss'))} != ${as.issuer}`)
  }
  const params = oauth.validateAuthResponse(as, client, currentUrl, state)
  steps.push('authorization response valid (state, iss)')

  const codeResponse = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, codeVerifier, insecure)
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse, { expectedNonce: nonce, requireIdToken: true })
  const claims = oauth.getValidatedIdTokenClaims(tokens)
  if (!tokens.refresh_token) throw new Error('code exchange returned no refresh_token (offline_access)')
  steps.push(`code exchanged (sub ${claims.sub}, nonce checked)`)

  const rt0 = tokens.refresh_token
  const first = await refresh(as, rt0)
  if (!first.tokens) throw new Error(`first rotation failed: ${first.error}`)
  const rt1 = first.tokens.refresh_token
  if (!rt1 || rt1 === rt0) throw new Error('first rotation did not issue a new refresh token')
  steps.push('rotation 1')

  const second = await refresh(as, rt1)
  if (!second.tokens) throw new Error(`second rotation failed: ${second.error}`)
  const rt2 = second.tokens.refresh_token
  if (!rt2 || rt2 === rt1 || rt2 === rt0) throw new Error('second rotation did not issue a new refresh token')
  steps.push('rotation 2')

  const replay = await refresh(as, rt0)
  if (replay.error !== 'invalid_grant') {
    throw new Error(`replaying the first refresh token: want invalid_grant, got ${replay.error || 'new tokens'}`)
  }
  steps.push('replay of the first refresh token refused (invalid_grant)')

  const newest = await refresh(as, rt2)
  if (newest.error !== 'invalid_grant') {
    throw new Error(`newest refresh token after the replay: want invalid_grant (family revoked), got ${newest.error || 'new tokens'}`)
  }
  steps.push('family revoked: the newest refresh token is refused (invalid_grant)')
  return { done: true, ok: true, sub: claims.sub, email: claims.email, steps }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1')
  try {
    if (req.method === 'GET' && url.pathname === '/start') return await start(res)
    if (req.method === 'GET' && url.pathname === '/callback') {
      try {
        result = await callback(req.url)
      } catch (err) {
        console.error('oauth4webapi-rp:', err)
        result = { done: true, ok: false, error: `${err.name}: ${err.message}${err.error ? ` (${err.error})` : ''}` }
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      return res.end(`<!doctype html><title>RP</title><p id="status">${result.ok ? 'ok' : 'failed'}</p>`)
    }
    if (req.method === 'GET' && url.pathname === '/result') {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      return res.end(JSON.stringify(result))
    }
    res.writeHead(404).end()
  } catch (err) {
    console.error('oauth4webapi-rp:', err)
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`error: ${err.message}`)
  }
})
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(`oauth4webapi-rp listening on http://127.0.0.1:${server.address().port}`)
})
