// The lazily loaded schema compilers still validate and serialize a route that has a schema.

import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { LAZY_SCHEMA_COMPILERS } from "../src/schemaCompilers.js";

describe("lazy schema compilers", () => {
  it("validate a body and serialize a response as Fastify's own compilers do", async () => {
    const app = Fastify({ schemaController: { compilersFactory: LAZY_SCHEMA_COMPILERS } });
    app.post(
      "/echo",
      {
        schema: {
          body: { type: "object", required: ["n"], properties: { n: { type: "integer", minimum: 1 } } },
          response: { 200: { type: "object", properties: { doubled: { type: "integer" } } } },
        },
      },
      async (request) => ({ doubled: (request.body as { n: number }).n * 2, dropped: "not in the response schema" }),
    );
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const address = app.server.address();
      const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/echo`;
      const post = (body: unknown) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const ok = await post({ n: 21 });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ doubled: 42 });
      const bad = await post({ n: 0 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain("must be >= 1");
    } finally {
      await app.close();
    }
  });
});
