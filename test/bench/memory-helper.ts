// The root helper's memory (issue 17: <= 50 MB RSS): started as the client starts it, inside a
// private network namespace, idle after hello and after one connect's requests (create-tun,
// open-tun, configure, set-routes, teardown). Beside it, bare Node on the same binary: the floor.
// Part of memory.ts; exported so that file stays a small driver.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HelperClient } from '../../main/helper/client/client.js';
import { createNetns, deleteNetns, IP } from '../integration/helper/netns.js';
import { statusMb } from './memory-proc.js';

export interface HelperFigures {
  readonly entry: string;
  /** VmRSS after hello, settled (MB). */
  readonly idleMb: number;
  /** VmRSS after the connect's requests, and VmHWM over the whole life (MB). */
  readonly afterConnectMb: number;
  readonly peakMb: number;
}

const NS = 'cw-mem-h';

/** Bare `node` idle on the same binary: what any Node process costs before our code. */
export async function bareNodeMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await settle();
    return statusMb(child.pid ?? 0, 'VmRSS');
  } finally {
    child.kill('SIGKILL');
  }
}

/** One helper entry (the bundle, or the build tree's main.js) through a connect's requests. */
export async function measureHelper(root: string, entry: string): Promise<HelperFigures> {
  const file = join(root, entry);
  if (!existsSync(file)) throw new Error(`${file} is missing (npm run build)`);
  createNetns(NS);
  const helper = await HelperClient.start(
    { command: IP, args: ['netns', 'exec', NS, process.execPath, file], viaPolkit: false },
    { onLog: () => {} },
  );
  try {
    const pid = helper.pid ?? 0;
    await settle();
    const idleMb = statusMb(pid, 'VmRSS');
    const { name } = await helper.createTun({ uid: 0 });
    helper.closeTun(await helper.openTun({ name }));
    await helper.configure({ name, address: '10.77.0.2', peer: '10.77.0.1', mtu: 1400 });
    await helper.setRoutes({ name, mode: 'split', routes: ['10.78.0.0/16'], serverAddress: '10.77.0.1' });
    await settle();
    const afterConnectMb = statusMb(pid, 'VmRSS');
    const peakMb = statusMb(pid, 'VmHWM');
    await helper.teardown();
    return { entry, idleMb, afterConnectMb, peakMb };
  } finally {
    await helper.close(5_000);
    deleteNetns(NS);
  }
}

/** Lets start-up garbage be collected and the heap settle before reading RSS. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_500));
}
