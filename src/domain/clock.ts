// The emulator's clock: real time unless a test freezes or moves it, always inside the range a timestamp can be written in.

export interface ClockReading {
  readonly now: string;
  readonly frozen: boolean;
}

/**
 * The instants the clock may show: years 0001 to 9997. Past 9999 toISOString() writes a six-digit
 * year (+010000-01-01T…) that no SDK parses, and past ±8.64e15 ms a Date is invalid altogether.
 * The emulator writes dates it computes from the clock up to two years ahead of it (a setting of up
 * to a year, MAX_SETTING_SECONDS; a Capacity Block offering up to eight weeks ahead lasting up to
 * 182 days), so the clock stops two years short of 9999: every date it leads to can be written
 * (a clock at 9999-12-31 answered offerings starting at +010000-01-01, issue 21's third outside pass).
 */
export const CLOCK_MIN_MS = new Date("0001-01-01T00:00:00.000Z").getTime();
export const CLOCK_MAX_MS = new Date("9997-12-31T23:59:59.999Z").getTime();
/** The range as the clock's refusals name it. */
export const CLOCK_RANGE_TEXT = "0001-01-01T00:00:00Z .. 9997-12-31T23:59:59.999Z";

/** A clock input that would take the clock outside CLOCK_MIN_MS..CLOCK_MAX_MS; the clock is left as it was. */
export class ClockRangeError extends RangeError {
  override name = "ClockRangeError";
}

/** An ISO 8601 instant with a zone, as every clock input takes it: 2026-01-01T00:00:00Z, …00:00:00.123+02:00. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/**
 * Reads `text` as an ISO 8601 instant with a zone (the one form the clock options and routes take),
 * checking the calendar too (2026-02-30 is refused, where Date.parse would read March 2); undefined
 * for anything else, including forms Date.parse would guess at ("Jan 1", "12/31/2026", "0").
 */
export function parseInstant(text: string): Date | undefined {
  const match = ISO_INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, zoneHour, zoneMinute] = match.map(Number);
  if ((month ?? 0) < 1 || (month ?? 0) > 12 || (hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return undefined;
  // An offset past ±14:00 is no time zone's; fixtures refuse such dates too (fixtures/check.ts).
  if ((zoneMinute ?? 0) > 59 || (zoneHour ?? 0) * 60 + (zoneMinute ?? 0) > 14 * 60) return undefined;
  const probe = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  if (probe.getUTCDate() !== day || (year ?? 0) < 1) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** Throws ClockRangeError unless `ms` is an instant the clock may show; `what` names the input in the message. */
export function checkInstant(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms < CLOCK_MIN_MS || ms > CLOCK_MAX_MS) {
    throw new ClockRangeError(`${what} would put the clock outside ${CLOCK_RANGE_TEXT}`);
  }
  return ms;
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

  /** Freezes the clock at `date`, or returns it to real time with null. Throws ClockRangeError, changing nothing. */
  set(date: Date | null): void {
    if (date === null) {
      this.frozenAt = undefined;
      this.offsetMs = 0;
    } else {
      this.frozenAt = checkInstant(date.getTime(), `the time ${String(date.getTime())} ms`);
    }
  }

  /**
   * Moves the clock forward (or back, with a negative amount) by whole milliseconds, frozen or not.
   * Throws ClockRangeError, changing nothing, when the result would leave the clock's range.
   */
  advance(ms: number): void {
    const by = Math.round(ms);
    checkInstant(this.now() + by, `moving the clock by ${String(ms)} ms`);
    if (this.frozenAt === undefined) this.offsetMs += by;
    else this.frozenAt += by;
  }

  read(): ClockReading {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozenAt !== undefined };
  }
}
