// /proc/net/route as the kernel writes it: which next hops count as this computer's LAN gateways.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseProcNetRoute, readLanGateways } from '../../../../main/engine/transport/lan-gateways.js';

// A default route via 192.168.1.1, a connected /24 (no gateway), a route via 10.9.0.254, a route
// that is down (flags 0002), the same gateway twice; columns as the kernel pads them.
const TABLE = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
  'wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0',
  'eth1\t0000090A\tFE00090A\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0',
  'eth2\t0000140A\t0100140A\t0002\t0\t0\t0\t0000FFFF\t0\t0\t0',
  'wlan0\t0000000B\t0101A8C0\t0003\t0\t0\t600\t000000FF\t0\t0\t0',
  'garbage line',
  '',
].join('\n');

test('gateways of routes that are up and go through one, in order, once each', () => {
  assert.deepEqual(parseProcNetRoute(TABLE), ['192.168.1.1', '10.9.0.254']);
});

test('an empty or unreadable table gives none', async () => {
  assert.deepEqual(parseProcNetRoute(''), []);
  assert.deepEqual(await readLanGateways(join(tmpdir(), 'no-such-route-table')), []);
  const dir = mkdtempSync(join(tmpdir(), 'cw-route-'));
  writeFileSync(join(dir, 'route'), TABLE);
  assert.deepEqual(await readLanGateways(join(dir, 'route')), ['192.168.1.1', '10.9.0.254']);
});
