// HTTP CONNECT through a web proxy, before TLS (SSTP's reason to exist: it crosses proxies).
import type { Socket } from 'node:net';
import type { ProxyConfig } from '../config.js';
import { HttpHeadReader } from './http-head.js';

export type ProxyResult =
  | { readonly ok: true; readonly rest: Buffer }
  | {
      readonly ok: false;
      readonly code: 'proxy-failed' | 'proxy-auth-failed';
      readonly message: string;
      readonly detail: string;
    };

export function connectRequest(proxy: ProxyConfig, host: string, port: number): string {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  if (proxy.username !== undefined) {
    const token = Buffer.from(`${proxy.username}:${proxy.password ?? ''}`, 'utf8').toString('base64');
    lines.push(`Proxy-Authorization: Basic ${token}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Sends CONNECT on an open socket to the proxy and waits for its answer. */
export function proxyConnect(
  socket: Socket,
  proxy: ProxyConfig,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<ProxyResult> {
  return new Promise((resolve) => {
    const reader = new HttpHeadReader(16 * 1024);
    const where = `${proxy.host}:${proxy.port}`;
    const finish = (r: ProxyResult) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      const s = reader.push(chunk);
      if (s.kind === 'incomplete') return;
      if (s.kind !== 'done') {
        const detail = s.kind === 'too-large' ? `no end of headers within ${s.limit} bytes` : `${s.field}: ${s.reason}`;
        finish({
          ok: false,
          code: 'proxy-failed',
          message: `The proxy ${where} sent an answer that is not HTTP.`,
          detail,
        });
        return;
      }
      const { status, statusLine } = s.head;
      const rest = s.rest;
      // The schemes the proxy offers tell a person (and the doctor) whether Basic could ever work.
      const schemes = s.head.headers.get('proxy-authenticate');
      const authDetail = schemes ? `${statusLine}; Proxy-Authenticate: ${schemes.slice(0, 200)}` : statusLine;
      if (status === 200) finish({ ok: true, rest });
      // 407 is the standard answer; Debian 12's tinyproxy 1.11.1 answers a wrong password with 401.
      else if (status === 407 || status === 401)
        finish({
          ok: false,
          code: 'proxy-auth-failed',
          message:
            proxy.username === undefined
              ? `The proxy ${where} requires a user name and password. Add them to the proxy settings.`
              : `The proxy ${where} rejected the proxy user name or password. Check the proxy credentials.`,
          detail: authDetail,
        });
      else
        finish({
          ok: false,
          code: 'proxy-failed',
          message: `The proxy ${where} refused to connect to ${host}:${port} (${statusLine}). Check that the proxy allows CONNECT to this port.`,
          detail: statusLine,
        });
    };
    const onClose = () =>
      finish({
        ok: false,
        code: 'proxy-failed',
        message: `The proxy ${where} closed the connection before answering.`,
        detail: 'closed',
      });
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          code: 'proxy-failed',
          message: `The proxy ${where} did not answer within ${timeoutMs / 1000} s.`,
          detail: 'timeout',
        }),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
    socket.write(connectRequest(proxy, host, port));
  });
}
