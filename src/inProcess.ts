// The Fastify server behind each emulator that startEmulator() made, so a test can send it requests in-process (Fastify's inject) where the socket is not the point.

import type { FastifyInstance } from "fastify";

/** Not part of the package's API (the package exports only src/index.ts): the test helpers read it. */
const servers = new WeakMap<object, FastifyInstance>();

export function keepServer(emulator: object, server: FastifyInstance): void {
  servers.set(emulator, server);
}

/** The server of an emulator startEmulator() made; undefined for anything else (a URL of a command, say). */
export function serverOf(emulator: object): FastifyInstance | undefined {
  return servers.get(emulator);
}
