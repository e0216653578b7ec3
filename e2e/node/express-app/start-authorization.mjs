// startAuthorization handler (Authorization Code + PKCE), copied from the
// integration guide (seed/oauth2-integration.md). Changed: issuer, clientId
// and redirectUri come from the environment, and discovery gets
// openid-client's allowInsecureRequests because the end-to-end test serves
// Authalla over plain HTTP on loopback.
import * as client from 'openid-client'
const issuer = new URL(process.env.ISSUER)
const clientId = process.env.CLIENT_ID
const redirectUri = process.env.REDIRECT_URI
export async function startAuthorization(req, res, next) {
try {
const config = await client.discovery(issuer, clientId, undefined, undefined, { execute: [client.allowInsecureRequests] }) // plain-HTTP loopback only
const codeVerifier = client.randomPKCECodeVerifier()
const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier)
const state = client.randomState()
req.session.oauth = { codeVerifier, state }
const authorizationUrl = client.buildAuthorizationUrl(config, {
redirect_uri: redirectUri,
scope: 'openid profile email',
state,
code_challenge: codeChallenge,
code_challenge_method: 'S256',
})
res.redirect(authorizationUrl.href)
} catch (error) {
next(error)
}
}
