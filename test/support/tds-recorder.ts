/**
 * A TCP server that speaks just enough TDS to record what a SQL client sends at sign-in: it
 * answers PRELOGIN with "encryption not supported, federated authentication required", then
 * records the LOGIN7 message and closes the connection. No SQL Server runs here; this is the
 * honest boundary: it proves which access token the client put on the wire, per connection.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

const PRELOGIN = 0x12;
const LOGIN7 = 0x10;
const TABULAR_RESULT = 0x04;

export interface TdsRecorder {
  port: number;
  /** One LOGIN7 payload per connection, in arrival order. */
  readonly logins: Buffer[];
  /** Whether `token` (UTF-16LE, as TDS carries it) is in the LOGIN7 of connection `index`. */
  loginCarries(index: number, token: string): boolean;
  stop(): Promise<void>;
}

function preloginResponse(): Buffer {
  const payload = Buffer.alloc(24);
  let offset = 0;
  for (const [token, dataOffset, length] of [[0x00, 16, 6], [0x01, 22, 1], [0x06, 23, 1]] as const) {
    payload.writeUInt8(token, offset);
    payload.writeUInt16BE(dataOffset, offset + 1);
    payload.writeUInt16BE(length, offset + 3);
    offset += 5;
  }
  payload.writeUInt8(0xff, 15);
  Buffer.from([0x0c, 0x00, 0x10, 0x04, 0x00, 0x00]).copy(payload, 16); // server version 12.0.4100
  payload.writeUInt8(0x02, 22); // ENCRYPT_NOT_SUP
  payload.writeUInt8(0x01, 23); // FEDAUTHREQUIRED
  const header = Buffer.from([TABULAR_RESULT, 0x01, 0, 0, 0, 0, 1, 0]);
  header.writeUInt16BE(header.length + payload.length, 2);
  return Buffer.concat([header, payload]);
}

export async function startTdsRecorder(): Promise<TdsRecorder> {
  const logins: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    let message: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= pending.readUInt16BE(2)) {
        const length = pending.readUInt16BE(2);
        const type = pending.readUInt8(0);
        const endOfMessage = (pending.readUInt8(1) & 0x01) === 0x01;
        message.push(pending.subarray(8, length));
        pending = pending.subarray(length);
        if (!endOfMessage) continue;
        const body = Buffer.concat(message);
        message = [];
        if (type === PRELOGIN) socket.write(preloginResponse());
        if (type === LOGIN7) {
          logins.push(body);
          socket.destroy();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    logins,
    loginCarries: (index, token) => logins[index]?.includes(Buffer.from(token, 'utf16le')) ?? false,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
