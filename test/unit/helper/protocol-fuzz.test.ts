// The privileged helper's request line, fuzzed: random text and mutated valid requests (characters
// changed in the JSON text, fields replaced by arbitrary JSON, keys added or dropped, the line cut
// anywhere) go through Helper.handleLine in sequences, so every verb is also reached in every state.
// Each answer must be a valid protocol response (typed error codes only), never a throw, never a
// pending promise, and nothing with a control character may reach a command line.
// FUZZ_HELPER_RUNS raises the sequence count (default 1500); figures print as "helper fuzz figures".
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { Helper } from '../../../main/helper/root/helper.js';
import { LineSplitter } from '../../../main/helper/line-splitter.js';
import { LIMITS, response } from '../../../main/helper/protocol.js';
import { fakeSystem, memoryStore } from './fake-system.js';

const RUNS = Number(process.env.FUZZ_HELPER_RUNS ?? 1500);
const figures = {
  sequences: 0,
  lines: 0,
  ok: 0,
  errors: {} as Record<string, number>,
  throws: 0,
  hangs: 0,
  peakRssMiB: 0,
};
after(() => {
  figures.peakRssMiB = Math.round(process.memoryUsage().rss / (1024 * 1024));
  console.log(`helper fuzz figures: ${JSON.stringify(figures)}`);
});

// One valid request per verb: the seeds the mutations start from.
const VALID: readonly Record<string, unknown>[] = [
  { verb: 'hello' },
  { verb: 'create-tun', uid: 1000 },
  { verb: 'create-tun', name: 'causeway3', uid: 1000 },
  { verb: 'open-tun', name: 'causeway0', offload: true },
  {
    verb: 'configure',
    name: 'causeway0',
    address: '10.0.0.2/32',
    peer: '10.0.0.1',
    mtu: 1400,
    ipv6: { address: 'fe80::2/64' },
  },
  {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'split',
    routes: ['10.1.0.0/16', '2001:db8::/32'],
    serverAddress: '203.0.113.7',
  },
  { verb: 'set-routes', name: 'causeway0', mode: 'full', routes: [], serverAddress: '203.0.113.7' },
  { verb: 'set-dns', name: 'causeway0', servers: ['10.0.0.53'], searchDomains: ['corp.example'], defaultRoute: true },
  { verb: 'teardown' },
];

const seed = fc.tuple(fc.constantFrom(...VALID), fc.nat({ max: 0x7fffffff })).map(([r, id]) => ({ id, ...r }));

const mutatedObject = fc.oneof(
  // A field's value replaced by anything JSON can carry.
  fc.tuple(seed, fc.nat(), fc.jsonValue()).map(([r, i, v]) => {
    const keys = Object.keys(r);
    return { ...r, [keys[i % keys.length] as string]: v };
  }),
  // A field dropped, or an extra one added.
  fc.tuple(seed, fc.nat()).map(([r, i]) => {
    const keys = Object.keys(r);
    const copy: Record<string, unknown> = { ...r };
    delete copy[keys[i % keys.length] as string];
    return copy;
  }),
  fc.tuple(seed, fc.string({ maxLength: 12 }), fc.jsonValue()).map(([r, k, v]) => ({ ...r, [k]: v })),
  // Strings that look like what a field wants, with a twist (options, spaces, newlines, unicode).
  fc
    .tuple(
      seed,
      fc.nat(),
      fc.constantFrom(
        '-rf',
        '--help',
        'eth0',
        'lo',
        'causeway0;reboot',
        'causeway0\n',
        '10.0.0.1 ',
        '0.0.0.0/0',
        '::/0',
        '10.0.0.256',
        '1e3',
        'fe80::1%eth0',
        '',
        'a'.repeat(5000),
        'ｃａｕｓｅｗａｙ０',
      ),
    )
    .map(([r, i, v]) => {
      const keys = Object.keys(r).filter((k) => k !== 'verb');
      return keys.length ? { ...r, [keys[i % keys.length] as string]: v } : r;
    }),
);

function mutateText(text: string, edits: readonly [number, number, string][]): string {
  let t = text;
  for (const [pos, kind, ch] of edits) {
    const at = t.length === 0 ? 0 : pos % t.length;
    if (kind % 3 === 0) t = t.slice(0, at) + ch + t.slice(at);
    else if (kind % 3 === 1) t = t.slice(0, at) + t.slice(at + 1);
    else t = t.slice(0, at) + ch + t.slice(at + 1);
  }
  return t;
}

const line = fc.oneof(
  { weight: 3, arbitrary: seed.map((r) => JSON.stringify(r)) },
  { weight: 4, arbitrary: mutatedObject.map((r) => JSON.stringify(r)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        seed,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 1 })), {
          minLength: 1,
          maxLength: 6,
        }),
      )
      .map(([r, e]) => mutateText(JSON.stringify(r), e)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(seed, fc.nat())
      .map(([r, cut]) => JSON.stringify(r).slice(0, cut % (JSON.stringify(r).length + 1))),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)) },
  {
    weight: 1,
    arbitrary: fc.nat({ max: 40_000 }).map((n) => JSON.stringify({ id: 1, verb: 'hello', pad: 'x'.repeat(n) })),
  },
);

function within<T>(p: Promise<T>, ms: number): Promise<T | 'hang'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

test('random and mutated request lines: a typed answer to each, never a throw or a hang', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), async (lines) => {
      figures.sequences++;
      const system = fakeSystem();
      const helper = new Helper({ system, store: memoryStore(), callerUid: 1000, log: () => {} });
      for (const l of lines) {
        figures.lines++;
        let r: Awaited<ReturnType<Helper['handleLine']>> | 'hang';
        try {
          r = await within(helper.handleLine(l), 2_000);
        } catch (e) {
          figures.throws++;
          throw e;
        }
        if (r === 'hang') {
          figures.hangs++;
          throw new Error(`no answer to ${JSON.stringify(l.slice(0, 200))}`);
        }
        const valid = response(JSON.parse(JSON.stringify(r)), '');
        assert.ok(valid.ok, `not a protocol response: ${JSON.stringify(r)}`);
        if (r.ok) figures.ok++;
        else figures.errors[r.error.code] = (figures.errors[r.error.code] ?? 0) + 1;
        assert.ok(JSON.stringify(r).length < 4 * LIMITS.maxLineBytes, 'answers stay small');
      }
      for (const call of system.calls) {
        for (const arg of call)
          assert.ok(
            ![...arg].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
            `control character reached a command: ${JSON.stringify(call)}`,
          );
      }
      await helper.teardown();
    }),
    { numRuns: RUNS },
  );
  assert.equal(figures.throws + figures.hangs, 0);
  assert.ok(
    figures.ok > 0 && Object.keys(figures.errors).length >= 4,
    `both answers are reached: ${JSON.stringify(figures)}`,
  );
});

test('the line splitter: random bytes in random chunks never yield a line over the limit', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 3 * 1024 }), { maxLength: 20 }),
      fc.integer({ min: 1, max: 4096 }),
      (chunks, max) => {
        const s = new LineSplitter(max);
        for (const c of chunks) {
          for (const l of s.push(Buffer.from(c))) {
            // Each raw byte decodes to at most one UTF-16 unit (invalid ones to U+FFFD).
            if (l.kind === 'line') assert.ok(l.text.length <= max, `line of ${l.text.length} units over ${max}`);
          }
        }
      },
    ),
    { numRuns: Math.max(200, Math.round(RUNS / 5)) },
  );
});
