import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { jsonBytes } from './json-bytes';

/** A listening HTTP server. `url` is the GraphQL endpoint (`…/graphql`). */
export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface HttpOptions<TContext extends BaseContext> {
  context: ContextFunction<[{ req: IncomingMessage }], TContext>;
  /** `GET /ready`: whether the process can serve (its dependencies answer). */
  ready?: () => Promise<{ ok: boolean; details?: Record<string, unknown> }>;
  /** Request bodies over this size are refused with 413. */
  maxBodyBytes?: number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        // Keep reading (and dropping) the rest instead of destroying the socket: the client must
        // receive the 413, and a destroyed socket only gives it a connection reset.
        over = true;
        chunks = [];
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/**
 * Apollo Server hands an answer to its HTTP integration as one string, made by its
 * `stringifyResult` option; a string of megabytes costs twice as much to make and encode as the
 * same bytes written directly (json-bytes.ts). So a server built with `stringifyResult:
 * stringifyAnswer` returns a token (JSON never contains a raw NUL), and listenApollo, the only
 * integration here, sends the bytes the token stands for. Any other string is encoded as it is.
 */
const ANSWER_TOKEN = '\u0000answer#';
const encodedAnswers = new Map<string, Buffer>();
let answersEncoded = 0;

export function stringifyAnswer(value: FormattedExecutionResult): string {
  const token = `${ANSWER_TOKEN}${++answersEncoded}`;
  // Apollo's own stringifyResult ends the JSON with a newline; the bytes stay the same.
  encodedAnswers.set(token, jsonBytes(value, '\n'));
  return token;
}

function answerBytes(text: string): Buffer {
  if (text.startsWith(ANSWER_TOKEN)) {
    const bytes = encodedAnswers.get(text);
    encodedAnswers.delete(text);
    if (bytes) return bytes;
  }
  return Buffer.from(text, 'utf8');
}

/** Answers made by stringifyAnswer and not yet sent: zero between requests. */
export function answersPending(): number {
  return encodedAnswers.size;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Serves an ApolloServer over node's http: GraphQL at `/graphql`, `GET /health` (alive) and
 * `GET /ready`. Apollo Server 5 ships no integration for plain node http beyond its standalone
 * server, which has no health routes; this is that integration, kept small.
 */
export async function listenApollo<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: HttpOptions<TContext>,
  port: number,
  host = '127.0.0.1',
): Promise<Listening> {
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const http = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
      server.logger.error(String(err));
    });
  });
  // Longer than the gateway's idle sockets, so a reused connection is never closed under a request.
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/ready') {
      const state = options.ready ? await options.ready() : { ok: true };
      return sendJson(res, state.ok ? 200 : 503, { status: state.ok ? 'ready' : 'not ready', ...state.details });
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found; GraphQL is at /graphql' });

    let body: unknown;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          // The rest of an oversized body is not worth reading on this connection: close it after answering.
          return sendJson(res, 413, { errors: [{ message: `request body over ${maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }, { connection: 'close' });
        }
        throw err;
      }
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
      context: () => options.context({ req }),
    });
    // Taken at once, before anything else can throw, so no encoded answer is left behind.
    const payload = result.body.kind === 'complete' ? answerBytes(result.body.string) : result.body.asyncIterator;
    for (const [key, value] of result.headers) res.setHeader(key, value);
    // Answers carry personal data: no cache on the way may keep them.
    if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'no-store');
    res.statusCode = result.status ?? 200;
    if (Buffer.isBuffer(payload)) {
      // Bytes with their length: given a string, Node would measure it, then encode it.
      res.setHeader('content-length', payload.length);
      res.end(payload);
      return;
    }
    for await (const chunk of payload) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}/graphql`,
    port: address.port,
    async close() {
      http.closeIdleConnections();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        // In-flight requests get a moment; then their sockets go too.
        setTimeout(() => http.closeAllConnections(), 2000).unref();
      });
      await server.stop();
    },
  };
}

/** A GraphQL answer as it arrives over HTTP, for clients of the servers (tests, scripts, bench). */
export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}
