// The EC2 Query response writer: a typed result and its model shape in, EC2 XML out (members by wire name, in model order).

import {
  BOOLEAN,
  INTEGER,
  listOf,
  STRING,
  structureOf,
  TIMESTAMP,
  type Member,
  type Shape,
  type StructureShape,
} from "./model/shape.js";

export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export type { Member, Shape, StructureShape } from "./model/shape.js";

// Hand-built shapes, for tests and probes: a member's key is also its wire name.
export const string: Shape = STRING;
export const integer: Shape = INTEGER;
export const boolean: Shape = BOOLEAN;
export const timestamp: Shape = TIMESTAMP;
export const list = (member: Shape): Shape => listOf(member);
export const structure = (members: Record<string, Shape>): StructureShape =>
  structureOf(
    "",
    Object.entries(members).map(([name, shape]) => [name, name, name, shape] as const),
  );

// Characters XML 1.0 cannot carry even as references; they become U+FFFD so no input breaks the document.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\r": "&#xD;",
};

export function escapeXml(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(NOT_XML_CHAR, "\uFFFD").replace(/[&<>"'\r]/g, (c) => ENTITIES[c] ?? c);
}

/** Writes one member's element (nothing for an absent value), its tags built once per shape. */
type ValueWriter = (value: unknown) => string;

function compileValue(name: string, shape: Shape): ValueWriter {
  const open = `<${name}>`;
  const close = `</${name}>`;
  const absent = (value: unknown): value is undefined | null => value === undefined || value === null;
  switch (shape.kind) {
    case "string":
    case "enum":
      return (value) => (absent(value) ? "" : open + escapeXml(String(value)) + close);
    case "integer":
    case "long":
    case "double":
    case "float":
    case "boolean":
      return (value) => (absent(value) ? "" : open + String(value) + close);
    case "timestamp":
      // EC2's form: UTC with milliseconds, 2026-01-01T00:00:00.000Z.
      return (value) => (absent(value) ? "" : open + (value as Date).toISOString() + close);
    case "blob":
      return (value) => (absent(value) ? "" : open + Buffer.from(value as Uint8Array).toString("base64") + close);
    case "list": {
      const writeItem = compileValue(shape.itemName, shape.member);
      const empty = `<${name}/>`;
      return (value) => {
        if (absent(value)) return "";
        const items = value as readonly unknown[];
        if (items.length === 0) return empty;
        let out = open;
        for (const item of items) out += writeItem(item);
        return out + close;
      };
    }
    case "structure": {
      const writeMembers = compileMembers(shape.members);
      return (value) => (absent(value) ? "" : open + writeMembers(value as Record<string, unknown>) + close);
    }
  }
}

function compileMembers(members: readonly Member[]): (value: Record<string, unknown>) => string {
  const writers = members.map((member) => [member.name, compileValue(member.xmlName, member.shape)] as const);
  return (value) => {
    let out = "";
    for (const [name, write] of writers) {
      // An absent member writes nothing: most of a wide shape's members (an Instance has 62) are absent.
      const member = value[name];
      if (member !== undefined && member !== null) out += write(member);
    }
    return out;
  };
}

/**
 * An answer as sent: its text, or its parts in order (a kept answer given again: the head with the
 * new requestId as text, then the rest as the bytes kept; AnswerCache), sent in one write.
 */
export type Answer = string | readonly (string | Buffer)[];

type ResultWriter = (requestId: string, result: Record<string, unknown>) => string;
// Each action's writer is compiled on its first answer: per request, only the values are new.
const resultWriters = new WeakMap<StructureShape, Map<string, ResultWriter>>();

/** An answer's opening, up to and with its requestId: what differs between two answers kept as one (AnswerCache). */
export function answerHead(action: string, requestId: string): string {
  return `${XML_DECLARATION}<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${requestId}</requestId>`;
}

function compileResult(action: string, shape: StructureShape): ResultWriter {
  const tail = `</${action}Response>`;
  const writeMembers = compileMembers(shape.members);
  return (requestId, result) => answerHead(action, requestId) + writeMembers(result) + tail;
}

/**
 * Writes `<ActionResponse>` with `requestId` first, then the result's members by their model
 * wire names (`xmlName`) in model order; absent members are left out, an empty list is `<xSet/>`.
 */
export function writeResult(action: string, requestId: string, shape: StructureShape, result: object): string {
  let byAction = resultWriters.get(shape);
  if (!byAction) resultWriters.set(shape, (byAction = new Map()));
  let write = byAction.get(action);
  if (!write) byAction.set(action, (write = compileResult(action, shape)));
  return write(requestId, result as Record<string, unknown>);
}

/** An answer's whole text. */
export function answerText(answer: Answer): string {
  return typeof answer === "string" ? answer : answer.map((part) => (typeof part === "string" ? part : part.toString("utf8"))).join("");
}

/** The longest run without a space or comma an error message echoes whole: EC2's own words and ids are far shorter. */
export const ECHOED_RUN_CHARS = 2048;
/** The longest error message answered: a list of a thousand ids fits. */
export const ERROR_MESSAGE_CHARS = 32 * 1024;
const LONG_RUN = new RegExp(`[^\\s,]{${ECHOED_RUN_CHARS + 1},}`, "g");

/**
 * An error message with what it echoes cut short: a run of ECHOED_RUN_CHARS characters, then "…"
 * (a 200,000-character KeyName made a 200 KB error), and the whole message at ERROR_MESSAGE_CHARS.
 * The one place every EC2 error answer passes.
 */
export function boundedMessage(message: string): string {
  if (message.length <= ECHOED_RUN_CHARS) return message;
  const runs = message.replace(LONG_RUN, (run) => `${run.slice(0, ECHOED_RUN_CHARS)}…`);
  return runs.length > ERROR_MESSAGE_CHARS ? `${runs.slice(0, ERROR_MESSAGE_CHARS)}…` : runs;
}

export function writeError(code: string, message: string, requestId: string): string {
  return (
    XML_DECLARATION +
    `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(boundedMessage(message))}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>`
  );
}
