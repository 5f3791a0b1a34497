import { once } from 'node:events';
import * as net from 'node:net';
import { serialize, type Document } from 'bson';
import { MSG_MORE_TO_COME, OP_QUERY, buildOpMsgRequest, parseReply } from '../src/wire/messages';

/** A raw socket that speaks the wire protocol, for inputs no driver would send. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  /** opCode of the last reply read (OP_MSG 2013 or OP_REPLY 1). */
  lastOpCode = 0;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => (this.buf = Buffer.concat([this.buf, c])));
    // A server that drops the connection is an expected outcome here, not a test crash.
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const socket = net.connect(port, host);
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  /** Waits for the next complete reply, or returns null if none arrives in `ms` or the socket closes. */
  async reply(ms = 2000): Promise<Document | null> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.buf.length >= 4 && this.buf.length >= this.buf.readInt32LE(0)) {
        const len = this.buf.readInt32LE(0);
        const msg = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        const { header, doc } = parseReply(msg);
        this.lastOpCode = header.opCode;
        return doc;
      }
      if (this.socket.destroyed) return null;
      await new Promise((r) => setTimeout(r, 10));
    }
    return null;
  }

  async command(body: Document, flags = 0, sequences: [string, Document[]][] = []): Promise<Document | null> {
    this.socket.write(buildOpMsgRequest(this.nextId++, body, flags, sequences));
    return flags & MSG_MORE_TO_COME ? null : this.reply();
  }

  /** Sends the legacy OP_QUERY handshake the driver opens every connection with. */
  async legacyHello(body: Document = { ismaster: 1, helloOk: true }): Promise<Document | null> {
    const ns = Buffer.from('admin.$cmd\0');
    const rest = Buffer.concat([Buffer.alloc(4), ns, Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), serialize(body)]);
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + rest.length, 0);
    header.writeInt32LE(this.nextId++, 4);
    header.writeInt32LE(OP_QUERY, 12);
    this.socket.write(Buffer.concat([header, rest]));
    return this.reply();
  }

  async closed(ms = 2000): Promise<boolean> {
    if (this.socket.destroyed || this.socket.readableEnded) return true;
    let timer: NodeJS.Timeout | undefined;
    const ended = once(this.socket, 'close').then(() => true);
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
    const result = await Promise.race([ended, timedOut]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
