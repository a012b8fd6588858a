// A control-plane JSON body: parsed only after its nesting is checked, refused with a message that never quotes it.

import { jsonSyntaxError } from "../fixtures/read.js";
import { AdminError } from "./errors.js";

/**
 * The deepest nesting a control-plane body may have. A fixture is five levels deep; 4,200 levels of
 * `[` overflowed the stack of the checks that walk a parsed body (a 500).
 */
export const MAX_JSON_DEPTH = 64;

/** True when `text`'s arrays and objects nest deeper than `max` (strings skipped); one linear pass. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The body's value, or an AdminError 400 InvalidJson that names only a position, never the text. */
export function parseJsonBody(text: string): unknown {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new AdminError(400, "InvalidJson", `the body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // Line, column and V8's reason, never the text around it (which may be a secret key).
    throw new AdminError(400, "InvalidJson", `the body is ${jsonSyntaxError(text, (error as Error).message)}`);
  }
}
