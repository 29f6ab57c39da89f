// Keeps the sequencer socket-free: no socket or TLS module, no event-loop timer of its own (time is
// the injected clock; "next turn" is the adapter's business), nothing it imports from above the engine.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '../../../../main/engine/sequencer');

describe('main/engine/sequencer stays socket-free', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

  it('has files to check', () => assert.ok(files.length >= 3, files.join(', ')));

  for (const f of files) {
    it(`${f}: no node:net / node:tls import, no setTimeout / setImmediate / setInterval`, () => {
      // Comments may name what the code must not do; only code counts.
      const code = readFileSync(join(DIR, f), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
        .join('\n');
      assert.doesNotMatch(code, /from 'node:(net|tls|dgram|http|https)'/);
      assert.doesNotMatch(code, /\b(setTimeout|setImmediate|setInterval|queueMicrotask)\s*\(/);
      assert.ok(code.split('\n').length <= 400, `${f} is over 400 lines`);
    });
  }
});
