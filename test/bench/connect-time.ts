// Connect-time benchmark: runs `causeway test` N times against the real SoftEther server and prints
// the median (and min/max) of each phase, for PAP and MS-CHAPv2.
// usage: node --import tsx test/bench/connect-time.ts [N=15]   (root: it starts SoftEther in a netns)
import { startSoftEther } from '../harness/softether.js';
import { runCli } from '../support/run-cli.js';

const n = Number(process.argv[2] ?? 15);
const PHASES = ['tcp', 'tls', 'http', 'sstp', 'lcp', 'auth', 'ipcp'] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

const server = await startSoftEther({ name: 'cw-bench' });
try {
  for (const auth of ['pap', 'mschapv2']) {
    const samples: Record<string, number[]> = {};
    let failures = 0;
    for (let i = 0; i < n; i++) {
      const run = await runCli(
        ['test', server.host, '--user', 'testuser', '--password-stdin', '--insecure', '--auth', auth, '--json'],
        'testpass',
      );
      const r = run.result;
      if (run.code !== 0 || !r) {
        failures++;
        continue;
      }
      const phases = r['phases'] as Record<string, number>;
      for (const p of PHASES) (samples[p] ??= []).push(phases[p] ?? 0);
      (samples['connect total'] ??= []).push(PHASES.reduce((a, p) => a + (phases[p] ?? 0), 0));
      const echo = r['echo'] as { rttMs: number } | undefined;
      if (echo) (samples['echo rtt'] ??= []).push(echo.rttMs);
    }
    console.log(`\n${auth}: ${n - failures}/${n} runs ok against SoftEther ${server.host}`);
    console.log('  phase           median     min     max   (ms)');
    for (const [phase, xs] of Object.entries(samples)) {
      console.log(
        `  ${phase.padEnd(14)} ${median(xs).toFixed(1).padStart(7)} ${Math.min(...xs)
          .toFixed(0)
          .padStart(7)} ${Math.max(...xs)
          .toFixed(0)
          .padStart(7)}`,
      );
    }
  }
} finally {
  await server.stop();
}
