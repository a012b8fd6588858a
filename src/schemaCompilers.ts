// Fastify's JSON Schema compilers, loaded on first use instead of when each server is built.

import type { FastifyServerOptions } from "fastify";
import { createRequire } from "node:module";

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>;
type ValidatorFactory = NonNullable<CompilersFactory["buildValidator"]>;
type SerializerFactory = NonNullable<CompilersFactory["buildSerializer"]>;

// Fastify's own dependencies, resolved from where Fastify is installed.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve("fastify"));
let validatorFactory: ValidatorFactory | undefined;
let serializerFactory: SerializerFactory | undefined;

/**
 * The same compilers Fastify would build (@fastify/ajv-compiler, @fastify/fast-json-stringify-compiler),
 * required only when a route first has a schema. Fastify requires them in every Fastify(): loading
 * Ajv that way was over half of a first startEmulator(), and no EC2 route has a schema.
 * (Fastify treats compilers given here as custom: it then leaves a `headers` schema's property
 * names as written rather than lower-casing them, so write those in lower case.)
 */
export const LAZY_SCHEMA_COMPILERS: CompilersFactory = {
  buildValidator: ((...args: Parameters<ValidatorFactory>) => {
    validatorFactory ??= (requireFromFastify("@fastify/ajv-compiler") as () => ValidatorFactory)();
    return validatorFactory(...args);
  }) as ValidatorFactory,
  buildSerializer: ((...args: Parameters<SerializerFactory>) => {
    serializerFactory ??= (requireFromFastify("@fastify/fast-json-stringify-compiler") as () => SerializerFactory)();
    return serializerFactory(...args);
  }) as SerializerFactory,
};
