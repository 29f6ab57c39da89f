// The packaged layout, proven without Electron's binary (it cannot be downloaded here): electron-builder
// builds the unpacked Linux tree (`--dir`) on a stand-in Electron, then the tree is inspected where the
// resolver looks and run, copied outside the checkout: the helper bundle as root in a network namespace
// creates a TUN and hands its descriptor over; the shipped CLI answers --version as another user and,
// as root in a client namespace, brings a tunnel up through SoftEther with the tree's own helper.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PAGE_CSP } from '../../../main/app/csp.js';
import { addonLayout, addonPathFor, checkTrustedFile, PACKAGED_MARKER } from '../../../main/engine/tun/native-addon.js';
import { attachLinuxTun } from '../../../main/engine/tun/tun-linux.js';
import { HelperClient } from '../../../main/helper/client/client.js';
import { startClientNetns } from '../../harness/client-netns.js';
import { tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther } from '../../harness/softether.js';
import { spawnJsonChild } from '../../support/json-child.js';
import { createNetns, deleteNetns, IP, isRoot } from '../helper/netns.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const NS = 'cwt-pkg';
const TUN = 'cwt-pkg0';

interface Asar {
  listPackage(archive: string, options?: object): string[];
  statFile(archive: string, filename: string, followLinks?: boolean): { unpacked?: boolean };
  extractFile(archive: string, filename: string): Buffer;
}
interface Fuses {
  getCurrentFuseWire(path: string): Promise<Record<number, number>>;
  FuseV1Options: Record<string, number>;
}
// The wire's bytes: '0' off, '1' on (@electron/fuses's FuseState, which its index does not export).
const OFF = 0x30;
const ON = 0x31;
const asar = require('@electron/asar') as Asar;
const fuses = require('@electron/fuses') as Fuses;

// Electron's executable carries its fuses as a sentinel followed by a versioned wire of '0'/'1' bytes;
// the stand-in carries the same bytes (Electron 45's defaults: RunAsNode, NODE_OPTIONS, inspect and
// file-protocol privileges on) so electron-builder's electronFuses step runs on it and can be read back.
// What is proven is that the configuration is applied, not that a real Electron then obeys it.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const STAND_IN = Buffer.concat([
  Buffer.from('#!/bin/sh\necho "stand-in for Electron"\nexit 0\n# '),
  Buffer.from(SENTINEL),
  Buffer.from([1, 8]),
  Buffer.from('10110001\n'),
]);

let work = '';
let tree = ''; // electron-builder's linux-unpacked
let copy = ''; // the same tree, copied away from the checkout and its node_modules
let deb = ''; // built from the tree by scripts/packaging/build-deb.mjs

// Package entry points by file: their exports maps do not list them.
const bin = (path: string): string => join(ROOT, 'node_modules', path);

function run(cmd: string, args: readonly string[], cwd = ROOT): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('packaged tree (electron-builder --dir on a stand-in Electron)', () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'cw-pkg-'));
    // What `npm run dist` does before electron-builder, minus the native build (npm run build did it).
    run(process.execPath, ['scripts/packaging/bundle.mjs']);
    run(process.execPath, [bin('typescript/bin/tsc'), '-p', 'main/app/tsconfig.json']);
    run(process.execPath, [bin('typescript/bin/tsc'), '-p', 'main/app/tsconfig.preload.json']);
    run(process.execPath, [
      bin('vite/bin/vite.js'),
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ]);
    run(process.execPath, ['scripts/packaging/stage-runtime.mjs']);
    const dist = join(work, 'electron-dist');
    mkdirSync(dist);
    writeFileSync(join(dist, 'electron'), STAND_IN, { mode: 0o755 });
    // npmRebuild would fetch Electron's headers; nothing of ours is rebuilt for Electron (N-API, prebuilt).
    run(process.execPath, [
      bin('electron-builder/cli.js'),
      '--dir',
      '--linux',
      '--config',
      'electron-builder.yml',
      `-c.electronDist=${dist}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${join(work, 'out')}`,
    ]);
    tree = join(work, 'out', 'linux-unpacked');
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tree holds the app, the addon, the helper bundle, the CLI, its runtime and the polkit files', () => {
    const res = join(tree, 'resources');
    for (const f of [
      'causeway-app',
      'resources/app.asar',
      `resources/${PACKAGED_MARKER}`,
      'resources/native/causeway_tun.node',
      'resources/helper/causeway-helper.cjs',
      'resources/cli/causeway',
      'resources/cli/causeway-cli.cjs',
      'resources/cli/keyring/index.js',
      'resources/node/node',
      'resources/polkit/org.causeway.helper.policy',
      'resources/polkit/causeway-helper',
    ]) {
      assert.ok(existsSync(join(tree, f)), f);
    }
    // Only the product addon ships: the test build (causeway_tun_test.node, with coalesce()) stays in native/tun/build.
    assert.deepEqual(readdirSync(join(res, 'native')), ['causeway_tun.node']);
    assert.equal('coalesce' in (require(join(res, 'native', 'causeway_tun.node')) as object), false);
    // The Electron main process resolves the addon through the marker; the bundles through ../native.
    const packaged = addonLayout({
      moduleFile: join(res, 'app.asar', 'dist', 'main', 'engine', 'tun', 'native-addon.js'),
      bundled: false,
      resourcesPath: res,
      exists: existsSync,
    });
    assert.equal(packaged.kind, 'packaged');
    assert.equal(addonPathFor(packaged), join(res, 'native', 'causeway_tun.node'));
    for (const bundle of ['helper/causeway-helper.cjs', 'cli/causeway-cli.cjs']) {
      assert.equal(
        addonPathFor({ kind: 'bundle', bundleFile: join(res, bundle) }),
        join(res, 'native', 'causeway_tun.node'),
        bundle,
      );
    }
  });

  test('the asar: the app entry and the renderer (with its CSP meta) where index.ts looks; every .node unpacked; no CLI or browser host', () => {
    const archive = join(tree, 'resources', 'app.asar');
    const files = asar.listPackage(archive).map((f) => f.replaceAll('\\', '/'));
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString()) as { main: string };
    assert.ok(files.includes(`/${pkg.main}`), pkg.main);
    assert.ok(files.includes('/dist/main/app/preload.cjs'));
    // index.ts: the page is <app root>/renderer/dist/index.html, three levels above dist/main/app.
    assert.ok(files.includes('/renderer/dist/index.html'));
    const html = asar.extractFile(archive, 'renderer/dist/index.html').toString();
    assert.ok(
      html.includes(`<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}"`),
      'the built page carries the CSP',
    );
    assert.ok(!files.some((f) => f.startsWith('/dist/main/cli/') || f.startsWith('/dist/main/browser-host/')));
    const natives = files.filter((f) => f.endsWith('.node'));
    assert.ok(natives.length > 0, 'the keychain binding is there');
    for (const n of natives) {
      assert.equal(asar.statFile(archive, n.slice(1)).unpacked, true, `${n} is unpacked`);
      assert.ok(existsSync(join(tree, 'resources', 'app.asar.unpacked', n)), `${n} on disk`);
    }
  });

  test('fuses on the stand-in: RunAsNode, NODE_OPTIONS and inspect off; asar integrity and asar-only on', async () => {
    const wire = await fuses.getCurrentFuseWire(join(tree, 'causeway-app'));
    const o = fuses.FuseV1Options;
    assert.equal(wire[o.RunAsNode!], OFF);
    assert.equal(wire[o.EnableNodeOptionsEnvironmentVariable!], OFF);
    assert.equal(wire[o.EnableNodeCliInspectArguments!], OFF);
    assert.equal(wire[o.EnableEmbeddedAsarIntegrityValidation!], ON);
    assert.equal(wire[o.OnlyLoadAppFromAsar!], ON);
    assert.equal(wire[o.EnableCookieEncryption!], ON);
    // Not configured: left as the stand-in had it.
    assert.equal(wire[o.GrantFileProtocolExtraPrivileges!], ON);
  });

  test("the deb from that tree (dpkg-deb): Depends keeps electron-builder's defaults and adds ours; policy, launcher, scripts", () => {
    deb = join(work, 'causeway.deb');
    // No compression: only the layout is under test, and xz of the runtime would take most of the time.
    run(process.execPath, ['scripts/packaging/build-deb.mjs', tree, deb, '--compression=none']);
    const control = execFileSync('dpkg-deb', ['-f', deb, 'Depends'], { encoding: 'utf8' }).trim().split(', ');
    const FpmTarget = (
      require('app-builder-lib/out/targets/FpmTarget.js') as {
        default: { prototype: { getDefaultDepends(t: string): string[] } };
      }
    ).default;
    for (const d of [...FpmTarget.prototype.getDefaultDepends('deb'), 'pkexec', 'iproute2'])
      assert.ok(control.includes(d), `Depends has ${d}: ${control.join(', ')}`);
    assert.ok(!control.includes('policykit-1'));
    const files = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    for (const f of [
      './usr/share/polkit-1/actions/org.causeway.helper.policy',
      './usr/lib/causeway/causeway-helper.in',
      './usr/share/applications/causeway-app.desktop',
      './usr/share/icons/hicolor/256x256/apps/causeway-app.png',
      './opt/Causeway/causeway-app',
      './opt/Causeway/resources/helper/causeway-helper.cjs',
      './opt/Causeway/resources/native/causeway_tun.node',
      './opt/Causeway/resources/cli/causeway',
      './opt/Causeway/resources/node/node',
    ]) {
      assert.match(files, new RegExp(`^\\S+ root/root .* ${f.replaceAll('.', '\\.')}$`, 'm'), f);
    }
    const scripts = join(work, 'control');
    execFileSync('dpkg-deb', ['-e', deb, scripts]);
    const postinst = readFileSync(join(scripts, 'postinst'), 'utf8');
    assert.doesNotMatch(postinst, /\$\{[a-zA-Z]+\}/, 'every macro rendered');
    assert.match(
      postinst,
      /update-alternatives --install '\/usr\/bin\/causeway-app' 'causeway-app' "\$APP_DIR\/causeway-app"/,
    );
    assert.match(postinst, /ln -sfn "\$APP_DIR\/resources\/cli\/causeway" "\$CLI"/);
    assert.match(readFileSync(join(scripts, 'postrm'), 'utf8'), /rm -f "\$HELPER_DIR\/causeway-helper"/);
  });

  // polkitd reads the policy from the deb: a private system bus and polkitd in a mount namespace of
  // their own, with the deb's actions folder mounted over /usr/share/polkit-1/actions.
  const polkitTools = ['/usr/bin/dbus-daemon', '/usr/lib/polkit-1/polkitd', '/usr/bin/pkaction', '/usr/bin/unshare'];
  const polkitSkip = !isRoot()
    ? 'needs root'
    : polkitTools.every(existsSync) && existsSync('/run/dbus')
      ? false
      : `needs ${polkitTools.join(', ')} and /run/dbus`;
  test(
    "polkitd reads the deb's policy: the active local user connects without a password, others need an admin",
    { skip: polkitSkip },
    () => {
      assert.ok(deb, 'the deb was built');
      const unpacked = join(work, 'deb-root');
      execFileSync('dpkg-deb', ['-x', deb, unpacked]);
      const bus = join(work, 'bus');
      mkdirSync(bus);
      const script = [
        'set -e',
        `mount --bind '${bus}' /run/dbus`,
        `mount --bind '${join(unpacked, 'usr/share/polkit-1/actions')}' /usr/share/polkit-1/actions`,
        'BUS=$(dbus-daemon --system --fork --nopidfile --print-pid)',
        '/usr/lib/polkit-1/polkitd --no-debug >/dev/null 2>&1 & PK=$!',
        // Both are ours to stop, by pid: the bus outlives this namespace otherwise.
        "trap 'kill $PK $BUS 2>/dev/null || true' EXIT",
        'for i in $(seq 1 100); do if pkaction --verbose --action-id org.causeway.helper 2>/dev/null; then exit 0; fi; sleep 0.1; done',
        'exit 1',
      ].join('\n');
      const out = execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.match(out, /^\s*implicit any:\s+auth_admin$/m);
      assert.match(out, /^\s*implicit inactive:\s+auth_admin$/m);
      assert.match(out, /^\s*implicit active:\s+yes$/m);
      assert.match(out, /org\.freedesktop\.policykit\.exec\.path -> \/usr\/lib\/causeway\/causeway-helper$/m);
    },
  );

  describe('run from a copy outside the checkout', () => {
    before(() => {
      copy = join(work, 'opt', 'Causeway');
      mkdirSync(dirname(copy), { recursive: true });
      cpSync(tree, copy, { recursive: true });
      // The tree is root's and readable by all, as an installed package gives it to every user.
      chmodSync(work, 0o755);
      // Nothing above the copy could lend it modules.
      for (let d = copy; dirname(d) !== d; d = dirname(d))
        assert.ok(!existsSync(join(d, 'node_modules')), `${d}/node_modules`);
    });

    test('the shipped CLI answers --version through a /usr/bin-style link, as an unprivileged user too', () => {
      const bin = join(work, 'bin');
      mkdirSync(bin);
      symlinkSync(join(copy, 'resources', 'cli', 'causeway'), join(bin, 'causeway'));
      const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      const env = { PATH: '/usr/bin:/bin', NODE_PATH: '', HOME: work };
      assert.equal(
        execFileSync(join(bin, 'causeway'), ['--version'], { encoding: 'utf8', env, cwd: work }).trim(),
        version,
      );
      if (isRoot()) {
        const out = execFileSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', join(bin, 'causeway'), '--version'],
          { encoding: 'utf8', env: { ...env, HOME: '/nonexistent' }, cwd: '/' },
        );
        assert.equal(out.trim(), version);
      }
    });

    test(
      'the helper bundle as root in a netns: creates the TUN and hands its descriptor over',
      { skip: isRoot() ? false : 'needs root' },
      async () => {
        const res = join(copy, 'resources');
        assert.deepEqual(checkTrustedFile(join(res, 'helper', 'causeway-helper.cjs'), { uid: 0 }), { ok: true });
        createNetns(NS);
        const logs: string[] = [];
        try {
          const helper = await HelperClient.start(
            {
              command: IP,
              args: ['netns', 'exec', NS, join(res, 'node', 'node'), join(res, 'helper', 'causeway-helper.cjs')],
              env: { NODE_PATH: '' },
              viaPolkit: false,
            },
            { onLog: (l) => logs.push(l) },
          );
          try {
            await helper.createTun({ name: TUN, uid: 0 });
            await helper.configure({ name: TUN, address: '10.98.0.1', peer: '10.98.0.2', mtu: 1400 });
            const tun = await helper.openTun({ name: TUN });
            assert.equal(tun.name, TUN);
            const device = attachLinuxTun(tun.fd);
            assert.ok(device.ok, device.ok ? '' : device.error.message);
            assert.equal(device.device.name, TUN);
            // (Its MTU is asked by interface name, which only resolves inside the namespace.)
            assert.match(execFileSync(IP, ['-n', NS, 'link', 'show', TUN], { encoding: 'utf8' }), /mtu 1400 /);
            device.device.close();
          } finally {
            await helper.close();
          }
          assert.ok(!logs.some((l) => /refusing to run/.test(l)), logs.join('\n'));
        } finally {
          deleteNetns(NS);
        }
      },
    );

    test(
      'the shipped CLI, as an unprivileged user: `causeway test` against SoftEther connects and pings the server',
      { skip: integrationSkip() || (isRoot() ? false : 'needs root') },
      async (t) => {
        const server = await startSoftEther({ name: 'cw-pkg' });
        t.after(() => server.stop());
        const home = join(work, 'home-nobody');
        mkdirSync(home);
        execFileSync('chown', ['65534:65534', home]);
        const r = spawnSync(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            join(copy, 'resources', 'cli', 'causeway'),
            'test',
            server.host,
            '--user',
            'testuser',
            '--password-stdin',
            '--json',
            '--insecure',
            '--auth',
            'mschapv2',
          ],
          {
            input: 'testpass',
            encoding: 'utf8',
            cwd: '/',
            env: { PATH: '/usr/bin:/bin', NODE_PATH: '', HOME: home },
            timeout: 90_000,
          },
        );
        assert.equal(r.status, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
        const result = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
          ok?: boolean;
          ipv4?: { peer: string };
          echo?: { ok: boolean };
        };
        assert.equal(result.ok, true, r.stdout);
        assert.equal(result.ipv4?.peer, '192.168.30.1');
        assert.equal(result.echo?.ok, true);
      },
    );

    test(
      "the shipped CLI as root: `causeway connect` runs the tree's helper bundle, a ping crosses the TUN",
      { skip: integrationSkip() || (isRoot() ? false : 'needs root') },
      async (t) => {
        const server = await startSoftEther({ name: 'cw-pkgdp', bridge: true });
        t.after(() => server.stop());
        const client = await startClientNetns(server.netns, 3);
        t.after(() => client.stop());
        const home = join(work, 'home-root');
        mkdirSync(home, { recursive: true });
        const cli = spawnJsonChild(
          IP,
          [
            'netns',
            'exec',
            client.name,
            join(copy, 'resources', 'cli', 'causeway'),
            'connect',
            client.serverAddress,
            '--user',
            'testuser',
            '--password-stdin',
            '--insecure',
            '--json',
            '--no-dns',
          ],
          'testpass',
          {
            env: {
              PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
              NODE_PATH: '',
              HOME: home,
              XDG_RUNTIME_DIR: join(home, 'run'),
            },
          },
        );
        try {
          const up = await cli.waitFor((e) => e['event'] === 'connected', 60_000);
          const iface = String(up['interface']);
          assert.equal(
            (await client.routeGet('192.168.30.5')).dev,
            iface,
            'the bridge host is reached through the tunnel',
          );
          const ping = await client.exec(tool('ping'), ['-c', '3', '-i', '0.2', '-W', '2', '192.168.30.5'], {
            allowFailure: true,
            timeoutMs: 20_000,
          });
          assert.equal(ping.code, 0, ping.stdout);
          cli.child.kill('SIGTERM');
          assert.equal(await cli.exited, 0, cli.output());
          assert.ok(!(await client.links()).includes(iface), 'the TUN is gone after Ctrl-C');
        } finally {
          if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
        }
      },
    );

    test(
      'the helper bundle refuses to run from a directory others can write, and when required by another script',
      { skip: isRoot() ? false : 'needs root' },
      () => {
        const res = join(copy, 'resources');
        const node = join(res, 'node', 'node');
        const hello = '{"id":1,"verb":"hello"}\n';
        const byOther = spawnSync(
          node,
          ['-e', `require(${JSON.stringify(join(res, 'helper', 'causeway-helper.cjs'))})`],
          { input: hello, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } },
        );
        assert.equal(byOther.status, 2, byOther.stderr);
        assert.match(byOther.stderr, /refusing to run: started as .* not as /);
        chmodSync(join(res, 'native'), 0o777);
        try {
          const r = spawnSync(node, [join(res, 'helper', 'causeway-helper.cjs')], {
            input: hello,
            encoding: 'utf8',
            env: { PATH: '/usr/bin:/bin' },
          });
          assert.equal(r.status, 2, r.stderr);
          assert.match(
            r.stderr,
            /refusing to run: .*resources\/native is writable by its group or others \(mode 777\)/,
          );
          assert.equal(r.stdout, '', 'no answer before the check');
        } finally {
          chmodSync(join(res, 'native'), 0o755);
        }
      },
    );
  });
});
