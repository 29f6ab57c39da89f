// The namespace the TUN addon's root tests write into: a netns with a real helper, its TUN at
// 10.<net>.0.1 (peer .2, MTU 1400) routing 10.<net>.1.0/24, and with `ipv6` also fd<net>::1/64 routing
// fd<net>:1::/64 — the far side the tests' packets claim to come from.
import { HelperClient } from '../../../main/helper/client/client.js';
import { createNetns, deleteNetns, helperIn, inNetns } from '../helper/netns.js';

export async function startTunNetns(ns: string, tun: string, net: number, ipv6: boolean): Promise<HelperClient> {
  createNetns(ns);
  const helper = await HelperClient.start(helperIn(ns));
  await helper.createTun({ name: tun, uid: 0 });
  await helper.configure({ name: tun, address: `10.${net}.0.1`, peer: `10.${net}.0.2`, mtu: 1400 });
  await helper.setRoutes({ name: tun, mode: 'split', routes: [`10.${net}.1.0/24`], serverAddress: '192.0.2.1' });
  if (ipv6) {
    inNetns(ns, '/usr/sbin/ip', ['-6', 'addr', 'add', `fd${net}::1/64`, 'dev', tun, 'nodad']);
    inNetns(ns, '/usr/sbin/ip', ['-6', 'route', 'add', `fd${net}:1::/64`, 'dev', tun]);
  }
  return helper;
}

export async function stopTunNetns(helper: HelperClient | undefined, ns: string): Promise<void> {
  await helper?.close();
  deleteNetns(ns);
}
