// The request-path baseline: a bare Fastify server answering every POST with the same precomputed XML bytes.

import Fastify from "fastify";
import { readFileSync } from "node:fs";

// The bytes: base64 in the argument, or a file named after @ (an argument is limited to 128 KiB).
const given = process.argv[2] ?? "";
const body = given.startsWith("@") ? readFileSync(given.slice(1)) : Buffer.from(given, "base64");
const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser("*", { parseAs: "string" }, (_request, text, done) => done(null, text));
app.post("/", (_request, reply) => {
  void reply.code(200).header("content-type", "text/xml;charset=UTF-8").send(body);
});
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
if (address === null || typeof address === "string") throw new Error("not listening on TCP");
process.send?.({ ready: `http://127.0.0.1:${address.port}` });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
