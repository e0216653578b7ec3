// An MCP client built on the official TypeScript SDK (@modelcontextprotocol/sdk),
// run by e2e/mcp_node_test.go against the built authalla binary. It connects
// to MCP_URL with no credentials; the SDK discovers the authorization server
// from the 401 (RFC 9728, RFC 8414), registers itself (RFC 7591) and builds a
// code + PKCE authorization request, which this script prints as one JSON line
// ({"authorization_url": ...}) for the test to open in a browser. The browser
// ends on this script's loopback redirect (RFC 8252 §7.3); the script checks
// state and iss (RFC 9207), lets the SDK redeem the code, reconnects, prints
// the tools it is offered ({"tools": [...]}) and who it acts for ({"me":
// get_me's result}), then exits 0.
//
// Environment: MCP_URL (the MCP endpoint), ISSUER (the authorization server's
// issuer, to check iss), PORT (the loopback port to listen on).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const { MCP_URL, ISSUER, PORT } = process.env;
if (!MCP_URL || !ISSUER || !PORT) {
  console.error('mcp-client: MCP_URL, ISSUER and PORT are required');
  process.exit(2);
}
const redirectUrl = `http://127.0.0.1:${PORT}/callback`;

/** Writes one JSON line to stdout for the Go test. */
function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/**
 * An OAuthClientProvider that keeps everything in memory, as a command-line
 * assistant does for one run: the registration, the tokens, the PKCE
 * verifier and the state of the pending authorization request.
 */
class MemoryProvider {
  #client;
  #tokens;
  #verifier;
  state_;

  get redirectUrl() {
    return redirectUrl;
  }

  get clientMetadata() {
    return {
      client_name: 'Authalla E2E Node SDK',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() {
    this.state_ = randomBytes(16).toString('base64url');
    return this.state_;
  }

  clientInformation() {
    return this.#client;
  }

  saveClientInformation(info) {
    this.#client = info;
  }

  tokens() {
    return this.#tokens;
  }

  saveTokens(tokens) {
    this.#tokens = tokens;
  }

  redirectToAuthorization(url) {
    emit({ authorization_url: url.href });
  }

  saveCodeVerifier(verifier) {
    this.#verifier = verifier;
  }

  codeVerifier() {
    if (!this.#verifier) throw new Error('no PKCE verifier saved');
    return this.#verifier;
  }
}

/** Serves the loopback redirect and resolves with the first callback's query. */
function listenForCallback() {
  let resolve;
  const received = new Promise((r) => {
    resolve = r;
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, redirectUrl);
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Signed in</title><p id="done">Signed in. You can close this window.</p>');
    resolve(url.searchParams);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(Number(PORT), '127.0.0.1', () => ok({ server, received }));
  });
}

async function main() {
  const { server, received } = await listenForCallback();
  const provider = new MemoryProvider();

  // First connection: no token, so the SDK runs discovery and registration
  // and asks for the browser; connect then fails with UnauthorizedError.
  const first = new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider });
  try {
    await new Client({ name: 'authalla-e2e-node', version: '1.0.0' }).connect(first);
    throw new Error('connected without an authorization');
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
  }

  const params = await received;
  if (params.get('error')) {
    throw new Error(`authorization failed: ${params.get('error')}: ${params.get('error_description')}`);
  }
  if (params.get('state') !== provider.state_) {
    throw new Error(`state mismatch: got ${params.get('state')}`);
  }
  if (params.get('iss') !== ISSUER) {
    throw new Error(`iss is ${params.get('iss')}, want ${ISSUER} (RFC 9207)`);
  }
  await first.finishAuth(params.get('code'));
  emit({ authorized: true, client_id: provider.clientInformation()?.client_id, scope: provider.tokens()?.scope });

  const client = new Client({ name: 'authalla-e2e-node', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider }));
  const { tools } = await client.listTools();
  emit({ tools: tools.map((t) => t.name) });
  const me = await client.callTool({ name: 'get_me', arguments: {} });
  if (me.isError) throw new Error(`get_me failed: ${JSON.stringify(me.content)}`);
  emit({ me: me.structuredContent ?? null });
  await client.close();
  server.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    emit({ error: String(err?.stack ?? err) });
    process.exit(1);
  },
);
