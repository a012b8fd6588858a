// buildServer: the HTTP face of the emulator: the EC2 Query endpoint, the control plane, hooks and error mapping.

import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { dispatch, type Ec2Trace } from "./actions/dispatch.js";
import { adminRoutes } from "./admin/routes.js";
import type { Emulator } from "./emulator.js";
import {
  Ec2Error,
  methodNotAllowed,
  requestEntityTooLarge,
  unsupportedMediaType,
} from "./protocol/errors.js";
import { parseFormEncoded, type RawParams } from "./protocol/params.js";
import { writeError } from "./protocol/xml.js";
import { LAZY_SCHEMA_COMPILERS } from "./schemaCompilers.js";

/** The largest EC2 request body accepted (SPEC section 2). */
export const EC2_BODY_LIMIT = 1024 * 1024;
const XML_CONTENT_TYPE = "text/xml;charset=UTF-8";
const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

declare module "fastify" {
  interface FastifyRequest {
    /** What the EC2 request turned out to be, for its log line. */
    ec2: Ec2Trace & { errorCode?: string };
  }
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: Ec2Error): FastifyReply {
  request.ec2.errorCode = error.code;
  return reply
    .code(error.status)
    .header("content-type", XML_CONTENT_TYPE)
    .send(writeError(error.code, error.message, request.id));
}

/** An error Fastify raised before our handler ran (a body too large, a bad content length) as EC2 would say it. */
function asEc2Error(error: FastifyError): Ec2Error | undefined {
  if (error instanceof Ec2Error) return error;
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return requestEntityTooLarge(EC2_BODY_LIMIT);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new Ec2Error("InvalidRequest", error.message, status);
  return undefined;
}

function requestParams(request: FastifyRequest): RawParams {
  const url = request.raw.url ?? "/";
  const q = url.indexOf("?");
  const query = q === -1 ? "" : url.slice(q + 1);
  if (request.method === "GET") return parseFormEncoded(query);
  // A name in both places takes the body's value: parse the body first, then add what only the query has.
  const params = parseFormEncoded(typeof request.body === "string" ? request.body : "");
  return parseFormEncoded(query, params);
}

function ec2Routes(emulator: Emulator) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "string", bodyLimit: EC2_BODY_LIMIT }, (request, body, done) => {
      const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
      if (type !== FORM_CONTENT_TYPE) done(unsupportedMediaType(type || "(none)"), undefined);
      else done(null, body);
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const ec2Error = asEc2Error(error);
      if (ec2Error) return sendError(request, reply, ec2Error);
      request.log.error({ err: error }, "internal error");
      return sendError(request, reply, new Ec2Error("InternalError", "An internal error has occurred", 500));
    });

    app.all("/*", async (request, reply) => {
      if (request.method !== "GET" && request.method !== "POST") {
        return sendError(request, reply, methodNotAllowed(request.method));
      }
      const body = dispatch(
        { requestId: request.id, params: requestParams(request), authorization: request.headers.authorization },
        emulator.dispatchDeps,
        request.ec2,
      );
      return reply.code(200).header("content-type", XML_CONTENT_TYPE).send(body);
    });
  };
}

export function buildServer(emulator: Emulator, logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // One line per request is written by the onResponse hook below, with the EC2 fields.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: EC2_BODY_LIMIT,
    return503OnClosing: false,
    schemaController: { compilersFactory: LAZY_SCHEMA_COMPILERS },
  }) as unknown as FastifyInstance;

  app.decorateRequest("ec2", null as unknown as FastifyRequest["ec2"]);
  app.addHook("onRequest", async (request, reply) => {
    request.ec2 = {};
    reply.header("x-amzn-RequestId", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    const { action, caller, errorCode } = request.ec2;
    request.log.info(
      {
        method: request.method,
        url: request.url.startsWith("/_emulator/") ? request.url : undefined,
        action,
        accountId: caller?.accountId,
        region: caller?.region,
        status: reply.statusCode,
        errorCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      "request",
    );
  });

  app.register(ec2Routes(emulator));
  app.register(adminRoutes(emulator), { prefix: "/_emulator" });
  return app;
}
