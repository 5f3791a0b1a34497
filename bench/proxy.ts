/**
 * Counting TCP proxies, so the bench can tell how many subgraph requests and database commands one
 * gateway request costs without a hook in the gateway, the subgraphs or the database. Bytes are
 * piped through untouched; only the client-to-server direction is scanned, and only its framing
 * (HTTP heads, MongoDB message headers) is read, so the cost per byte stays small.
 */
import net from 'node:net';

export interface CountingProxy {
  port: number;
  /** Requests (HTTP) or commands (MongoDB) seen since the start, by name. */
  counts(): Record<string, number>;
  total(): number;
  /**
   * Milliseconds from each counted request's first byte to its answer's first byte, summed. The
   * clients (Node's HTTP agent, the MongoDB driver) send one request at a time per connection,
   * so the next bytes back on that connection are its answer: where the time goes, per hop.
   */
  waitedMs(): number;
  /** The same, by name (HTTP: method and path; MongoDB: command and collection). */
  waitedByName(): Record<string, number>;
  /** Requests sent and not answered yet (timed ones only). */
  inFlight(): number;
  close(): Promise<void>;
}

/** Streams of one client connection: feed() gets the client's bytes in order. */
interface Scanner {
  feed(chunk: Buffer): void;
}

function startProxy(targetPort: number, targetHost: string, newScanner: (count: (name: string) => void) => Scanner, timed: (name: string) => boolean): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  let waited = 0;
  const waitedBy = new Map<string, number>();
  let inFlight = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    let since: number | undefined;
    let pending = '';
    const scanner = newScanner((name) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (timed(name) && since === undefined) {
        inFlight++;
        since = performance.now();
        pending = name;
      }
    });
    client.on('data', (chunk: Buffer) => scanner.feed(chunk));
    upstream.on('data', () => {
      if (since === undefined) return;
      const ms = performance.now() - since;
      waited += ms;
      waitedBy.set(pending, (waitedBy.get(pending) ?? 0) + ms);
      since = undefined;
      inFlight--;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      if (since !== undefined) inFlight--;
      since = undefined;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        counts: () => Object.fromEntries(counts),
        total: () => [...counts.values()].reduce((a, b) => a + b, 0),
        waitedMs: () => waited,
        waitedByName: () => Object.fromEntries(waitedBy),
        inFlight: () => inFlight,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * HTTP/1.1 request framing: a head up to CRLFCRLF, then a body of Content-Length bytes or chunked.
 * Keep-alive connections carry many requests, so the scanner must find each boundary.
 */
class HttpScanner implements Scanner {
  private head = '';
  private skip = 0;
  private chunked: { state: 'size' | 'data' | 'crlf' | 'trailer'; line: string } | undefined;

  constructor(private readonly count: (name: string) => void) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0 && this.chunked?.state === 'data') this.chunked.state = 'crlf';
        continue;
      }
      if (this.chunked) {
        i = this.feedChunked(chunk, i);
        continue;
      }
      // latin1 keeps one char per byte, so indexes into `head` are byte offsets.
      const take = chunk.toString('latin1', i, Math.min(chunk.length, i + 8192));
      const before = this.head.length;
      this.head += take;
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) {
        i += take.length;
        continue;
      }
      i += end + 4 - before;
      this.startBody(this.head.slice(0, end));
      this.head = '';
    }
  }

  private startBody(head: string): void {
    const [requestLine] = head.split('\r\n', 1);
    const [method = '?', path = '?'] = requestLine.split(' ');
    this.count(`${method} ${path.split('?')[0]}`);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) this.chunked = { state: 'size', line: '' };
    else if (length) this.skip = Number(length[1]);
  }

  /** Walks a chunked body a byte at a time outside the data, which is skipped whole. */
  private feedChunked(chunk: Buffer, start: number): number {
    const c = this.chunked!;
    let i = start;
    while (i < chunk.length && this.skip === 0 && this.chunked) {
      const ch = String.fromCharCode(chunk[i++]);
      if (c.state === 'crlf') {
        if (ch === '\n') c.state = 'size';
        continue;
      }
      if (ch !== '\n') {
        c.line += ch;
        continue;
      }
      const line = c.line.replace(/\r$/, '');
      c.line = '';
      if (c.state === 'size') {
        const size = parseInt(line.split(';')[0], 16);
        if (size === 0) c.state = 'trailer';
        else {
          this.skip = size;
          c.state = 'data';
        }
      } else if (line === '') this.chunked = undefined; // the blank line after the trailers ends the body
    }
    return i;
  }
}

/** Commands that monitoring and handshakes send (a new pool connection's first hello is an OP_QUERY), not caused by a GraphQL request. */
const NOT_COUNTED = new Set(['(OP_QUERY)', 'hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo', 'buildinfo', 'saslStart', 'saslContinue']);
const OP_MSG = 2013;
const OP_QUERY = 2004;
const OP_COMPRESSED = 2012;
/** Header (16) + flags (4) + section kind (1) + BSON length (4) + element type (1) + a command name and its collection. */
const PEEK = 160;

/**
 * MongoDB wire framing: every message starts with its int32 length and opcode. For OP_MSG the
 * first key of the body document is the command's name; that is all the scanner reads.
 */
class MongoScanner implements Scanner {
  private header = Buffer.alloc(0);
  private skip = 0;

  constructor(private readonly count: (name: string) => void) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const want = this.header.length < 4 ? 4 : Math.min(PEEK, this.header.readInt32LE(0));
      const n = Math.min(want - this.header.length, chunk.length - i);
      this.header = Buffer.concat([this.header, chunk.subarray(i, i + n)]);
      i += n;
      if (this.header.length < 4) continue;
      const length = this.header.readInt32LE(0);
      if (this.header.length < Math.min(PEEK, length)) continue;
      this.count(this.commandName(this.header));
      this.skip = length - this.header.length;
      this.header = Buffer.alloc(0);
    }
  }

  private commandName(msg: Buffer): string {
    const opCode = msg.length >= 16 ? msg.readInt32LE(12) : -1;
    if (opCode === OP_QUERY) return '(OP_QUERY)';
    if (opCode === OP_COMPRESSED) return '(OP_COMPRESSED)';
    if (opCode !== OP_MSG || msg.length < 27 || msg[20] !== 0) return `(opcode ${opCode})`;
    const nul = msg.indexOf(0, 26);
    if (nul < 0) return '(long name)';
    const name = msg.toString('utf8', 26, nul);
    // find/aggregate/insert…: the first element is a string, the collection's name.
    const STRING = 0x02;
    if (msg[25] !== STRING || msg.length < nul + 5) return name;
    const length = msg.readInt32LE(nul + 1);
    const end = nul + 5 + length - 1;
    return end <= msg.length ? `${name} ${msg.toString('utf8', nul + 5, end)}` : name;
  }
}

export function startHttpCountingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CountingProxy> {
  return startProxy(targetPort, targetHost, (count) => new HttpScanner(count), () => true);
}

/** Counts every command except the monitoring and handshake ones in NOT_COUNTED. */
export async function startMongoCountingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CountingProxy> {
  const proxy = await startProxy(targetPort, targetHost, (count) => new MongoScanner(count), (name) => !NOT_COUNTED.has(name.split(' ')[0]));
  const counted = () => Object.fromEntries(Object.entries(proxy.counts()).filter(([name]) => !NOT_COUNTED.has(name.split(' ')[0])));
  return { ...proxy, counts: counted, total: () => Object.values(counted()).reduce((a, b) => a + b, 0) };
}
