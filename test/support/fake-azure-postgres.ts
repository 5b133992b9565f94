/**
 * A stand-in for Azure Database for PostgreSQL's front end, at the wire, before the local
 * PostgreSQL: it requires TLS (PostgreSQL's SSLRequest, then a TLS handshake with a throwaway
 * certificate for localhost), asks for a clear-text password — with Entra authentication the
 * password is an access token — and lets the connection through to the real server only when the
 * password is one the test accepts, mapping the Entra principal to a database role.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { makeTempDir } from './temp-dir';

const SSL_REQUEST = 80877103;

export interface FakeAzurePostgres {
  port: number;
  /** PEM of the CA that signed the server certificate (for sslrootcert). */
  caFile: string;
  /** Passwords clients sent, in order. */
  passwords: string[];
  close(): Promise<void>;
}

export async function startFakeAzurePostgres(options: {
  /** Whether a password (token) opens the door. */
  accept: (password: string) => boolean;
  /** The database role the Entra principal maps to on the real server. */
  role: string;
  upstream?: { host: string; port: number };
}): Promise<FakeAzurePostgres> {
  const temp = makeTempDir('fake-azure-pg-');
  const key = path.join(temp.dir, 'key.pem');
  const cert = path.join(temp.dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const context = tls.createSecureContext({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) });
  const upstream = options.upstream ?? { host: '127.0.0.1', port: 5432 };
  const passwords: string[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((plain) => {
    sockets.add(plain);
    plain.on('close', () => sockets.delete(plain));
    plain.once('data', (first) => {
      if (first.length < 8 || first.readInt32BE(4) !== SSL_REQUEST) {
        plain.end(errorResponse('28000', 'SSL connection is required'));
        return;
      }
      plain.write('S');
      const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: context });
      secure.on('error', () => plain.destroy());
      readMessages(
        secure,
        (startup) => {
          // StartupMessage: length, protocol 3.0, then key\0value\0 pairs.
          secure.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
          readMessages(
            secure,
            (message) => {
              const password = message.subarray(5, message.length - 1).toString('utf8');
              passwords.push(password);
              if (message[0] !== 0x70 || !options.accept(password)) {
                secure.end(errorResponse('28P01', 'password authentication failed'));
                return;
              }
              const real = net.connect(upstream.port, upstream.host, () => {
                real.write(withUser(startup, options.role));
                secure.pipe(real);
                real.pipe(secure);
              });
              real.on('error', () => secure.destroy());
              secure.on('close', () => real.destroy());
            },
            true,
          );
        },
        false,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    caFile: cert,
    passwords,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      temp.remove();
    },
  };
}

/** Reads one message: typed (a type byte, then a length) or the untyped startup message. */
function readMessages(socket: tls.TLSSocket, onMessage: (message: Buffer) => void, typed: boolean): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const offset = typed ? 1 : 0;
    if (buffered.length < offset + 4) return;
    const length = buffered.readInt32BE(offset) + offset;
    if (buffered.length < length) return;
    socket.off('data', onData);
    const rest = buffered.subarray(length);
    if (rest.length > 0) socket.unshift(rest);
    onMessage(buffered.subarray(0, length));
  };
  socket.on('data', onData);
}

/** The startup message with its `user` replaced by `role`. */
function withUser(startup: Buffer, role: string): Buffer {
  const parts = startup
    .subarray(8, startup.length - 1)
    .toString('utf8')
    .split('\0');
  const pairs: string[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) pairs.push(parts[i], parts[i] === 'user' ? role : parts[i + 1]);
  const body = Buffer.from(`${pairs.join('\0')}\0\0`, 'utf8');
  const message = Buffer.alloc(8 + body.length);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(startup.readInt32BE(4), 4);
  body.copy(message, 8);
  return message;
}

function errorResponse(code: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0C${code}\0M${text}\0\0`, 'utf8');
  const message = Buffer.alloc(5 + fields.length);
  message.write('E', 0);
  message.writeInt32BE(4 + fields.length, 1);
  fields.copy(message, 5);
  return message;
}
