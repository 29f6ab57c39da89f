// MPPE master keys (RFC 3079 §3.3–3.4, 128-bit) and the keys SSTP crypto binding derives from them.
// Which key is which depends on the side: the client's send key is the server's receive key.
import { createHash } from 'node:crypto';

// RFC 3079 §3.4 constants.
const MASTER_MAGIC = Buffer.from('This is the MPPE Master Key', 'ascii');
const MAGIC_CLIENT_SEND = Buffer.from(
  'On the client side, this is the send key; on the server side, it is the receive key.',
  'ascii',
);
const MAGIC_CLIENT_RECEIVE = Buffer.from(
  'On the client side, this is the receive key; on the server side, it is the send key.',
  'ascii',
);
const SHS_PAD1 = Buffer.alloc(40, 0x00);
const SHS_PAD2 = Buffer.alloc(40, 0xf2);

export type KeySide = 'client' | 'server';
export type KeyDirection = 'send' | 'receive';

/** The two 16-byte MPPE master keys as one side sees them. */
export interface MppeMasterKeys {
  readonly side: KeySide;
  readonly send: Buffer;
  readonly receive: Buffer;
}

/** GetMasterKey (RFC 3079 §3.4): first 16 bytes of SHA1(PasswordHashHash ‖ NT-Response ‖ Magic1). */
export function getMasterKey(passwordHashHash: Uint8Array, ntResponse: Uint8Array): Buffer {
  return createHash('sha1').update(passwordHashHash).update(ntResponse).update(MASTER_MAGIC).digest().subarray(0, 16);
}

/** GetAsymmetricStartKey (RFC 3079 §3.4) for 128-bit keys. */
export function getAsymmetricStartKey(masterKey: Uint8Array, direction: KeyDirection, side: KeySide): Buffer {
  // Magic2 names the client's send key (= the server's receive key); Magic3 the other direction.
  const clientSendKey = (direction === 'send') === (side === 'client');
  const magic = clientSendKey ? MAGIC_CLIENT_SEND : MAGIC_CLIENT_RECEIVE;
  return createHash('sha1').update(masterKey).update(SHS_PAD1).update(magic).update(SHS_PAD2).digest().subarray(0, 16);
}

/** Both master keys for one side, from HashNtPasswordHash and the NT-Response of the exchange. */
export function mppeMasterKeys(passwordHashHash: Uint8Array, ntResponse: Uint8Array, side: KeySide): MppeMasterKeys {
  const master = getMasterKey(passwordHashHash, ntResponse);
  return {
    side,
    send: getAsymmetricStartKey(master, 'send', side),
    receive: getAsymmetricStartKey(master, 'receive', side),
  };
}

/**
 * SSTP HLAK for MS-CHAPv2 (MS-SSTP §3.2.5.2): the client uses MasterSendKey ‖ MasterReceiveKey, the
 * server MasterReceiveKey ‖ MasterSendKey — the same 32 bytes from both ends.
 */
export function mschapv2Hlak(keys: MppeMasterKeys): Buffer {
  return keys.side === 'client' ? Buffer.concat([keys.send, keys.receive]) : Buffer.concat([keys.receive, keys.send]);
}

/**
 * EAP-MSCHAPv2 MSK (64 bytes). [MS-CHAP] §3.1.5.1 states it from the authenticator's view:
 * MSK = MasterReceiveKey ‖ MasterSendKey ‖ 32 zero bytes; the peer's equivalent is its own
 * MasterSendKey ‖ MasterReceiveKey ‖ zeros (wpa_supplicant eap_mschapv2_getKey: "MSK = server
 * MS-MPPE-Recv-Key | MS-MPPE-Send-Key, i.e. peer MS-MPPE-Send-Key | MS-MPPE-Recv-Key"; Open-SSTP-Client
 * uses the same bytes as its EAP-MSCHAPv2 HLAK). So its first 32 bytes equal the MS-CHAPv2 HLAK.
 */
export function eapMschapv2Msk(keys: MppeMasterKeys): Buffer {
  return Buffer.concat([mschapv2Hlak(keys), Buffer.alloc(32)]);
}
