// The one range-checked whole-number parser (cli/integer-option.ts) and every flag that goes through it:
// what it takes, what it refuses, and that each refusal names the flag, the range and what was typed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIntegerOption, parseOptionalIntegerOption } from '../../../main/cli/integer-option.js';
import { parseAuthWait, parseKeepalive, parseMru } from '../../../main/cli/options.js';
import { parseAttempt } from '../../../main/cli/commands/logs.js';
import { parseMssClamp } from '../../../main/cli/mss-clamp-option.js';
import { benchKnobs } from '../../../main/cli/commands/bench.js';
import { emptyDraft, parseProfileFlags } from '../../../main/cli/profiles/flags.js';

const MTU = { flag: '--mtu', range: { min: 576, max: 1500 }, unit: 'bytes' } as const;

describe('parseIntegerOption', () => {
  const accepted: [string, number][] = [
    ['576', 576],
    ['1500', 1500],
    ['1400', 1400],
    [' 1400 ', 1400],
    ['01400', 1400],
  ];
  for (const [text, want] of accepted)
    it(`takes '${text}' as ${want}`, () => assert.deepEqual(parseIntegerOption(text, MTU), { ok: true, value: want }));

  // Number() alone would take '1e3', '0x5dc', '', ' ' and '1400.0'; none of them is what a person means.
  const refused = [
    '15x',
    '575',
    '1501',
    '-600',
    '+600',
    '1400.5',
    '1400.0',
    '1e3',
    '0x5dc',
    '',
    ' ',
    'NaN',
    '9'.repeat(400),
  ];
  for (const text of refused)
    it(`refuses '${text.length > 20 ? text.slice(0, 20) + '…' : text}', naming the flag, range and text`, () => {
      assert.deepEqual(parseIntegerOption(text, MTU), {
        ok: false,
        error: `--mtu must be a whole number of bytes from 576 to 1500, got '${text}'`,
      });
    });

  it('says no unit when none is given', () => {
    const r = parseIntegerOption('0', { flag: '--window', range: { min: 1, max: 1024 } });
    assert.deepEqual(r, { ok: false, error: "--window must be a whole number from 1 to 1024, got '0'" });
  });

  it('gives the default for a flag left out, and checks one that is given', () => {
    assert.deepEqual(parseOptionalIntegerOption(undefined, MTU, 1500), { ok: true, value: 1500 });
    assert.deepEqual(parseOptionalIntegerOption('600', MTU, 1500), { ok: true, value: 600 });
    assert.equal(parseOptionalIntegerOption('6', MTU, 1500).ok, false);
  });
});

type Parse = (text: string) => { ok: boolean; value?: unknown; error?: string };

/** Each flag that uses the parser: a value it takes (and its result), a value it refuses (and the message). */
const cases: { flag: string; parse: Parse; good: string; value: unknown; bad: string; error: string }[] = [
  {
    flag: '--auth-wait',
    parse: parseAuthWait,
    good: '90',
    value: 90_000,
    bad: '4',
    error: "--auth-wait must be a whole number of seconds from 5 to 600, got '4'",
  },
  {
    flag: '--mru',
    parse: parseMru,
    good: '4091',
    value: 4091,
    bad: '4092',
    error: "--mru must be a whole number of bytes from 576 to 4091, got '4092'",
  },
  {
    flag: '--mss-clamp',
    parse: parseMssClamp,
    good: '1360',
    value: 1360,
    bad: '1360b',
    error: `--mss-clamp must be a whole number of bytes from 536 to 4051, got '1360b' (or "mtu")`,
  },
  {
    flag: '--seconds',
    parse: (t) => benchKnobs({ seconds: t }),
    good: '60',
    value: { seconds: 60, window: 64, size: 0 },
    bad: '61',
    error: "--seconds must be a whole number from 1 to 60, got '61'",
  },
  {
    flag: '--window',
    parse: (t) => benchKnobs({ window: t }),
    good: '1',
    value: { seconds: 5, window: 1, size: 0 },
    bad: '1.5',
    error: "--window must be a whole number from 1 to 1024, got '1.5'",
  },
  {
    flag: '--size',
    parse: (t) => benchKnobs({ size: t }),
    good: '65535',
    value: { seconds: 5, window: 64, size: 65_535 },
    bad: '65536',
    error: "--size must be a whole number of bytes from 44 to 65535, got '65536'",
  },
  {
    flag: '--keepalive',
    parse: parseKeepalive,
    good: '3600',
    value: 3600,
    bad: '5x',
    error: "--keepalive must be a whole number of seconds from 1 to 3600, got '5x'",
  },
  {
    flag: '--attempt',
    parse: parseAttempt,
    good: '7',
    value: 7,
    bad: '-1',
    error: "--attempt must be a whole number from 1 to 999999999, got '-1'",
  },
  {
    flag: '--mtu',
    parse: (t) => parseProfileFlags({ mtu: t }),
    good: '1400',
    value: undefined, // a profile edit: checked through the draft below
    bad: '15x',
    error: "--mtu must be a whole number of bytes from 576 to 1500, got '15x'",
  },
];

describe('the flags that use it', () => {
  for (const c of cases) {
    it(`${c.flag}: takes '${c.good}', refuses '${c.bad}' with the flag and its range`, () => {
      const good = c.parse(c.good);
      assert.equal(good.ok, true, good.error);
      if (c.value !== undefined) assert.deepEqual(good.value, c.value);
      assert.deepEqual(c.parse(c.bad), { ok: false, error: c.error });
    });
  }

  it('--mtu sets the draft; out of range is refused at the flag, not only by the schema', () => {
    const r = parseProfileFlags({ mtu: '1400' });
    assert.ok(r.ok);
    assert.equal(r.value.apply(emptyDraft('Office')).mtu, 1400);
    assert.deepEqual(parseProfileFlags({ mtu: '1501' }), {
      ok: false,
      error: "--mtu must be a whole number of bytes from 576 to 1500, got '1501'",
    });
  });

  it('--mru left out is 1500; --mss-clamp left out or "mtu" pass through', () => {
    assert.deepEqual(parseMru(undefined), { ok: true, value: 1500 });
    assert.deepEqual(parseMssClamp(undefined), { ok: true, value: undefined });
    assert.deepEqual(parseMssClamp('mtu'), { ok: true, value: 'mtu' });
  });

  it('bench reports the first bad knob', () => {
    assert.deepEqual(benchKnobs({ seconds: '0', window: '0' }), {
      ok: false,
      error: "--seconds must be a whole number from 1 to 60, got '0'",
    });
  });
});
