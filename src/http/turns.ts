// EC2 requests share the event loop's turns: past a slice of time in one turn, the rest wait for the next, so health and other I/O get in between.

/**
 * How long EC2 work may run in one turn of the event loop before the requests still waiting are
 * put off to the next turn (ms). Requests read in one turn ran back to back, each to its end:
 * large pages for clients that never read them held health for seconds (issue 21, re-attack A5).
 */
export const TURN_SLICE_MS = 10;

/**
 * Runs pieces of work in the order they come, at most `sliceMs` of them in one turn of the event
 * loop; a piece is never cut, so a turn runs at least one. A piece that returns a promise lasts
 * until it settles, and the next waits for it: strict auth checks a signature in promises that
 * settle within the turn, and the answer is made there. Work runs at once when nothing waits and
 * the turn has time left, as it does for most requests.
 */
export class TurnShare {
  private spent = 0;
  /** A piece's promise has not settled yet. */
  private running = false;
  /** The end of this turn is marked (a setImmediate): the time spent counts from zero after it. */
  private marked = false;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly sliceMs: number = TURN_SLICE_MS) {}

  run<T>(work: () => T | Promise<T>): T | Promise<T> {
    if (this.waiting.length === 0 && !this.running && this.spent < this.sliceMs) return this.timed(work);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(this.timed(work));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  private timed<T>(work: () => T | Promise<T>): T | Promise<T> {
    if (!this.marked) {
      this.marked = true;
      setImmediate(this.nextTurn);
    }
    const began = performance.now();
    let result: T | Promise<T>;
    try {
      result = work();
    } catch (error) {
      this.spent += performance.now() - began;
      throw error;
    }
    if (!(result instanceof Promise)) {
      this.spent += performance.now() - began;
      return result;
    }
    this.running = true;
    const settled = (): void => {
      this.running = false;
      this.spent += performance.now() - began;
      this.runWaiting();
    };
    result.then(settled, settled);
    return result;
  }

  /** Runs in the turn's check phase, after its I/O: a new slice for the work that waited. */
  private readonly nextTurn = (): void => {
    this.marked = false;
    this.spent = 0;
    this.runWaiting();
  };

  private runWaiting(): void {
    while (this.waiting.length > 0 && !this.running && this.spent < this.sliceMs) (this.waiting.shift() as () => void)();
  }
}
