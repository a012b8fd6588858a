// Helpers for the domain rules' unit tests: read a rule's answer as the refusal or the result it must be.

import { Refusal } from "../src/domain/refusal.js";

/** The refusal a rule answered; fails the test with what it answered instead. */
export function refusal(value: unknown): Refusal {
  if (!(value instanceof Refusal)) throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
  return value;
}

/** The result a rule answered; fails the test with the refusal instead. */
export function accepted<T>(value: T | Refusal): T {
  if (value instanceof Refusal) throw new Error(`expected no refusal, got ${value.code}: ${value.message}`);
  return value;
}
