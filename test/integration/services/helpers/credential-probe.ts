// Child process: one round trip through the real keychain backend, printed as JSON. Run in its own
// process because libsecret binds to the session bus it finds first and keeps it.
import { KeyringCredentialStore } from '../../../../main/services/credentials/keyring-store.js';

const store = new KeyringCredentialStore({ service: 'causeway-test', timeoutMs: 5000 });
const set = await store.set('11111111-1111-4111-8111-111111111111', 'password', 'probe-secret-value');
const get = await store.get('11111111-1111-4111-8111-111111111111', 'password');
process.stdout.write(JSON.stringify({ set, get }) + '\n');
