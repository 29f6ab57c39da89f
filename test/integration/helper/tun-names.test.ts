// Root: helpers asked for a TUN at the same moment each get a name of their own. Each picks the
// first free causewayN; without the state lock around that pick and `ip tuntap add` (which attaches
// to an existing TUN of the name instead of failing) two of them could take the same device.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { HelperClient } from '../../../main/helper/client/client.js';
import { createNetns, deleteNetns, helperIn, inNetns, IP, isRoot } from './netns.js';

const NS = 'cwt-names';
const N = 4;

const tuns = (): string[] =>
  (JSON.parse(inNetns(NS, IP, ['-j', 'link', 'show', 'type', 'tun'])) as { ifname: string }[]).map((l) => l.ifname);

describe('TUN names between helpers started together (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  const helpers: HelperClient[] = [];
  after(async () => {
    for (const h of helpers) await h.close();
    deleteNetns(NS);
  });

  test(`${N} helpers creating a TUN at once get ${N} different TUNs`, { timeout: 90_000 }, async () => {
    createNetns(NS);
    helpers.push(...(await Promise.all(Array.from({ length: N }, () => HelperClient.start(helperIn(NS))))));
    const created = await Promise.all(helpers.map((h) => h.createTun({ uid: 0 })));
    const names = created.map((c) => c.name);
    assert.equal(new Set(names).size, N, `names: ${names.join(', ')}`);
    assert.deepEqual(tuns().sort(), [...names].sort());
    for (const h of helpers.splice(0)) await h.close();
    assert.deepEqual(tuns(), [], 'every TUN is gone with its helper');
  });
});
