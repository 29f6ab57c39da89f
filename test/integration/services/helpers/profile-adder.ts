// Child process for the concurrent-writers test: adds COUNT profiles named "<prefix> <n>" through its
// own ProfileStore, as a CLI command or the app would, racing the other children for the same file.
import { ProfileStore } from '../../../../main/services/profiles/store.js';

const [dir, prefix, countText] = process.argv.slice(2);
if (!dir || !prefix || !countText) throw new Error('usage: profile-adder <configDir> <prefix> <count>');
const store = new ProfileStore(dir);
for (let n = 0; n < Number(countText); n++) {
  const r = await store.add({ name: `${prefix} ${n}`, server: { host: `vpn${n}.example.test` }, username: 'alice' });
  if (!r.ok) {
    process.stderr.write(`${r.error.message}\n`);
    process.exit(1);
  }
}
