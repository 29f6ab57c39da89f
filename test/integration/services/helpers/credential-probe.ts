// Child process: round trips through the real keychain backend, printed as JSON. Run in its own
// process so each probe binds to the session bus of its own environment.
// usage: credential-probe.ts [roundtrip|set|get]   (get: read what an earlier process stored)
import { KeyringCredentialStore } from '../../../../main/services/credentials/keyring-store.js';

const ID = '11111111-1111-4111-8111-111111111111';
const store = new KeyringCredentialStore({ service: 'causeway-test', timeoutMs: 5000 });
if (process.argv[2] === 'get') {
  process.stdout.write(JSON.stringify({ get: await store.get(ID, 'password') }) + '\n');
} else if (process.argv[2] === 'set') {
  process.stdout.write(JSON.stringify({ set: await store.set(ID, 'password', 'probe-secret-value') }) + '\n');
} else {
  const set = await store.set(ID, 'password', 'probe-secret-value');
  const get = await store.get(ID, 'password');
  process.stdout.write(JSON.stringify({ set, get }) + '\n');
}
