// The Express 5 app of the end-to-end test and the README quickstart: the
// integration guide's three handlers wired into a router with a server-side
// session (express-session's in-memory store, fine for a test app).
//
// Environment: ISSUER (e.g. http://127.0.0.1:8080/t/<tenant-id>), CLIENT_ID,
// REDIRECT_URI (http://127.0.0.1:<PORT>/oauth/callback), AUDIENCE (the API
// identifier the access token must carry), PORT, optional HOST (default
// 127.0.0.1) and SESSION_SECRET (default: random per process).
import { randomBytes } from 'node:crypto'
import express from 'express'
import session from 'express-session'
import { startAuthorization } from './start-authorization.mjs'
import { callback } from './callback.mjs'
import { authorize } from './authorize.mjs'

for (const name of ['ISSUER', 'CLIENT_ID', 'REDIRECT_URI', 'AUDIENCE']) {
  if (!process.env[name]) {
    console.error(`express-app: ${name} is not set`)
    process.exit(2)
  }
}

const escapeHTML = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

const app = express()
app.use(
  session({
    secret: process.env.SESSION_SECRET || randomBytes(32).toString('hex'),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' },
  }),
)

app.get('/login', startAuthorization)
app.get('/oauth/callback', callback)

app.get('/app', (req, res) => {
  if (!req.session.user) {
    return res.status(401).type('html').send('<!doctype html><title>App</title><p id="status">not signed in</p>')
  }
  res
    .type('html')
    .send(
      `<!doctype html><title>App</title><p id="status">signed in</p>` +
        `<p>Email: <span id="email">${escapeHTML(req.session.user.email)}</span></p>` +
        `<p>Subject: <span id="sub">${escapeHTML(req.session.user.sub)}</span></p>`,
    )
})

// For the end-to-end test only: hands the session's access token to the test
// so it can call the protected route with it (and with tampered variants).
app.get('/debug/access-token', (req, res) => {
  const token = req.session.tokens && req.session.tokens.access_token
  if (!token) return res.status(404).json({ error: 'no_session' })
  res.json({ access_token: token })
})

app.get('/api/protected', authorize, (req, res) => {
  res.json({ ok: true, sub: req.auth.sub })
})

app.use((err, req, res, next) => {
  console.error('express-app error:', err)
  res.status(500).type('text').send(`error: ${err && (err.code || err.name)}: ${err && err.message}`)
})

const host = process.env.HOST || '127.0.0.1'
const server = app.listen(Number(process.env.PORT || 3000), host, () => {
  const { port } = server.address()
  console.log(`express-app listening on http://${host}:${port}`)
})
