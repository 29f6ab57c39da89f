// nginx beside the SoftEther server, in its netns, serving the test's files (the download tests
// fetch them through the tunnel). One process, no master, everything under a private folder.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForTcpPort, tool } from './netns.js';
import { childDone, spawnInNetns, tail, type ChildHandle } from './detached-child.js';

export interface NginxPlace {
  readonly netns: string;
  /** The netns address it is reached at from the host (for the readiness check). */
  readonly host: string;
  readonly port: number;
  /** Private folder for its config, logs and temp files. */
  readonly dir: string;
  /** The folder it serves. */
  readonly www: string;
  readonly cwd: string;
}

/** Starts nginx and waits until it accepts connections; the caller kills the handle. */
export async function startNginx(p: NginxPlace): Promise<ChildHandle> {
  const d = p.dir;
  mkdirSync(p.www, { recursive: true, mode: 0o700 });
  // Everything nginx would otherwise put under /var/lib/nginx, /var/log/nginx or /run goes here.
  // One process, no master: the parent-death signal then covers all of nginx, and stopping it
  // leaves no orphaned worker. It runs as root because the state dir is private to root.
  const conf = [
    'daemon off;',
    'master_process off;',
    `pid ${join(d, 'nginx.pid')};`,
    `error_log ${join(d, 'error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  default_type application/octet-stream;',
    `  client_body_temp_path ${join(d, 'body')};`,
    `  proxy_temp_path ${join(d, 'proxy')};`,
    `  fastcgi_temp_path ${join(d, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(d, 'uwsgi')};`,
    `  scgi_temp_path ${join(d, 'scgi')};`,
    '  server {',
    `    listen ${p.port};`,
    `    root ${p.www};`,
    '  }',
    '}',
    '',
  ].join('\n');
  const confPath = join(d, 'nginx.conf');
  writeFileSync(confPath, conf, { mode: 0o600 });
  const handle = spawnInNetns(
    p.netns,
    [tool('nginx'), '-e', join(d, 'error.log'), '-p', d, '-c', confPath],
    join(d, 'nginx.out'),
    p.cwd,
  );
  await waitForTcpPort(p.host, p.port, {
    timeoutMs: 10_000,
    check: () => {
      if (childDone(handle)) {
        const log = [join(d, 'nginx.out'), join(d, 'error.log')]
          .map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : ''))
          .join('');
        throw new Error(`nginx exited during startup:\n${tail(log)}`);
      }
    },
  });
  return handle;
}
