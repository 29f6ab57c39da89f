// Root: the real helper's kill switch in a network namespace joined to an "outside" namespace by a
// veth pair. Counters in the outside namespace see every packet that arrives from the client, so a
// blocked probe is one that never got there. The machine's own ruleset is compared before and after.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HelperClient } from '../../../main/helper/client/client.js';
import { STATE_DIR } from '../../../main/helper/root/state-store.js';
import { createNetns, deleteNetns, helperIn, inNetns, IP, isRoot, linkNames, sh, waitFor } from './netns.js';

const NS = 'cwt-ks';
const OUT = 'cwt-ks-out';
const CLIENT = '10.77.0.2';
const OUTSIDE = '10.77.0.1';
const NFT = '/usr/sbin/nft';

type NftJson = { nftables: Record<string, Record<string, unknown>>[] };

function rootRuleset(): string {
  return sh(NFT, ['-j', 'list', 'ruleset']);
}

/** Our table in NS as `nft -j` reports it, or undefined when there is none. */
function ourTable(): NftJson | undefined {
  try {
    return JSON.parse(inNetns(NS, NFT, ['-j', 'list', 'table', 'inet', 'causeway'])) as NftJson;
  } catch {
    return undefined;
  }
}

function chains(t: NftJson): Record<string, unknown>[] {
  return t.nftables.flatMap((o) => (o.chain ? [o.chain] : []));
}

/** Each rule as nft -j prints it, stringified, per chain. */
function rules(t: NftJson, chain: string): string[] {
  return t.nftables.flatMap((o) => (o.rule && o.rule.chain === chain ? [JSON.stringify(o.rule.expr)] : []));
}

/** Packets from the client seen by the outside namespace (an nft counter there, before any filter). */
function arrived(): number {
  const t = JSON.parse(inNetns(OUT, NFT, ['-j', 'list', 'table', 'inet', 'probe'])) as NftJson;
  const rule = t.nftables.find((o) => o.rule !== undefined)?.rule as { expr: { counter?: { packets: number } }[] };
  return rule.expr.find((e) => e.counter)?.counter?.packets ?? -1;
}

/** A TCP connect from the client namespace: 'refused' means it reached the outside (RST back), 'blocked' our reject. */
function tcpProbe(port: number): 'connected' | 'refused' | 'blocked' | 'timeout' {
  try {
    inNetns(NS, '/usr/bin/timeout', ['3', '/bin/bash', '-c', `exec 3<>/dev/tcp/${OUTSIDE}/${port}`]);
    return 'connected';
  } catch (e) {
    const text = String((e as { stderr?: unknown }).stderr ?? e);
    if (/refused/i.test(text)) return 'refused';
    if (/No route to host|not permitted|unreachable/i.test(text)) return 'blocked';
    return 'timeout';
  }
}

function ping(): boolean {
  try {
    inNetns(NS, '/usr/bin/ping', ['-c', '1', '-W', '1', OUTSIDE]);
    return true;
  } catch {
    return false;
  }
}

function stateFilesWithKillSwitch(): string[] {
  if (!existsSync(STATE_DIR)) return [];
  return readdirSync(STATE_DIR).filter(
    (f) => f.endsWith('.json') && readFileSync(join(STATE_DIR, f), 'utf8').includes('"delete-kill-switch"'),
  );
}

describe('kill switch (root, network namespaces)', { skip: !isRoot() && 'needs root' }, () => {
  let rootBefore = '';
  before(() => {
    rootBefore = rootRuleset();
    createNetns(NS);
    createNetns(OUT);
    sh(IP, ['link', 'add', 'cwt-ks-c', 'netns', NS, 'type', 'veth', 'peer', 'name', 'cwt-ks-o', 'netns', OUT]);
    inNetns(NS, IP, ['addr', 'add', `${CLIENT}/24`, 'dev', 'cwt-ks-c']);
    inNetns(NS, IP, ['link', 'set', 'cwt-ks-c', 'up']);
    inNetns(OUT, IP, ['addr', 'add', `${OUTSIDE}/24`, 'dev', 'cwt-ks-o']);
    inNetns(OUT, IP, ['link', 'set', 'cwt-ks-o', 'up']);
  });
  after(() => {
    deleteNetns(NS);
    deleteNetns(OUT);
    assert.equal(rootRuleset(), rootBefore, "the machine's own ruleset is untouched");
  });

  test('armed: only the server endpoint gets out; kill -9 of the engine keeps the block; recovery removes it', async () => {
    inNetns(OUT, '/bin/sh', [
      '-c',
      `printf 'table inet probe {\\n chain c {\\n type filter hook prerouting priority raw; policy accept;\\n ip saddr ${CLIENT} counter\\n }\\n}\\n' | ${NFT} -f -`,
    ]);
    // Control: with no kill switch every probe gets there (so a blocked probe means something).
    assert.equal(ping(), true);
    assert.equal(tcpProbe(80), 'refused');
    const control = arrived();
    assert.ok(control >= 2, `control probes arrived: ${control}`);

    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'fixtures', 'kill-switch-parent.ts'),
        JSON.stringify(helperIn(NS)),
        `${OUTSIDE}:443`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const ready = await new Promise<{ helperPid: number }>((resolve, reject) => {
      parent.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { helperPid: number }));
      parent.once('exit', (code) => reject(new Error(`parent exited ${code}`)));
    });

    const table = ourTable();
    assert.ok(table, 'inet causeway exists in the namespace');
    const byName = Object.fromEntries(chains(table).map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(byName).sort(), ['forward', 'input', 'output']);
    assert.equal(byName.output?.hook, 'output');
    assert.equal(byName.input?.policy, 'drop');
    const out = rules(table, 'output');
    assert.ok(
      out.some((r) => r.includes('"oifname"') && r.includes('"cwt-ks0"')),
      'the TUN created after arming is let through',
    );
    assert.ok(out.some((r) => r.includes(`"${OUTSIDE}"`) && r.includes('"dport"') && r.includes('443')));
    assert.ok(out.at(-1)?.includes('"reject"') && out.at(-1)?.includes('admin-prohibited'), out.at(-1));

    const beforeBlocked = arrived();
    assert.equal(ping(), false, 'ICMP is blocked');
    assert.equal(tcpProbe(80), 'blocked', 'TCP to another port fails at once (admin-prohibited)');
    assert.equal(arrived(), beforeBlocked, 'nothing blocked reached the outside');
    assert.equal(tcpProbe(443), 'refused', 'the server endpoint is reachable (RST from the outside)');
    assert.equal(arrived(), beforeBlocked + 1);

    // The engine dies without a word: the helper undoes the TUN but keeps the table, journaled.
    parent.kill('SIGKILL');
    await waitFor(
      'the helper exited',
      () => {
        try {
          process.kill(ready.helperPid, 0);
          return false;
        } catch {
          return true;
        }
      },
      5000,
    );
    assert.ok(!linkNames(NS).includes('cwt-ks0'), 'the TUN is gone');
    assert.ok(ourTable(), 'the block survives the crash');
    assert.equal(stateFilesWithKillSwitch().length, 1, 'and is journaled for the next helper');
    const afterCrash = arrived();
    assert.equal(ping(), false);
    assert.equal(tcpProbe(80), 'blocked');
    assert.equal(arrived(), afterCrash, 'still nothing gets out after the crash');

    // The user's disconnect: a new helper adopts the table, and disarm removes it.
    const recovery = await HelperClient.start(helperIn(NS));
    try {
      assert.equal((await recovery.hello()).killSwitch, 'adopted');
      assert.equal(stateFilesWithKillSwitch().length, 1, 'the new helper journals it under its own pid');
      assert.deepEqual(await recovery.killSwitchDisarm(), { removed: true });
    } finally {
      await recovery.close(5000);
    }
    assert.equal(ourTable(), undefined);
    assert.equal(stateFilesWithKillSwitch().length, 0);
    assert.equal(ping(), true, 'traffic flows again');
  });

  test('a clean close without disarm (reconnect, teardown) keeps the block; an armed helper replaces it whole', async () => {
    const client = await HelperClient.start(helperIn(NS));
    try {
      await client.killSwitchArm({ endpoints: [{ address: OUTSIDE, port: 443 }] });
      await client.killSwitchArm({
        endpoints: [
          { address: OUTSIDE, port: 8443 },
          { address: 'fd77::1', port: 443 },
        ],
        allowLan: true,
      });
      const t = ourTable();
      assert.ok(t);
      assert.equal(t.nftables.filter((o) => o.table).length, 1, 'one table');
      const out = rules(t, 'output');
      assert.ok(out.some((r) => r.includes('8443')));
      assert.ok(
        !out.some((r) => r.includes(`"${OUTSIDE}"`) && r.includes('443') && !r.includes('8443')),
        'old endpoint gone',
      );
      assert.ok(out.some((r) => r.includes('"fd77::1"')));
      // LAN allowed: the outside (10.77.0.1 is RFC 1918) is reachable now.
      assert.equal(ping(), true);
      await client.teardown();
      assert.ok(ourTable(), 'teardown keeps it');
    } finally {
      await client.close(5000);
    }
    assert.ok(ourTable(), 'closing stdin keeps it');
    const cleanup = await HelperClient.start(helperIn(NS));
    try {
      assert.equal((await cleanup.hello()).killSwitch, 'adopted');
      await cleanup.killSwitchDisarm();
    } finally {
      await cleanup.close(5000);
    }
    assert.equal(ourTable(), undefined);
  });
});
