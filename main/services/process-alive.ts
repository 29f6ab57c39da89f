// Whether a pid still runs, for files that name their owner (stale temp files, lock files, control
// sockets): signal 0 delivers nothing and only checks. EPERM means it runs, as another user.
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
