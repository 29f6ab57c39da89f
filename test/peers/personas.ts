// Ready-made scripts for the strict peer that behave like the servers Causeway meets (docs/protocol.md §7,
// shared/softether/README.md). Pass overrides as a second layer: startStrictPeer([personas.rrasLike(), { … }]).
import { LCP_OPT, type PartialScript } from './script.js';

/** Windows RRAS: MRU 4091, EAP first then MS-CHAPv2, Callback, MRRU, Endpoint Discriminator; strict binding. */
export function rrasLike(): PartialScript {
  return {
    name: 'rras-like',
    sstp: { hashBitmask: 0x03, answerEcho: true },
    http: { extraHeaders: ['Server: Microsoft-HTTPAPI/2.0'] },
    lcp: {
      request: [
        { kind: 'mru', value: 4091 },
        { kind: 'auth' },
        { kind: 'magic' },
        { kind: 'callback' },
        { kind: 'mrru', value: 1614 },
        { kind: 'endpoint' },
      ],
      maxMru: 4091,
      // Callback and multilink need support a VPN client does not have; acknowledging them is a lie.
      mustNotAck: [LCP_OPT.CALLBACK, LCP_OPT.MRRU],
    },
    auth: { methods: ['eap', 'mschapv2'], eap: 'mschapv2' },
    binding: { mode: 'enforce', holdNcpUntilCallConnected: true },
    ipcp: {
      serverAddress: '172.16.50.1',
      clientAddress: '172.16.50.23',
      dns: ['172.16.50.10', '172.16.50.11'],
      rejectDns: false,
    },
    ipv6cp: { mode: 'negotiate' },
  };
}

/**
 * accel-ppp (VyOS): ConfReq <auth PAP> <mru 1452> <magic>; rejects pcomp/accomp; NAKs a large MRU to
 * 1452; Protocol-Rejects IPv6CP; Configure-Rejects DNS; holds IP until CALL_CONNECTED; verifies binding.
 */
export function accelPppLike(): PartialScript {
  return {
    name: 'accel-ppp-like',
    sstp: { hashBitmask: 0x03, answerEcho: true },
    http: { expectedHost: '127.0.0.1' },
    lcp: {
      request: [{ kind: 'auth' }, { kind: 'mru', value: 1452 }, { kind: 'magic' }],
      maxMru: 1452,
    },
    auth: { methods: ['pap', 'chap', 'mschapv2'] },
    binding: { mode: 'enforce', holdNcpUntilCallConnected: true },
    ipcp: { serverAddress: '192.168.100.1', clientAddress: '192.168.100.7', dns: [], rejectDns: true },
    ipv6cp: { mode: 'protocol-reject' },
  };
}

/**
 * SoftEther (Debian build): waits for the client's ConfReq; only Auth; rejects Magic, PFC, ACFC; NAKs
 * MRU above 1500; EAP means EAP-TLS; SHA-256 only; does not verify the binding; never answers SSTP echo.
 */
export function softetherLike(): PartialScript {
  return {
    name: 'softether-like',
    sstp: { hashBitmask: 0x02, answerEcho: false },
    lcp: { request: [{ kind: 'auth' }], waitForClient: true, maxMru: 1500, minMru: 100, rejectMagic: true },
    auth: { methods: ['eap', 'mschapv2', 'pap'], eap: 'tls-only' },
    binding: { mode: 'record', holdNcpUntilCallConnected: false },
    ipcp: { serverAddress: '192.168.30.1', clientAddress: '192.168.30.10', dns: ['192.168.30.1'], rejectDns: false },
    ipv6cp: { mode: 'negotiate' },
  };
}

export const personas = { rrasLike, accelPppLike, softetherLike };
