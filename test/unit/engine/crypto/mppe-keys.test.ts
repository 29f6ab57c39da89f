import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eapMschapv2Msk,
  getAsymmetricStartKey,
  getMasterKey,
  mppeMasterKeys,
  mschapv2Hlak,
} from '../../../../main/engine/crypto/mppe-keys.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

// RFC 3079 §3.5.3 sample (128-bit keys), built on the RFC 2759 example exchange.
const PASSWORD_HASH_HASH = h('41C00C584BD2D91C4017A2A12FA59F3F');
const NT_RESPONSE = h('82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF');
const MASTER_KEY = h('FDECE3717A8C838CB388E527AE3CDD31');
// The sample's "SendStartKey128" is the *server's* send key (Magic3), i.e. the client's receive key.
const SERVER_SEND = h('8B7CDC149B993A1BA118CB153F56DCCB');
// The other direction (Magic2): the client's send key = the server's receive key.
const CLIENT_SEND = h('D5F0E9521E3EA9589645E86051C82226');
const CLIENT_HLAK = h('D5F0E9521E3EA9589645E86051C82226 8B7CDC149B993A1BA118CB153F56DCCB');

test('RFC 3079: GetMasterKey', () => {
  assert.deepEqual(getMasterKey(PASSWORD_HASH_HASH, NT_RESPONSE), MASTER_KEY);
});

test('RFC 3079: GetAsymmetricStartKey, both directions and both sides', () => {
  assert.deepEqual(getAsymmetricStartKey(MASTER_KEY, 'send', 'server'), SERVER_SEND);
  assert.deepEqual(getAsymmetricStartKey(MASTER_KEY, 'receive', 'client'), SERVER_SEND);
  assert.deepEqual(getAsymmetricStartKey(MASTER_KEY, 'send', 'client'), CLIENT_SEND);
  assert.deepEqual(getAsymmetricStartKey(MASTER_KEY, 'receive', 'server'), CLIENT_SEND);
});

test('client HLAK = MasterSendKey ‖ MasterReceiveKey for the RFC 3079 sample', () => {
  const client = mppeMasterKeys(PASSWORD_HASH_HASH, NT_RESPONSE, 'client');
  assert.deepEqual(client.send, CLIENT_SEND);
  assert.deepEqual(client.receive, SERVER_SEND);
  assert.deepEqual(mschapv2Hlak(client), CLIENT_HLAK);
});

test('server HLAK = its MasterReceiveKey ‖ MasterSendKey: the same 32 bytes', () => {
  const server = mppeMasterKeys(PASSWORD_HASH_HASH, NT_RESPONSE, 'server');
  assert.deepEqual(server.send, SERVER_SEND);
  assert.deepEqual(server.receive, CLIENT_SEND);
  assert.deepEqual(mschapv2Hlak(server), CLIENT_HLAK);
});

test('EAP-MSCHAPv2 MSK: peer send ‖ peer receive ‖ 32 zeros, same from both ends', () => {
  const client = eapMschapv2Msk(mppeMasterKeys(PASSWORD_HASH_HASH, NT_RESPONSE, 'client'));
  const server = eapMschapv2Msk(mppeMasterKeys(PASSWORD_HASH_HASH, NT_RESPONSE, 'server'));
  assert.equal(client.length, 64);
  assert.deepEqual(client, Buffer.concat([CLIENT_HLAK, Buffer.alloc(32)]));
  assert.deepEqual(server, client);
});
