// The server quirk table: how each known SSTP server family gives itself away, and what Causeway does
// about its habits. Data only (the matching is in recognise.ts). Sources: docs/protocol.md §7 and
// traces of the real servers (SoftEther from the test harness; accel-ppp from VyOS's documented
// negotiation; RRAS from MS-SSTP and its LCP defaults; MikroTik from RouterOS's SSTP defaults).
import type { Observations } from './observe.js';

export interface QuirkSignal {
  /** Shown as evidence when it matches. */
  readonly label: string;
  /** How strongly it points at the family: a family is named once its signals sum to 3 or more. */
  readonly weight: number;
  readonly test: (o: Observations) => boolean;
}

export interface ServerFamily {
  readonly family: string;
  readonly signals: readonly QuirkSignal[];
  /** What Causeway does about this family's habits (already, without a setting). */
  readonly workarounds: readonly string[];
  readonly notes?: string;
}

const rejected = (o: Observations, name: string) => o.rejectedByServer.includes(name);

export const SERVER_FAMILIES: readonly ServerFamily[] = [
  {
    family: 'SoftEther VPN Server',
    signals: [
      {
        label: 'LCP echo data "Aho Baka Manuke" (SoftEther’s signature)',
        weight: 3,
        test: (o) => /Aho Baka Manuke/.test(o.echoData ?? ''),
      },
      { label: 'Configure-Reject of the LCP Magic-Number', weight: 1, test: (o) => rejected(o, 'magic') },
      { label: 'proposes EAP first', weight: 1, test: (o) => o.serverAuthOrder[0] === 'eap' },
      { label: 'offers SHA-256 crypto binding only', weight: 1, test: (o) => o.offeredHashes === 'SHA256' },
      {
        label: 'Configure-Reject of the secondary DNS option',
        weight: 0.5,
        test: (o) => o.ipcpRejected.includes('ms-dns2'),
      },
    ],
    workarounds: [
      'Magic-Number dropped after the server’s Configure-Reject (it knows only MRU and authentication)',
      'EAP proposal answered with a Nak toward the profile’s preferred method',
      'no SSTP echo expected back: SoftEther never answers one, so liveness rests on its own echoes (it aborts after ~20 s of silence)',
    ],
    notes: 'SoftEther does not verify the compound MAC, so a success here proves little about crypto binding.',
  },
  {
    family: 'Windows RRAS',
    signals: [
      { label: 'asks for MRU 4091', weight: 2, test: (o) => o.serverMru === 4091 },
      {
        label: 'proposes MRRU / Endpoint Discriminator / Callback',
        weight: 1,
        test: (o) => o.serverLcpOptions.some((x) => /^(mrru|endpoint|callback|type=1[379])/.test(x)),
      },
      {
        label: 'offers SHA-1 crypto binding only (RRAS before Windows Server 2012)',
        weight: 1,
        test: (o) => o.offeredHashes === 'SHA1',
      },
      { label: 'offers both SHA-1 and SHA-256 binding', weight: 0.5, test: (o) => o.offeredHashes === 'SHA1|SHA256' },
      {
        label: 'proposes EAP or MS-CHAPv2 only',
        weight: 0.5,
        test: (o) => o.serverAuthOrder.length > 0 && o.serverAuthOrder.every((a) => a === 'eap' || a === 'chap MS-v2'),
      },
    ],
    workarounds: [
      'MRRU, Endpoint Discriminator and Callback Configure-Rejected; MRU 4091 accepted (SSTP caps a packet at 4095)',
      'crypto binding sent with the hash the server offers (SHA-256 preferred, SHA-1 when that is all it has)',
    ],
    notes: 'RRAS verifies the compound MAC: a success proves the crypto binding.',
  },
  {
    family: 'accel-ppp (e.g. VyOS)',
    signals: [
      {
        label: 'asks for MRU 1452, or Naks ours to 1452',
        weight: 2,
        test: (o) => o.serverMru === 1452 || o.nakMru === 1452,
      },
      { label: 'proposes PAP first', weight: 1, test: (o) => o.serverAuthOrder[0] === 'pap' },
      { label: 'Configure-Reject of PFC/ACFC', weight: 1, test: (o) => rejected(o, 'pcomp') || rejected(o, 'accomp') },
      { label: 'Protocol-Reject of IPv6CP', weight: 0.5, test: (o) => o.protocolRejected.includes('IPV6CP') },
    ],
    workarounds: [
      'MRU lowered to the server’s Nak (1452)',
      'CALL_CONNECTED sent right after authentication: accel-ppp holds IP traffic until it arrives',
      'IPv6CP stopped on Protocol-Reject; IPv4 carries on',
    ],
    notes: 'accel-ppp may check the HTTP Host and the TLS SNI against its configured name: connect by that name.',
  },
  {
    family: 'MikroTik RouterOS',
    signals: [
      { label: 'challenge name "MikroTik"', weight: 3, test: (o) => /mikrotik/i.test(o.challengeName ?? '') },
      {
        label: 'asks for MRU 1450 (RouterOS’s SSTP default)',
        weight: 1,
        test: (o) => o.serverMru === 1450 || o.nakMru === 1450,
      },
    ],
    workarounds: [
      'SNI always sent with the host name (RouterOS servers with certificates per name need it)',
      'MRU taken from the server',
    ],
    notes: 'RouterOS’s TLS settings matter: with "verify client certificate" on, a client certificate is required.',
  },
];
