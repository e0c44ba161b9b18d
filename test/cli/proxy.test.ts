// An office network as the CLI meets it, on loopback: the server speaks HTTPS with a certificate
// from the office's own CA (HTTPS inspection re-signs every site that way), reachable only through
// an HTTP CONNECT proxy. `caseworker api` gets through with --proxy and NODE_EXTRA_CA_CERTS; without
// the CA it says the certificate is not trusted and what to set; the environment's HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY are read as curl and Node tools read them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bypassesProxy, checkProxyUrl, proxyFor } from '../../main/api/network.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { runCaseworker } from '../support/cli-process.js';
import { tempDir } from '../support/db-fixtures.js';

let sim: RunningSimulator;
let dir: string;
let caFile: string;
let tlsServer: https.Server;
let proxy: http.Server;
const tunnels: string[] = [];

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** An office CA and a localhost certificate it signed (openssl, as an IT department would). */
function officeCertificates(): { key: string; cert: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=Hillside Trust Inspection CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3650', '-extfile', 'san.ext', '-out', 'server.pem');
  return { key: fs.readFileSync(path.join(dir, 'server.key'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'server.pem'), 'utf8') };
}

let httpsUrl: string;
let proxyUrl: string;

beforeAll(async () => {
  dir = tempDir('caseworker-proxy-');
  sim = await startSimulator({ clients: 20, seed: 3 });
  const simUrl = new URL(sim.url);
  const { key, cert } = officeCertificates();
  caFile = path.join(dir, 'ca.pem');
  // The "server": HTTPS in front of the simulator.
  tlsServer = https.createServer({ key, cert }, (req, res) => {
    const upstream = http.request({ host: simUrl.hostname, port: simUrl.port, path: req.url, method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    req.pipe(upstream);
  });
  const tlsPort = await listen(tlsServer);
  httpsUrl = `https://localhost:${tlsPort}${simUrl.pathname}`;
  // The office proxy: CONNECT tunnels only, and it notes where each one goes.
  proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
}, 60_000);

afterAll(async () => {
  proxy?.closeAllConnections?.();
  tlsServer?.closeAllConnections?.();
  await new Promise((r) => proxy?.close(r));
  await new Promise((r) => tlsServer?.close(r));
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function api(args: string[], env: Record<string, string>) {
  const login = sim.users[0]!;
  return runCaseworker(['api', 'GET', 'workers', '--server', httpsUrl, '--source', login.source, '--org', login.org, '--user', login.user, ...args], env);
}

describe('caseworker through an office proxy with HTTPS inspection', { timeout: 120_000 }, () => {
  it('reaches the server through the CONNECT proxy, trusting the office CA from NODE_EXTRA_CA_CERTS', async () => {
    const before = tunnels.length;
    const run = await api(['--proxy', proxyUrl], { NODE_EXTRA_CA_CERTS: caFile });
    expect(run.code, run.stderr).toBe(0);
    const workers = JSON.parse(run.stdout) as Array<{ id: number }>;
    expect(workers.length).toBe(sim.store.db.prepare('SELECT count(*) FROM workers').pluck().get());
    expect(tunnels.slice(before)).toEqual([new URL(httpsUrl).host]); // one keep-alive tunnel, to the server
  });

  it('without the office CA, says the certificate is not trusted and what to set — having sent nothing', async () => {
    const run = await api(['--proxy', proxyUrl], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the server's certificate at https:\/\/localhost:\d+ is not trusted by this computer \(\w+\)\. If your office inspects HTTPS traffic.*NODE_EXTRA_CA_CERTS/);
  });

  it('refuses a proxy address that is not an HTTP proxy, as a usage mistake', async () => {
    const run = await api(['--proxy', 'socks5://127.0.0.1:1080'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the proxy "socks5:\/\/127\.0\.0\.1:1080" is a socks5 proxy; Caseworker speaks to HTTP proxies only/);
  });
});

describe('the proxy from the environment', () => {
  const env = { HTTPS_PROXY: 'http://proxy.hillside.example:8080', HTTP_PROXY: 'http://plain-proxy.hillside.example:3128', NO_PROXY: 'intranet.hillside.example,.internal.example' };
  it('is HTTPS_PROXY for https and HTTP_PROXY for http, except NO_PROXY hosts and this computer', () => {
    expect(proxyFor(new URL('https://api.dizions.co.uk/v2'), {}, env)).toBe('http://proxy.hillside.example:8080/');
    expect(proxyFor(new URL('http://api.dizions.co.uk/v2'), {}, env)).toBe('http://plain-proxy.hillside.example:3128/');
    expect(proxyFor(new URL('https://intranet.hillside.example/v2'), {}, env)).toBeNull();
    expect(proxyFor(new URL('https://crm.internal.example/v2'), {}, env)).toBeNull();
    expect(proxyFor(new URL('http://127.0.0.1:4000/v2'), {}, env)).toBeNull(); // the demo simulator
    expect(proxyFor(new URL('https://api.dizions.co.uk/v2'), {}, { https_proxy: 'proxy:3128' })).toBe('http://proxy:3128/');
    expect(proxyFor(new URL('https://api.dizions.co.uk/v2'), { proxy: null }, env)).toBeNull(); // --proxy '' = direct
  });

  it('matches NO_PROXY as curl does: exact hosts, domain suffixes, ports, and *', () => {
    expect(bypassesProxy('api.dizions.co.uk', '443', 'dizions.co.uk')).toBe(true);
    expect(bypassesProxy('notdizions.co.uk', '443', 'dizions.co.uk')).toBe(false);
    expect(bypassesProxy('api.dizions.co.uk', '443', '*.dizions.co.uk:8443')).toBe(false);
    expect(bypassesProxy('api.dizions.co.uk', '8443', '*.dizions.co.uk:8443')).toBe(true);
    expect(bypassesProxy('anything.example', '443', '*')).toBe(true);
    expect(checkProxyUrl('http://ann:s3cret@proxy:8080')).toBe('http://ann:s3cret@proxy:8080/');
  });
});
