// Dead-peer detection with LCP Echo-Requests (RFC 1661 §5.8). Any frame from the peer proves it is
// alive, so echoes go out only when it has been quiet. We look every half interval: after a quiet
// half, send an echo; after MAX_UNANSWERED echoes with no frame at all in between, the peer is dead.
// Worst case from the last frame heard to the verdict is just under 2 intervals (4 half-interval
// ticks: the tick that still saw the frame, two echo ticks, then the verdict).
import type { Clock, TimerHandle } from '../clock.js';

const MAX_UNANSWERED = 2;

export interface EchoMonitorOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly sendEcho: () => void;
  readonly dead: (unanswered: number) => void;
}

export class EchoMonitor {
  private timer: TimerHandle | undefined;
  private heardSinceTick = true;
  private unanswered = 0;
  private running = false;

  constructor(private readonly o: EchoMonitorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heardSinceTick = true;
    this.unanswered = 0;
    this.schedule();
  }

  /** Called for every frame received from the peer. Cheap: the receive path calls it per packet. */
  heard(): void {
    this.heardSinceTick = true;
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.o.clock.after(Math.max(1, Math.floor(this.o.intervalMs / 2)), () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.running) return;
    if (this.heardSinceTick) {
      this.heardSinceTick = false;
      this.unanswered = 0;
    } else if (this.unanswered >= MAX_UNANSWERED) {
      this.stop();
      this.o.dead(this.unanswered);
      return;
    } else {
      this.unanswered++;
      this.o.sendEcho();
    }
    this.schedule();
  }
}
