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

function writeValue(out: string[], name: string, shape: Shape, value: unknown): void {
  if (value === undefined || value === null) return;
  switch (shape.kind) {
    case "string":
      out.push(`<${name}>`, escapeXml(String(value)), `</${name}>`);
      return;
    case "integer":
    case "boolean":
      out.push(`<${name}>${String(value)}</${name}>`);
      return;
    case "list": {
      const items = value as readonly unknown[];
      if (items.length === 0) {
        out.push(`<${name}/>`);
        return;
      }
      out.push(`<${name}>`);
      for (const item of items) writeValue(out, "item", shape.member, item);
      out.push(`</${name}>`);
      return;
    }
    case "structure":
      out.push(`<${name}>`);
      writeMembers(out, shape.members, value as Record<string, unknown>);
      out.push(`</${name}>`);
      return;
  }
}

function writeMembers(out: string[], members: readonly Member[], value: Record<string, unknown>): void {
  for (const member of members) writeValue(out, member.name, member.shape, value[member.name]);
}

/** Writes `<ActionResponse>` with `requestId` first and the result's members in declared order. */
export function writeResult(
  action: string,
  requestId: string,
  shape: Shape & { kind: "structure" },
  result: object,
): string {
  const out: string[] = [
    XML_DECLARATION,
    `<${action}Response xmlns="${EC2_NAMESPACE}">`,
    `<requestId>${requestId}</requestId>`,
  ];
  writeMembers(out, shape.members, result as Record<string, unknown>);
  out.push(`</${action}Response>`);
  return out.join("");
}

export function writeError(code: string, message: string, requestId: string): string {
  return (
    XML_DECLARATION +
    `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>`
  );
}
