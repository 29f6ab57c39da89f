// A strict reader of the Prometheus text exposition format (0.0.4), for tests: promtool is not in
// Debian 12 without the whole prometheus server, so prom-client's output is parsed back here.
// Every sample must belong to a family declared by # TYPE before it; labels and values must be well formed.

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string;
  readonly samples: PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(?:,|$)/;

export function parsePromText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const help = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === '') return;
    let m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) return void help.set(m[1] as string, m[2] as string);
    m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      if (families.has(m[1] as string)) throw new Error(`${where}: TYPE declared twice`);
      return void families.set(m[1] as string, {
        type: m[2] as PromFamily['type'],
        help: help.get(m[1] as string) ?? '',
        samples: [],
      });
    }
    if (line.startsWith('#')) throw new Error(`${where}: unknown comment`);
    const s = SAMPLE.exec(line);
    if (!s) throw new Error(`${where}: not a sample`);
    const name = s[1] as string;
    const labels: Record<string, string> = {};
    let rest = s[2] ?? '';
    while (rest.length > 0) {
      const l = LABEL.exec(rest);
      if (!l) throw new Error(`${where}: bad labels`);
      labels[l[1] as string] = (l[2] as string).replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
      rest = rest.slice(l[0].length);
    }
    const raw = s[3] as string;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`${where}: bad value`);
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
    if (!family) throw new Error(`${where}: sample before its # TYPE`);
    family.samples.push({ name, labels, value });
  });
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
