// EC2 requests share the event loop's turns: past a slice of time in one turn, the rest wait for the next, so health and other I/O get in between; small requests wait in a lane of their own beside large ones.

/**
 * How long EC2 work may run in one turn of the event loop before the requests still waiting are
 * put off to the next turn (ms). Requests read in one turn ran back to back, each to its end:
 * large pages for clients that never read them held health for seconds (issue 21, re-attack A5).
 */
export const TURN_SLICE_MS = 10;

/**
 * A request whose text (body and URL) is longer than this waits in the large lane (TurnShare):
 * reading thousands of parameters costs milliseconds before any work is bounded by a budget (7,801
 * filter values: about 15 ms), and 60 such requests waiting ahead of a small one held it for
 * seconds (issue 21, the re-attack of the result, finding 2). The calls of everyday tools are a few
 * KB; one in the large lane is not refused, nor slowed when nothing waits.
 */
export const LARGE_REQUEST_BYTES = 16 * 1024;

/** A piece of work waiting for its turn. */
interface Piece {
  readonly go: () => void;
  /** The connection it came on: that connection's next pieces wait in the same lane, behind it. */
  readonly connection: object | undefined;
}

/** The event-loop time a connection's pieces have run (ms), and how many ran: what ranks it when it waits at the connection bound. */
interface Cost {
  ms: number;
  runs: number;
}

/**
 * How much each new piece moves the typical cost of a piece (an average that forgets: 1/32 of the
 * way to each new piece's time), which stands for a connection none of whose pieces has run yet.
 */
const TYPICAL_WEIGHT = 1 / 32;

/** The pieces of one size waiting, and the time the pieces taken from it have run (ms). */
interface Lane {
  readonly pieces: Piece[];
  spent: number;
}

/**
 * Runs pieces of work at most `sliceMs` of them in one turn of the event loop; a piece is never
 * cut, so a turn runs at least one. A piece that returns a promise lasts until it settles, and the
 * next waits for it: strict auth checks a signature in promises that settle within the turn, and
 * the answer is made there. Work runs at once when nothing waits and the turn has time left, as it
 * does for most requests.
 *
 * Pieces that wait do so in two lanes, small and large requests, each in the order they came.
 * While both lanes hold pieces, the one whose pieces have run less time goes next (a lane that was
 * empty starts level with the other, so it banks no time while idle): small requests are not
 * queued behind every large one, and large ones get at least half the time. A connection's pieces
 * keep their order: while one of them waits in a lane, the ones after it join that lane, whatever
 * their size (pipelined, a write and a read after it must not swap).
 */
export class TurnShare {
  private spent = 0;
  /** A piece's promise has not settled yet. */
  private running = false;
  /** The end of this turn is marked (a setImmediate): the time spent counts from zero after it. */
  private marked = false;
  private readonly small: Lane = { pieces: [], spent: 0 };
  private readonly large: Lane = { pieces: [], spent: 0 };
  /** Per connection with pieces waiting, the lane they wait in and how many they are. */
  private readonly byConnection = new Map<object, { readonly lane: Lane; count: number }>();
  /** Per connection, the time its pieces have run. */
  private readonly costs = new WeakMap<object, Cost>();
  /** The time a piece typically runs (ms), as the last pieces ran (TYPICAL_WEIGHT). */
  private typicalMs = 0;

  /**
   * `gone`: true for a connection closed while its pieces waited (reset to make room at the
   * connection bound): they still run, to do nothing, and their time is not taken for a piece's.
   */
  constructor(
    private readonly sliceMs: number = TURN_SLICE_MS,
    private readonly gone: (connection: object) => boolean = () => false,
  ) {}

  /** How many pieces wait for their turn (read by a piece as it starts: the ones still behind it). */
  get waiting(): number {
    return this.small.pieces.length + this.large.pieces.length;
  }

  /** How many pieces of `connection` wait for their turn (none has begun). */
  waitingOf(connection: object): number {
    return this.byConnection.get(connection)?.count ?? 0;
  }

  /**
   * The event-loop time `connection`'s pieces have run, per piece (ms); for a connection none of whose
   * pieces has run yet, the time pieces typically run (a new connection is taken to cost what the
   * others cost, neither more nor less).
   */
  costOf(connection: object): number {
    const cost = this.costs.get(connection);
    return cost === undefined ? this.typicalMs : cost.ms / cost.runs;
  }

  /** `large`: the request's text is longer than LARGE_REQUEST_BYTES; `connection`: the one it came on. */
  run<T>(work: () => T | Promise<T>, large = false, connection?: object): T | Promise<T> {
    if (this.small.pieces.length + this.large.pieces.length === 0 && !this.running && this.spent < this.sliceMs) return this.timed(work, undefined, connection);
    const ahead = connection === undefined ? undefined : this.byConnection.get(connection);
    const lane = ahead?.lane ?? (large ? this.large : this.small);
    const other = lane === this.large ? this.small : this.large;
    if (lane.pieces.length === 0) lane.spent = Math.max(lane.spent, other.spent);
    if (ahead !== undefined) ahead.count += 1;
    else if (connection !== undefined) this.byConnection.set(connection, { lane, count: 1 });
    return new Promise<T>((resolve, reject) => {
      lane.pieces.push({
        connection,
        go: () => {
          try {
            resolve(this.timed(work, lane, connection));
          } catch (error) {
            reject(error);
          }
        },
      });
    });
  }

  private timed<T>(work: () => T | Promise<T>, lane: Lane | undefined, connection: object | undefined): T | Promise<T> {
    if (!this.marked) {
      this.marked = true;
      setImmediate(this.nextTurn);
    }
    const began = performance.now();
    const charge = (): void => {
      const ms = performance.now() - began;
      this.spent += ms;
      if (lane !== undefined) lane.spent += ms;
      if (connection !== undefined && this.gone(connection)) return;
      this.typicalMs += (ms - this.typicalMs) * TYPICAL_WEIGHT;
      if (connection === undefined) return;
      const cost = this.costs.get(connection);
      if (cost === undefined) this.costs.set(connection, { ms, runs: 1 });
      else {
        cost.ms += ms;
        cost.runs += 1;
      }
    };
    let result: T | Promise<T>;
    try {
      result = work();
    } catch (error) {
      charge();
      throw error;
    }
    if (!(result instanceof Promise)) {
      charge();
      return result;
    }
    this.running = true;
    const settled = (): void => {
      this.running = false;
      charge();
      this.runWaiting();
      // A piece that outlasted its turn leaves that turn's slice spent and no next turn marked: the
      // pieces still waiting would wait for a piece that never comes to run.
      if (this.waiting > 0 && !this.marked) {
        this.marked = true;
        setImmediate(this.nextTurn);
      }
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

  /** The lane whose piece goes next: the one that has run less time while both hold pieces. */
  private nextLane(): Lane | undefined {
    const small = this.small.pieces.length > 0;
    const large = this.large.pieces.length > 0;
    if (small && large) return this.small.spent <= this.large.spent ? this.small : this.large;
    return small ? this.small : large ? this.large : undefined;
  }

  private runWaiting(): void {
    while (!this.running && this.spent < this.sliceMs) {
      const piece = this.nextLane()?.pieces.shift();
      if (piece === undefined) return;
      const connection = piece.connection;
      const waiting = connection === undefined ? undefined : this.byConnection.get(connection);
      if (connection !== undefined && waiting !== undefined && --waiting.count === 0) this.byConnection.delete(connection);
      piece.go();
    }
  }
}

/** Each server's TurnShare, by its HTTP server (not part of the package's API). */
const shares = new WeakMap<object, TurnShare>();

export function keepTurnShare(server: object, turns: TurnShare): void {
  shares.set(server, turns);
}

/**
 * The TurnShare of an HTTP server buildServer made: a test holds its turns with a piece of its own,
 * as a long request would, so requests wait their turn for as long as the test needs and no longer.
 */
export function turnShareOf(server: object): TurnShare | undefined {
  return shares.get(server);
}
