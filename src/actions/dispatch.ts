// Runs one EC2 Query request through the checks every action shares, then the action itself.

import type { Clock } from "../domain/clock.js";
import { injectedError, type Faults, type InjectedFault } from "../faults/faults.js";
import { resolveCaller, type Caller, type IdentityDefaults } from "../domain/identity.js";
import type { PageTokens } from "../domain/pageToken.js";
import {
  dryRunOperation,
  invalidAction,
  missingAction,
  unauthorizedOperation,
} from "../protocol/errors.js";
import { readParams, type ParamSpecs, type ParamValues, type RawParams } from "../protocol/params.js";
import { readCredential, type SigV4Credential } from "../protocol/sigv4.js";
import type { RawHttpRequest } from "../protocol/sigv4Verify.js";
import { writeResult } from "../protocol/xml.js";
import type { Store } from "../store/store.js";
import type { Action } from "./action.js";
import { ACTIONS } from "./index.js";

export interface Ec2Request {
  readonly requestId: string;
  readonly params: RawParams;
  readonly authorization: string | undefined;
  /** The request as it arrived, for checking its signature. */
  readonly http: RawHttpRequest;
}

/** Checks the request's signature (strict auth); throws a named EC2 error when it does not verify. */
export type Authenticator = (request: Ec2Request, credential: SigV4Credential | undefined) => void | Promise<void>;

export interface DispatchDeps extends IdentityDefaults {
  readonly store: Store;
  readonly clock: Clock;
  readonly tokens: PageTokens;
  readonly authenticate?: Authenticator;
  readonly faults?: Faults;
}

/** What the request turned out to be, filled in as the checks go, for the log line. */
export interface Ec2Trace {
  action?: string;
  caller?: Caller;
  /** A fault a test injected into this call; the HTTP layer applies its latency and dropped connection. */
  injected?: InjectedFault;
}

/**
 * The order of SPEC section 3: the action, the request's own parameters, identity, (an injected
 * fault, SPEC section 8), DryRun, permission, then the action (which checks NextToken before it looks anything up).
 * Returns the success body, or a promise of it when the signature check is asynchronous (strict
 * auth): a lenient request is answered without one. Throws (or rejects with) an Ec2Error for every refusal.
 */
export function dispatch(request: Ec2Request, deps: DispatchDeps, trace: Ec2Trace): string | Promise<string> {
  const actionName = request.params.get("Action");
  if (!actionName) throw missingAction();
  const action = ACTIONS.get(actionName);
  if (!action) throw invalidAction(actionName);
  trace.action = action.name;

  const input = readParams(action.params, request.params);

  const credential = readCredential(request.authorization, request.params);
  const checking = deps.authenticate?.(request, credential);
  if (checking) return checking.then(() => answer(request, deps, trace, action, input, credential));
  return answer(request, deps, trace, action, input, credential);
}

/** The steps after the signature: who is calling, faults, DryRun, permission, the action itself. */
function answer(
  request: Ec2Request,
  deps: DispatchDeps,
  trace: Ec2Trace,
  action: Action,
  input: ParamValues<ParamSpecs>,
  credential: SigV4Credential | undefined,
): string {
  const caller = resolveCaller(credential, (key) => deps.store.accessKey(key)?.accountId, deps);
  trace.caller = caller;

  // Injected faults (SPEC section 8) act as soon as the action and the caller are known.
  const fault = deps.faults?.decide({
    action: action.name,
    accountId: caller.accountId,
    nextToken: request.params.get("NextToken"),
  });
  if (fault) trace.injected = fault;
  if (fault?.error !== undefined) throw injectedError(fault.error, fault.status, fault.message);

  const denied = deps.store.isDenied(caller.accountId, action.name);
  if (input.DryRun === true) throw denied ? unauthorizedOperation() : dryRunOperation();
  if (denied) throw unauthorizedOperation();

  const result = action.handle(input, { caller, store: deps.store, clock: deps.clock, tokens: deps.tokens });
  return writeResult(action.name, request.requestId, action.result, result);
}
