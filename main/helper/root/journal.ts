// The ordered record of what this helper changed, and the one place that undoes it.
import type { StateStore } from './state-store.js';
import type { HelperSystem } from './system.js';
import { performUndo, type StepGroup, type UndoStep } from './undo-step.js';

export interface UndoReport {
  readonly undone: number;
  readonly failed: number;
}

export class Journal {
  private steps: UndoStep[] = [];

  constructor(
    private readonly system: HelperSystem,
    private readonly store: StateStore,
    private readonly log: (message: string) => void,
  ) {}

  get size(): number {
    return this.steps.length;
  }

  /** Call BEFORE making the change: a crash in between must still leave a record. */
  record(step: UndoStep): void {
    this.steps.push(step);
    this.store.save(this.steps);
  }

  /** The change was not made after all. */
  forget(step: UndoStep): void {
    this.steps = this.steps.filter((s) => s !== step);
    this.store.save(this.steps);
  }

  undoGroup(group: StepGroup): Promise<UndoReport> {
    return this.undoWhere((s) => s.group === group);
  }

  undoAll(): Promise<UndoReport> {
    return this.undoWhere(() => true);
  }

  /** Everything but one group (the kill switch outlives a teardown: kill-switch.ts). */
  undoAllExcept(group: StepGroup): Promise<UndoReport> {
    return this.undoWhere((s) => s.group !== group);
  }

  /** Newest first; best effort: one failure does not stop the rest. */
  private async undoWhere(match: (s: UndoStep) => boolean): Promise<UndoReport> {
    let undone = 0;
    let failed = 0;
    for (const step of [...this.steps].reverse()) {
      if (!match(step)) continue;
      const r = await performUndo(this.system, step).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
      if (r.ok) undone++;
      else {
        failed++;
        this.log(`undo ${step.kind} failed: ${r.reason}`);
      }
      // Dropped either way: retrying a failed undo forever helps nobody, and the log says why.
      this.steps = this.steps.filter((s) => s !== step);
      this.store.save(this.steps);
    }
    return { undone, failed };
  }
}
