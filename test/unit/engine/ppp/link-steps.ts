// What the PppLink tests share: the LCP/IPCP codes, one IPv4 and one IPv6 packet, and the steps that
// bring a link up against the scripted server of harness.ts.
import assert from 'node:assert/strict';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import { encodeOptions } from '../../../../main/engine/ppp/options.js';
import { IPCP, LCP, ipOpt, magic, type Harness, type Sent } from './harness.js';

export const CONF_REQ = 1;
export const CONF_ACK = 2;
export const CONF_NAK = 3;
export const CONF_REJ = 4;
export const TERM_REQ = 5;
export const TERM_ACK = 6;
export const PROT_REJ = 8;
export const ECHO_REQ = 9;
export const ECHO_REP = 10;

export const ipv4Packet = Buffer.from('4500001c000000004001f96e0a0000010a000007080000000000000000000000', 'hex');
export const ipv6Packet = Buffer.concat([Buffer.from('60000000000c3a40', 'hex'), Buffer.alloc(32), Buffer.alloc(12)]);

export function expectSent(s: Sent, protocol: number, code: number, options?: readonly ConfigOption[]): void {
  assert.equal(s.protocol, protocol, s.trace);
  assert.equal(s.code, code, s.trace);
  if (options) assert.deepEqual(s.data, encodeOptions(options), s.trace);
}

/** LCP up with a peer that asks only for `peerOptions`; returns our acked request. */
export function lcpUp(h: Harness, peerOptions: ConfigOption[] = [magic(0xcafe0001)]): Sent {
  h.link.start();
  const req = h.one(LCP);
  h.feed(LCP, CONF_REQ, 0x10, peerOptions);
  expectSent(h.one(LCP), LCP, CONF_ACK, peerOptions);
  h.ackLast(req);
  return req;
}

/** From an open LCP with no authentication to IPv4 up at 10.0.0.7 (peer 10.0.0.1, DNS 10.0.0.53). */
export function ipv4Up(h: Harness): void {
  const req = h.take().find((s) => s.protocol === IPCP && s.code === CONF_REQ);
  assert.ok(req, 'IPCP request sent');
  h.feed(IPCP, CONF_REQ, 1, [ipOpt(3, '10.0.0.1')]);
  h.feed(IPCP, CONF_NAK, req.id, [ipOpt(3, '10.0.0.7'), ipOpt(129, '10.0.0.53'), ipOpt(131, '10.0.0.54')]);
  const again = h.take().find((s) => s.protocol === IPCP && s.code === CONF_REQ);
  assert.ok(again);
  h.ackLast(again);
}
