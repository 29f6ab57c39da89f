// electron-builder.yml checked offline with electron-builder's own loader and schema validation
// (what `electron-builder` runs before it downloads anything), plus the files it refers to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);

// electron-builder logs ("• loaded configuration") to stdout in pieces, and a test file's stdout is
// the channel node:test's runner reads its serialized reports from: interleaved, the file fails with
// "Unable to deserialize cloned data". Its logger gets a sink of its own.
(require('builder-util') as { log: { stream: NodeJS.WritableStream } }).log.stream = new Writable({
  write: (_chunk, _encoding, done) => done(),
});

interface BuilderConfig {
  appId?: string;
  linux?: {
    target?: string[];
    icon?: string;
    category?: string;
    executableName?: string;
    extraFiles?: { from: string }[];
  };
  deb?: { fpm?: string[]; depends?: string[]; afterInstall?: string; afterRemove?: string };
  extraResources?: { from: string; to: string }[];
  asarUnpack?: string[];
  electronFuses?: Record<string, boolean>;
  mac?: unknown;
  win?: unknown;
}

test('electron-builder.yml passes electron-builder validation and names files that exist', async () => {
  const configModule = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(dir: string, path: string | null, fromOptions: null): Promise<BuilderConfig>;
    validateConfiguration(c: BuilderConfig, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await configModule.getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
  await configModule.validateConfiguration(config, new DebugLogger(false));

  assert.equal(config.appId, 'org.causeway.Causeway');
  assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
  assert.ok(config.mac && config.win, 'macOS and Windows are declared');
  for (const f of [config.linux?.icon, ...(config.linux?.extraFiles ?? []).map((x) => x.from)])
    assert.ok(f && existsSync(join(ROOT, f)), `${f} exists`);
  const fpm = config.deb?.fpm ?? [];
  assert.ok(
    fpm.some((m) => m.endsWith('=/usr/share/polkit-1/actions/org.causeway.helper.policy')),
    'the deb installs the polkit policy',
  );
  assert.ok(
    fpm.some((m) => m === 'resources/polkit/causeway-helper=/usr/lib/causeway/causeway-helper.in'),
    'the deb installs the helper launcher template',
  );
  assert.ok(
    !fpm.some((m) => m.endsWith('=/usr/share/applications/causeway.desktop')),
    'electron-builder writes the .desktop entry itself; a second mapping would collide',
  );
  assert.equal(config.deb?.afterInstall, 'scripts/packaging/deb-after-install.tpl');
  assert.equal(config.deb?.afterRemove, 'scripts/packaging/deb-after-remove.tpl');
  for (const m of fpm.filter((x) => !x.startsWith('--')))
    assert.ok(existsSync(join(ROOT, m.split('=')[0]!)), `${m} source exists`);
  for (const s of ['disconnected', 'connecting', 'connected', 'error'])
    assert.ok(existsSync(join(ROOT, 'resources/icons', `tray-${s}.png`)));
});

test("deb: electron-builder's default depends are kept, ours added as fpm options ahead of the file mappings", () => {
  const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8').replace(/#.*$/gm, '');
  assert.doesNotMatch(yml, /^\s*depends:/m, 'deb.depends would replace the defaults (GUI libraries, libsecret)');
  assert.doesNotMatch(yml, /policykit-1/, 'the transitional package');
  return (async () => {
    const configModule = require('app-builder-lib/out/util/config/config.js') as {
      getConfig(dir: string, path: string | null, fromOptions: null): Promise<BuilderConfig>;
    };
    const config = await configModule.getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    assert.equal(config.deb?.depends, undefined);
    const fpm = config.deb?.fpm ?? [];
    const options = fpm.filter((x) => x.startsWith('--'));
    assert.deepEqual(options, ['--depends=pkexec', '--depends=iproute2']);
    // fpm takes options before its positional file mappings.
    const lastOption = Math.max(...options.map((o) => fpm.indexOf(o)));
    assert.ok(fpm.findIndex((x) => !x.startsWith('--')) > lastOption);
  })();
});

test('layout: GUI causeway-app, resources for helper, CLI, addon and runtime, .node unpacked, fuses', async () => {
  const configModule = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(dir: string, path: string | null, fromOptions: null): Promise<BuilderConfig>;
  };
  const config = await configModule.getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
  assert.equal(config.linux?.executableName, 'causeway-app');
  const to = new Map((config.extraResources ?? []).map((r) => [r.to, r.from]));
  assert.equal(to.get('native'), 'dist/native');
  assert.equal(to.get('helper'), 'dist/helper');
  assert.equal(to.get('cli'), 'dist/cli');
  assert.equal(to.get('cli/causeway'), 'resources/cli/causeway');
  assert.equal(to.get('node/node'), 'dist/runtime/node');
  assert.equal(to.get('causeway-packaged'), 'resources/packaging/causeway-packaged');
  assert.equal(to.get('polkit'), 'resources/polkit');
  assert.ok(config.asarUnpack?.includes('**/*.node'));
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
  });
  const policy = readFileSync(join(ROOT, 'resources/polkit/org.causeway.helper.policy'), 'utf8');
  assert.match(policy, /<allow_active>yes<\/allow_active>/);
  assert.match(policy, /<allow_inactive>auth_admin<\/allow_inactive>/);
  assert.match(policy, /<allow_any>auth_admin<\/allow_any>/);
  const launcher = readFileSync(join(ROOT, 'resources/polkit/causeway-helper'), 'utf8');
  assert.match(
    launcher,
    /exec "\$APP_DIR\/resources\/node\/node" "\$APP_DIR\/resources\/helper\/causeway-helper\.cjs"$/m,
  );
  assert.doesNotMatch(launcher, /ELECTRON_RUN_AS_NODE/, 'the RunAsNode fuse is off');
});

test('a bad option is refused by the same validation (so the test above can fail)', async () => {
  const configModule = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration(c: object, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await assert.rejects(
    configModule.validateConfiguration({ linux: { target: ['AppImage'], notAnOption: true } }, new DebugLogger(false)),
    /does not match the API schema/,
  );
});

test('the .desktop entry is complete', () => {
  const text = readFileSync(join(ROOT, 'resources/causeway.desktop'), 'utf8');
  for (const key of ['Type=Application', 'Name=Causeway', 'Exec=', 'Icon=causeway', 'Categories=Network;'])
    assert.ok(text.includes(key), key);
});

// electron-builder's own rendering of the fpm script templates (FpmTarget's writeConfigFile): every
// ${word} is a macro and an unknown one fails the build, so shell variables must not use braces.
function render(template: string): string {
  const macros: Record<string, string> = {
    executable: 'causeway-app',
    sanitizedProductName: 'Causeway',
    productFilename: 'Causeway',
  };
  return readFileSync(join(ROOT, template), 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (_m, name: string) => {
    const v = macros[name];
    if (v === undefined) throw new Error(`${template}: macro \${${name}} is not defined`);
    return v;
  });
}

/** The Causeway part of a rendered script, with its absolute paths moved under `root`. */
function causewaySection(script: string, root: string): string {
  const m = /# --- causeway: helper launcher \(begin\) ---\n([\s\S]*?)# --- causeway: helper launcher \(end\) ---/.exec(
    script,
  );
  assert.ok(m?.[1], 'the script has a Causeway section');
  return m[1].replaceAll("'/usr/", `'${root}/usr/`);
}

test('the deb scripts render with electron-builder macros and are valid bash', () => {
  for (const t of ['scripts/packaging/deb-after-install.tpl', 'scripts/packaging/deb-after-remove.tpl']) {
    const text = render(t);
    assert.match(text, /^APP_DIR='\/opt\/Causeway'$/m, `${t}: the app folder electron-builder installs to`);
    const r = spawnSync('bash', ['-n'], { input: text });
    assert.equal(r.status, 0, `${t}: ${r.stderr}`);
  }
  assert.match(
    render('scripts/packaging/deb-after-install.tpl'),
    /update-alternatives --install '\/usr\/bin\/causeway-app' 'causeway-app' "\$APP_DIR\/causeway-app"/,
    'keeps the default postinst work',
  );
});

test('postinst fills @APP_DIR@ into the launcher the polkit policy names, root-owned 0755; postrm removes it', () => {
  const root = mkdtempSync(join(tmpdir(), 'causeway-deb-'));
  try {
    // What dpkg unpacked, as the fpm mappings say.
    const policyPath = readFileSync(join(ROOT, 'resources/polkit/org.causeway.helper.policy'), 'utf8').match(
      /exec\.path">([^<]+)</,
    )?.[1];
    assert.equal(policyPath, '/usr/lib/causeway/causeway-helper');
    mkdirSync(join(root, 'usr/lib/causeway'), { recursive: true });
    mkdirSync(join(root, 'usr/share/polkit-1/actions'), { recursive: true });
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(
      join(root, 'usr/lib/causeway/causeway-helper.in'),
      readFileSync(join(ROOT, 'resources/polkit/causeway-helper')),
      { mode: 0o664 },
    );
    writeFileSync(join(root, 'usr/share/polkit-1/actions/org.causeway.helper.policy'), '<policyconfig/>', {
      mode: 0o600,
    });
    // chown root needs root; elsewhere the ownership lines are all that is not exercised.
    const asUser = (s: string) => (process.getuid?.() === 0 ? s : s.replaceAll('chown root:root', ': chown'));
    const install = causewaySection(render('scripts/packaging/deb-after-install.tpl'), root);
    const run = (body: string, args: string[] = []) =>
      spawnSync('bash', ['-c', `APP_DIR='/opt/Causeway'\n${asUser(body)}`, 'postinst', ...args], { encoding: 'utf8' });
    const r = run(install);
    assert.equal(r.status, 0, r.stderr);

    const launcher = join(root, 'usr/lib/causeway/causeway-helper');
    const text = readFileSync(launcher, 'utf8');
    assert.match(text, /^APP_DIR='\/opt\/Causeway'$/m);
    assert.ok(!text.includes('@APP_DIR@'));
    assert.equal(statSync(launcher).mode & 0o7777, 0o755);
    assert.equal(statSync(join(root, 'usr/share/polkit-1/actions/org.causeway.helper.policy')).mode & 0o777, 0o644);
    assert.equal(statSync(join(root, 'usr/lib/causeway/causeway-helper.in')).mode & 0o777, 0o644);
    if (process.getuid?.() === 0) assert.equal(statSync(launcher).uid, 0);
    const bashCheck = spawnSync('bash', ['-n', launcher]);
    assert.equal(bashCheck.status, 0);

    // Every occurrence is filled in, not only the first.
    writeFileSync(join(root, 'usr/lib/causeway/causeway-helper.in'), "APP_DIR='@APP_DIR@'\nX='@APP_DIR@'\n");
    assert.equal(run(install).status, 0);
    assert.equal(readFileSync(launcher, 'utf8'), "APP_DIR='/opt/Causeway'\nX='/opt/Causeway'\n");

    // The CLI is /usr/bin/causeway; the GUI's own link (causeway-app) is electron-builder's default part.
    assert.equal(readlinkSync(join(root, 'usr/bin/causeway')), '/opt/Causeway/resources/cli/causeway');

    const remove = causewaySection(render('scripts/packaging/deb-after-remove.tpl'), root);
    assert.equal(run(remove).status, 0);
    assert.ok(!existsSync(launcher), 'postrm removes the launcher dpkg does not know about');
    assert.ok(
      !existsSync(join(root, 'usr/bin/causeway')) && !lstatSafe(join(root, 'usr/bin/causeway')),
      'postrm removes the CLI link',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

function lstatSafe(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
