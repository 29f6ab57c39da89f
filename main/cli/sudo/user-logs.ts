// Connection logs written by root on behalf of the sudo user: the attempt's directory and file are
// created with the user's effective ids (ConnectionLogs.start is synchronous: mkdir, scan, open), so
// they are the user's and `causeway logs` run as that user can read and rotate them. The open file
// descriptor then keeps working after root's ids are back.
import { ConnectionLogs, type ConnectionLogsOptions } from '../../services/logs/connection-logs.js';
import { asUserSync, type Identity } from './act-as.js';
import type { PasswdEntry } from './invoker.js';

export class UserOwnedLogs extends ConnectionLogs {
  constructor(
    logsDir: string,
    private readonly user: PasswdEntry,
    opts: ConnectionLogsOptions = {},
    private readonly identity?: Identity,
  ) {
    super(logsDir, opts);
  }

  override start(...args: Parameters<ConnectionLogs['start']>): ReturnType<ConnectionLogs['start']> {
    return asUserSync(this.user, () => super.start(...args), this.identity);
  }
}
