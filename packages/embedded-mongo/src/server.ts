import * as net from 'node:net';
import { ObjectId, type Document } from 'bson';
import { runCommand } from './commands';
import type { ServerInfo } from './commands/context';
import { RetryableWrites } from './commands/retryable-writes';
import { Cursors } from './storage/cursors';
import type { Engine } from './storage/engine';
import { Transactions } from './storage/transactions';
import { FramingError, MessageReader } from './wire/framing';
import { MAX_MESSAGE_SIZE, ProtocolError, buildOpMsg, buildOpReply, parseMessage, readHeader, type CommandRequest } from './wire/messages';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {} };

/**
 * The TCP side: one MessageReader per connection, messages of a connection handled strictly in
 * order (a client may pipeline), connections independent of each other. Anything a client
 * sends that cannot be framed closes only that connection.
 */
export class WireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  readonly cursors = new Cursors();
  readonly transactions: Transactions;
  readonly retryableWrites = new RetryableWrites();
  private nextConnectionId = 1;
  info!: ServerInfo;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
  ) {
    this.transactions = new Transactions(engine);
    this.server = net.createServer((socket) => this.accept(socket));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const actual = (this.server.address() as net.AddressInfo).port;
    this.info = { host, port: actual, startedAt: new Date(), electionId: ObjectId.createFromHexString('7fffffff0000000000000001') };
    this.server.on('error', (err) => this.logger.warn(`server error: ${err.message}`));
    return actual;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
    this.cursors.close();
    this.transactions.close();
  }

  private accept(socket: net.Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new MessageReader(MAX_MESSAGE_SIZE);
    const queue: Buffer[] = [];
    let running = false;

    const drain = async () => {
      if (running) return;
      running = true;
      try {
        while (queue.length && !socket.destroyed) {
          const msg = queue.shift()!;
          const reply = await this.handle(msg, connectionId);
          if (reply && !socket.destroyed) socket.write(reply);
        }
      } catch (err) {
        this.logger.warn(`connection ${connectionId}: ${err instanceof Error ? err.stack : String(err)}`);
        socket.destroy();
      } finally {
        running = false;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = reader.push(chunk);
      } catch (err) {
        const reason = err instanceof FramingError ? err.message : String(err);
        this.logger.warn(`connection ${connectionId} closed: ${reason}`);
        socket.destroy();
        return;
      }
      if (messages.length === 0) return;
      queue.push(...messages);
      void drain();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      queue.length = 0;
    });
  }

  /** Handles one framed message; returns the reply bytes, or null when no reply is wanted. */
  private async handle(msg: Buffer, connectionId: number): Promise<Buffer | null> {
    const header = readHeader(msg);
    let request: CommandRequest;
    try {
      request = parseMessage(msg);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      const reply: Document = { ok: 0, errmsg: err.message, code: err.code, codeName: err.codeName };
      return header.opCode === 2004 ? buildOpReply(header.requestId, reply) : buildOpMsg(header.requestId, reply);
    }
    const reply = await runCommand(
      {
        engine: this.engine,
        cursors: this.cursors,
        transactions: this.transactions,
        retryableWrites: this.retryableWrites,
        server: this.info,
        connectionId,
      },
      request.db,
      request.command,
    );
    if (request.moreToCome) return null;
    try {
      return request.kind === 'query' ? buildOpReply(header.requestId, reply) : buildOpMsg(header.requestId, reply);
    } catch (err) {
      // A reply that cannot be serialized (e.g. over the BSON size limit) becomes an error reply.
      const fallback = { ok: 0, errmsg: `reply could not be encoded: ${err instanceof Error ? err.message : String(err)}`, code: 10334, codeName: 'BSONObjectTooLarge' };
      return request.kind === 'query' ? buildOpReply(header.requestId, fallback) : buildOpMsg(header.requestId, fallback);
    }
  }
}
