// callback handler (exchange code for tokens), copied from the integration
// guide (seed/oauth2-integration.md). Changed: issuer and clientId come from
// the environment, and discovery gets openid-client's allowInsecureRequests
// because the end-to-end test serves Authalla over plain HTTP on loopback.
import * as client from 'openid-client'
const issuer = new URL(process.env.ISSUER)
const clientId = process.env.CLIENT_ID
export async function callback(req, res, next) {
try {
const config = await client.discovery(issuer, clientId, undefined, undefined, { execute: [client.allowInsecureRequests] }) // plain-HTTP loopback only
const currentUrl = new URL(req.originalUrl, `${req.protocol}://${req.get('host')}`)
const { codeVerifier, state } = req.session.oauth || {}
const tokens = await client.authorizationCodeGrant(config, currentUrl, {
pkceCodeVerifier: codeVerifier,
expectedState: state,
})
const claims = tokens.claims()
req.session.tokens = tokens
req.session.user = { sub: claims.sub, email: claims.email }
res.redirect('/app')
} catch (error) {
next(error)
}
}
