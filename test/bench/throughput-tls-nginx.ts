// The raw TLS baseline's server: nginx with TLS on :8443 in the server netns, serving the same folder
// as the harness's plain nginx, with a throwaway self-signed certificate (the upload sink's TLS port
// reuses it).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onProcessExit } from '../harness/cleanup.js';
import { run, tool } from '../harness/netns.js';
import type { SoftEtherServer } from '../harness/softether.js';
import { makeOwnedDir } from '../harness/state.js';

export const TLS_PORT = 8443;

export interface TlsNginx {
  stop: () => void;
  certPath: string;
  keyPath: string;
}

function nginxConf(dir: string, www: string): string {
  return [
    'daemon off;',
    'master_process off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    '  default_type application/octet-stream;',
    `  client_body_temp_path ${join(dir, 'body')};`,
    `  proxy_temp_path ${join(dir, 'proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'scgi')};`,
    '  server {',
    `    listen ${TLS_PORT} ssl;`,
    `    ssl_certificate ${join(dir, 'cert.pem')};`,
    `    ssl_certificate_key ${join(dir, 'key.pem')};`,
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    `    root ${www};`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function startTlsNginx(server: SoftEtherServer): Promise<TlsNginx> {
  const dir = makeOwnedDir('tput-tls');
  const www = server.httpRoot;
  if (www === undefined) throw new Error('server without httpRoot');
  await run(tool('openssl'), [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-subj',
    '/CN=bench.example.test',
  ]);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, www));
  const out = openSync(join(dir, 'nginx.out'), 'a');
  // setpriv: nginx dies with us; its own process group so stop() can kill it whole.
  const child = spawn(
    tool('ip'),
    [
      'netns',
      'exec',
      server.netns,
      tool('setpriv'),
      '--pdeathsig',
      'KILL',
      '--',
      tool('nginx'),
      '-e',
      join(dir, 'error.log'),
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.unref();
  const pid = child.pid;
  const stop = (): void => {
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(stop);
  return {
    certPath: join(dir, 'cert.pem'),
    keyPath: join(dir, 'key.pem'),
    stop: () => {
      stop();
      unregister();
    },
  };
}
