// authorize middleware (validate access tokens), copied from the integration
// guide (seed/oauth2-integration.md). Changed: issuer and audience come from
// the environment.
import * as jose from 'jose'
const issuer = process.env.ISSUER
const audience = process.env.AUDIENCE
const jwks = jose.createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`))
export async function authorize(req, res, next) {
try {
const header = req.headers.authorization || ''
if (!header.startsWith('Bearer ')) {
return res.status(401).json({ error: 'missing_token' })
}
const token = header.slice('Bearer '.length)
const { payload } = await jose.jwtVerify(token, jwks, { issuer, audience })
req.auth = { sub: payload.sub, email: payload.email }
return next()
} catch (error) {
return res.status(401).json({ error: 'invalid_token' })
}
}
