// Child process for the crash test: replaces the profiles file forever through the same atomic write
// the store uses, alternating between two valid documents, until the parent SIGKILLs it mid-write.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../../../main/services/profiles/atomic-write.js';

const file = process.argv[2];
if (!file) throw new Error('usage: crash-writer <profiles.json>');
const a = await readFile(file, 'utf8');
const b = a.replaceAll('"mtu": 1400', '"mtu": 1300');
process.stdout.write('ready\n');
for (let round = 0; ; round++) await writeFileAtomic(file, round % 2 === 0 ? b : a);
