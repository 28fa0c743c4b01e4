// The official MCP TypeScript SDK client through the whole OAuth flow
// against the example MCP server and dev-issuer, without a browser:
//
//     node client.mjs http://127.0.0.1:3000/mcp
//
// It prints one JSON object per line for each step it sees, so that the
// Rust integration test (tests/integration/sdk_client.rs) can check every
// one: the 401 and its resource_metadata, the protected resource's
// document, the authorization server's metadata, dynamic registration,
// authorization with PKCE and `resource`, the token, initialize,
// tools/list, tools/call; then 403 insufficient_scope on read_messages and
// the new authorization with that scope; then 401
// insufficient_user_authentication on delete_messages and a fresh login.
// The last line is {"step":"done"}; on failure {"step":"error",...} and
// exit code 1.
//
// The SDK does the OAuth work itself: the script only answers its
// OAuthClientProvider callbacks (it stores what it is given, and "visits"
// the authorization URL with a GET whose redirect it reads instead of
// following) and watches the HTTP exchanges through the transport's
// `fetch` option.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [serverArg] = process.argv.slice(2);
if (!serverArg) {
    console.error('usage: node client.mjs <MCP server URL, e.g. http://127.0.0.1:3000/mcp>');
    process.exit(2);
}
const serverUrl = new URL(serverArg);

// Never contacted: dev-issuer approves without a page and redirects here
// with the code, which the script reads from the Location header. A
// loopback http URI is what a native MCP client registers (RFC 8252).
const REDIRECT_URL = 'http://127.0.0.1:9/callback';

/** Prints one step as a JSON line. */
function step(name, details = {}) {
    console.log(JSON.stringify({ step: name, ...details }));
}

/** The parameters of a WWW-Authenticate header (all challenges joined). */
function challengeParams(header) {
    const params = {};
    for (const match of (header ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)) {
        // The first challenge (Bearer) wins, as the SDK reads it.
        params[match[1]] ??= match[2];
    }
    return params;
}

/** The JSON body of a response, read from a copy so the SDK still reads it. */
async function jsonOf(response) {
    try {
        return await response.clone().json();
    } catch {
        return undefined;
    }
}

/** The form fields or JSON members of a request body. */
function fieldsOf(body) {
    if (body instanceof URLSearchParams) {
        return Object.fromEntries(body);
    }
    if (typeof body === 'string') {
        try {
            return JSON.parse(body);
        } catch {
            return Object.fromEntries(new URLSearchParams(body));
        }
    }
    return {};
}

// Endpoints learned from the authorization server's metadata.
const endpoints = {};
// The RFC 9470 parameters of the last step-up challenge: the SDK does not
// carry them into the authorization request, so the script does.
let stepUp = {};

/** The transport's fetch: every request goes through, and is reported. */
async function tracingFetch(input, init = {}) {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init.method ?? 'GET').toUpperCase();
    const response = await fetch(input, init);
    const path = url.pathname;

    if (url.origin === serverUrl.origin && path === serverUrl.pathname && method === 'POST') {
        const challenge = response.headers.get('www-authenticate');
        const params = challengeParams(challenge);
        const message = fieldsOf(init.body);
        const called = message.method === 'tools/call' ? message.params?.name : undefined;
        if (response.status === 401) {
            step('unauthorized', {
                status: 401,
                method: message.method,
                tool: called,
                error: params.error,
                max_age: params.max_age,
                acr_values: params.acr_values,
                resource_metadata: params.resource_metadata,
                www_authenticate: challenge,
            });
            stepUp = { max_age: params.max_age, acr_values: params.acr_values };
        } else if (response.status === 403) {
            step('forbidden', {
                status: 403,
                method: message.method,
                tool: called,
                error: params.error,
                scope: params.scope,
                resource_metadata: params.resource_metadata,
                www_authenticate: challenge,
            });
        }
    } else if (path.startsWith('/.well-known/oauth-protected-resource')) {
        const document = await jsonOf(response);
        step('protected_resource_metadata', { url: url.href, status: response.status, document });
    } else if (path.startsWith('/.well-known/oauth-authorization-server')) {
        const metadata = await jsonOf(response);
        Object.assign(endpoints, {
            registration: metadata?.registration_endpoint,
            token: metadata?.token_endpoint,
        });
        step('authorization_server_metadata', {
            url: url.href,
            status: response.status,
            issuer: metadata?.issuer,
            registration_endpoint: metadata?.registration_endpoint,
            code_challenge_methods_supported: metadata?.code_challenge_methods_supported,
        });
    } else if (path.startsWith('/.well-known/openid-configuration')) {
        step('openid_configuration', { url: url.href, status: response.status });
    } else if (url.href === endpoints.registration) {
        const registered = await jsonOf(response);
        step('registration', {
            status: response.status,
            client_id: registered?.client_id,
            redirect_uris: registered?.redirect_uris,
            token_endpoint_auth_method: registered?.token_endpoint_auth_method,
        });
    } else if (url.href === endpoints.token) {
        const fields = fieldsOf(init.body);
        const tokens = await jsonOf(response);
        step('token', {
            status: response.status,
            grant_type: fields.grant_type,
            resource: fields.resource,
            code_verifier: fields.code_verifier !== undefined,
            token_type: tokens?.token_type,
            scope: tokens?.scope,
            error: tokens?.error,
        });
    } else {
        step('http', { method, url: url.href, status: response.status });
    }
    return response;
}

/**
 * The OAuthClientProvider of a client without a browser: it keeps what the
 * SDK gives it in memory, and answers the authorization URL itself.
 */
class HeadlessProvider {
    #client;
    #tokens;
    #verifier;
    /** The code of the last authorization, for `transport.finishAuth`. */
    code;

    get redirectUrl() {
        return REDIRECT_URL;
    }

    get clientMetadata() {
        return {
            client_name: 'mcp-example end-to-end client',
            redirect_uris: [REDIRECT_URL],
            // No refresh_token grant: with a refresh token the SDK answers
            // 403 insufficient_scope by refreshing, which cannot widen the
            // scope, instead of authorizing again.
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'none',
        };
    }

    clientInformation() {
        return this.#client;
    }

    saveClientInformation(information) {
        this.#client = information;
    }

    tokens() {
        return this.#tokens;
    }

    saveTokens(tokens) {
        this.#tokens = tokens;
    }

    saveCodeVerifier(verifier) {
        this.#verifier = verifier;
    }

    codeVerifier() {
        return this.#verifier;
    }

    /** "Visits" the authorization URL: dev-issuer approves and redirects. */
    async redirectToAuthorization(authorizationUrl) {
        const url = new URL(authorizationUrl);
        // RFC 9470: ask for the authentication the step-up challenge named.
        for (const [name, value] of Object.entries(stepUp)) {
            if (value !== undefined) {
                url.searchParams.set(name, value);
            }
        }
        stepUp = {};
        const response = await fetch(url, { redirect: 'manual' });
        const location = response.headers.get('location');
        const redirect = location ? new URL(location, url) : undefined;
        this.code = redirect?.searchParams.get('code') ?? undefined;
        const query = url.searchParams;
        step('authorize', {
            status: response.status,
            response_type: query.get('response_type'),
            code_challenge_method: query.get('code_challenge_method'),
            code_challenge: query.has('code_challenge'),
            resource: query.get('resource'),
            scope: query.get('scope'),
            max_age: query.get('max_age'),
            redirected_to: redirect ? `${redirect.origin}${redirect.pathname}` : null,
            code: this.code !== undefined,
            error: redirect?.searchParams.get('error') ?? undefined,
        });
        if (this.code === undefined) {
            throw new Error(`the authorization request was not approved: ${response.status} ${location}`);
        }
    }
}

const provider = new HeadlessProvider();

function newTransport() {
    return new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: tracingFetch });
}

/**
 * Runs `action`; when the SDK stops for an authorization (UnauthorizedError
 * after `redirectToAuthorization`), finishes it with the code and runs
 * `action` once more.
 */
async function authorizing(transport, action) {
    try {
        return await action();
    } catch (error) {
        if (!(error instanceof UnauthorizedError) || provider.code === undefined) {
            throw error;
        }
        const code = provider.code;
        provider.code = undefined;
        await transport.finishAuth(code);
        return await action();
    }
}

/** The first text content of a tool result, parsed as JSON. */
function output(result) {
    const text = result.content?.find(block => block.type === 'text')?.text;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

async function main() {
    // initialize: 401, discovery, registration, authorization, token; the
    // SDK then needs a new transport to connect with the token.
    let client = new Client({ name: 'mcp-example-e2e', version: '1.0.0' });
    let transport = newTransport();
    try {
        await client.connect(transport);
    } catch (error) {
        if (!(error instanceof UnauthorizedError) || provider.code === undefined) {
            throw error;
        }
        await transport.finishAuth(provider.code);
        provider.code = undefined;
        client = new Client({ name: 'mcp-example-e2e', version: '1.0.0' });
        transport = newTransport();
        await client.connect(transport);
    }
    step('initialize', {
        protocol_version: transport.protocolVersion,
        server: client.getServerVersion()?.name,
    });

    const { tools } = await client.listTools();
    step('tools/list', { tools: tools.map(tool => tool.name).sort() });

    const whoami = await client.callTool({ name: 'whoami', arguments: {} });
    step('tools/call', { tool: 'whoami', is_error: whoami.isError ?? false, output: output(whoami) });

    // 403 insufficient_scope: the SDK authorizes again with the scope the
    // challenge names.
    const messages = await authorizing(transport, () => client.callTool({ name: 'read_messages', arguments: {} }));
    step('tools/call', { tool: 'read_messages', is_error: messages.isError ?? false, output: output(messages) });

    // 401 insufficient_user_authentication: a fresh login (max_age).
    const deleted = await authorizing(transport, () => client.callTool({ name: 'delete_messages', arguments: {} }));
    step('tools/call', { tool: 'delete_messages', is_error: deleted.isError ?? false, output: output(deleted) });

    await client.close();
    step('done');
}

try {
    await main();
} catch (error) {
    step('error', { name: error?.name, message: String(error?.message ?? error) });
    process.exitCode = 1;
}
