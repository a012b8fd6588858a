// The emulator's clock: real time unless a test freezes or moves it.

export interface ClockReading {
  readonly now: string;
  readonly frozen: boolean;
}

export class Clock {
  /** Milliseconds added to real time while running, or the frozen instant. */
  private offsetMs = 0;
  private frozenAt: number | undefined;

  constructor(start?: Date) {
    if (start) this.set(start);
  }

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  /** Freezes the clock at `date`, or returns it to real time with null. */
  set(date: Date | null): void {
    if (date === null) {
      this.frozenAt = undefined;
      this.offsetMs = 0;
    } else {
      this.frozenAt = date.getTime();
    }
  }

  /** Moves the clock forward (or back, with a negative amount), frozen or not. */
  advance(ms: number): void {
    if (this.frozenAt === undefined) this.offsetMs += ms;
    else this.frozenAt += ms;
  }

  read(): ClockReading {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozenAt !== undefined };
  }
}
