// The EC2 Query response writer: a typed result and its declared shape in, EC2 XML out.

export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export type Shape =
  | { readonly kind: "string" }
  | { readonly kind: "integer" }
  | { readonly kind: "boolean" }
  | { readonly kind: "list"; readonly member: Shape }
  | { readonly kind: "structure"; readonly members: readonly Member[] };

/** A member of a structure: `name` is the model's locationName, used both on the wire and as the result's key. */
export interface Member {
  readonly name: string;
  readonly shape: Shape;
}

export const string: Shape = { kind: "string" };
export const integer: Shape = { kind: "integer" };
export const boolean: Shape = { kind: "boolean" };
export const list = (member: Shape): Shape => ({ kind: "list", member });
export const structure = (members: Record<string, Shape>): Shape & { kind: "structure" } => ({
  kind: "structure",
  members: Object.entries(members).map(([name, shape]) => ({ name, shape })),
});

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
  switch (shape.kind) {
    case "string":
      return (value) => (value === undefined || value === null ? "" : open + escapeXml(String(value)) + close);
    case "integer":
    case "boolean":
      return (value) => (value === undefined || value === null ? "" : open + String(value) + close);
    case "list": {
      const writeItem = compileValue("item", shape.member);
      const empty = `<${name}/>`;
      return writtenOnceIfFrozen((value) => {
        const items = value as readonly unknown[];
        if (items.length === 0) return empty;
        let out = open;
        for (const item of items) out += writeItem(item);
        return out + close;
      });
    }
    case "structure": {
      const writeMembers = compileMembers(shape.members);
      return writtenOnceIfFrozen((value) => open + writeMembers(value as Record<string, unknown>) + close);
    }
  }
}

/**
 * Writes a list or structure, and remembers what it wrote for a frozen one: a frozen value is taken
 * as never changing, all the way down, so the next answer that holds it reuses the text. The store
 * freezes the usage pages it keeps, so a repeated page's rows are text already written.
 */
function writtenOnceIfFrozen(write: (value: object) => string): ValueWriter {
  const written = new WeakMap<object, string>();
  return (value) => {
    if (value === undefined || value === null) return "";
    const object = value as object;
    if (!Object.isFrozen(object)) return write(object);
    let text = written.get(object);
    if (text === undefined) written.set(object, (text = write(object)));
    return text;
  };
}

function compileMembers(members: readonly Member[]): (value: Record<string, unknown>) => string {
  const writers = members.map((member) => [member.name, compileValue(member.name, member.shape)] as const);
  return (value) => {
    let out = "";
    for (const [name, write] of writers) out += write(value[name]);
    return out;
  };
}

type ResultWriter = (requestId: string, result: Record<string, unknown>) => string;
// Each action's writer is compiled on its first answer: per request, only the values are new.
const resultWriters = new WeakMap<Shape, Map<string, ResultWriter>>();

function compileResult(action: string, shape: Shape & { kind: "structure" }): ResultWriter {
  const head = `${XML_DECLARATION}<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>`;
  const tail = `</${action}Response>`;
  const writeMembers = compileMembers(shape.members);
  return (requestId, result) => head + requestId + "</requestId>" + writeMembers(result) + tail;
}

/** Writes `<ActionResponse>` with `requestId` first and the result's members in declared order. */
export function writeResult(
  action: string,
  requestId: string,
  shape: Shape & { kind: "structure" },
  result: object,
): string {
  let byAction = resultWriters.get(shape);
  if (!byAction) resultWriters.set(shape, (byAction = new Map()));
  let write = byAction.get(action);
  if (!write) byAction.set(action, (write = compileResult(action, shape)));
  return write(requestId, result as Record<string, unknown>);
}

export function writeError(code: string, message: string, requestId: string): string {
  return (
    XML_DECLARATION +
    `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>`
  );
}
