// Runs one EC2 Query request through the checks every action shares, then the action itself.

import type { Clock } from "../domain/clock.js";
import { DEFAULT_SETTINGS, type Settings } from "../domain/settings.js";
import { injectedError, type Faults, type InjectedFault } from "../faults/faults.js";
import { resolveCaller, type Caller, type IdentityDefaults } from "../domain/identity.js";
import { matchWorkWhileWaiting } from "../domain/filters.js";
import { PageCursor, type PageTokens } from "../domain/pageToken.js";
import { Refusal, unauthorizedOperation } from "../domain/refusal.js";
import {
  dryRunOperation,
  refusalError,
  invalidAction,
  missingAction,
  unsupportedOperation,
} from "../protocol/errors.js";
import { EC2_OPERATION_NAMES } from "../protocol/model/ec2.generated.js";
import type { RawParams } from "../protocol/params.js";
import { readCredential, type SigV4Credential } from "../protocol/sigv4.js";
import type { RawHttpRequest } from "../protocol/sigv4Verify.js";
import { answerHead, writeResult, type Answer } from "../protocol/xml.js";
import type { Store } from "../store/store.js";
import type { LagHistory } from "../store/lagHistory.js";
import type { Action, ActionCall } from "./action.js";
import { AnswerCache, KEPT_ANSWER_FROM } from "./answerCache.js";
import { ACTIONS } from "./index.js";
import { settleInstances } from "../ec2/instances.js";

export interface Ec2Request {
  readonly requestId: string;
  readonly params: RawParams;
  /**
   * True when `params` is the object kept for this request's text (ParamsByText): a request that
   * sends the same text again brings the same object, and what is derived from the parameters
   * alone (the action's reading of them, the answer cache's part of a key) is kept with it.
   */
  readonly repeatable?: boolean;
  readonly authorization: string | undefined;
  /** The request as it arrived, for checking its signature. */
  readonly http: RawHttpRequest;
  /**
   * How many other EC2 requests wait for their turn as this one starts (src/http/turns.ts): its
   * describe walk's matching work shrinks with them (matchWorkWhileWaiting). None when absent.
   */
  readonly othersWaiting?: number;
}

/** Checks the request's signature (strict auth); throws a named EC2 error when it does not verify. */
export type Authenticator = (request: Ec2Request, credential: SigV4Credential | undefined) => void | Promise<void>;

export interface DispatchDeps extends IdentityDefaults {
  readonly store: Store;
  readonly clock: Clock;
  readonly tokens: PageTokens;
  readonly authenticate?: Authenticator;
  readonly faults?: Faults;
  /** The state as it was, for describes a `lagSeconds` rule delays. */
  readonly history?: LagHistory;
  /** SPEC section 7's times; read at each call, so a change applies to the next one. */
  readonly settings?: Readonly<Settings>;
  /** Large answers kept for repeated requests; none are kept without it. */
  readonly answers?: AnswerCache;
}

/** What the request turned out to be, filled in as the checks go, for the log line. */
export interface Ec2Trace {
  /** The Action the request asked for: a registered action's name, or any text (InvalidAction, UnsupportedOperation). */
  action?: string;
  caller?: Caller;
  /** A fault a test injected into this call; the HTTP layer applies its latency and dropped connection. */
  injected?: InjectedFault;
}

/** Each kept request's reading by its action, while its parameters are kept (ParamsByText). */
const readings = new WeakMap<RawParams, ActionCall>();

/**
 * The action's reading of the request (Action.read): for a repeatable request, the one made the
 * first time its text came. Reading depends on the parameters alone, and what it gives is frozen,
 * so one reading serves every request that sends the same text. A reading that throws is not kept.
 */
function readCall(action: Action, request: Ec2Request): ActionCall {
  if (!request.repeatable) return action.read(request.params);
  let call = readings.get(request.params);
  if (call === undefined) readings.set(request.params, (call = action.read(request.params)));
  return call;
}

/**
 * The action a request names: MissingAction, InvalidAction (not EC2's) or UnsupportedOperation (EC2's,
 * not ours). The name asked for goes into the trace before any refusal: the log line of a call the
 * emulator cannot answer is what tells a user which action their tool called.
 */
function actionOf(params: RawParams, trace: Ec2Trace): Action {
  const name = params.get("Action");
  if (!name) throw missingAction();
  const action = ACTIONS.get(name);
  trace.action = action?.name ?? name;
  if (action) return action;
  throw EC2_OPERATION_NAMES.has(name) ? unsupportedOperation(name) : invalidAction(name);
}

/**
 * The order of SPEC section 3, the same for every action: the action, the request's own
 * parameters (unknown, missing, then each member's type and rules in model order), identity, (an
 * injected fault, SPEC section 8), DryRun and permission (the DryRun of a launch, or of a change to
 * what EC2 has, first checks what its handler checks against the state: the action's checkDryRun,
 * or its handler up to its first write), then the handler (which checks
 * NextToken before it looks anything up). Returns the success body (text, or a kept answer's parts: Answer), or a promise of it when the signature
 * check is asynchronous (strict auth): a lenient request is answered without one. Throws (or
 * rejects with) an Ec2Error for every refusal.
 */
export function dispatch(request: Ec2Request, deps: DispatchDeps, trace: Ec2Trace): Answer | Promise<Answer> {
  try {
    const answer = checkAndAnswer(request, deps, trace);
    return answer instanceof Promise ? answer.catch(onTheWire) : answer;
  } catch (error) {
    return onTheWire(error);
  }
}

/**
 * The one bridge from EC2's rules to the wire: a refusal (src/domain/refusal.ts) thrown by a rule,
 * a use case or an action goes out as the Ec2Error of its code, with the status the error table
 * gives it. Anything else is rethrown as it is.
 */
function onTheWire(error: unknown): never {
  throw error instanceof Refusal ? refusalError(error) : error;
}

function checkAndAnswer(request: Ec2Request, deps: DispatchDeps, trace: Ec2Trace): Answer | Promise<Answer> {
  const action = actionOf(request.params, trace);

  const call = readCall(action, request);

  const credential = readCredential(request.authorization, request.params);
  const checking = deps.authenticate?.(request, credential);
  if (checking) return checking.then(() => answer(request, deps, trace, action, call, credential));
  return answer(request, deps, trace, action, call, credential);
}

/** The steps after the signature: who is calling, faults, DryRun, permission, the action itself. */
function answer(
  request: Ec2Request,
  deps: DispatchDeps,
  trace: Ec2Trace,
  action: Action,
  call: ActionCall,
  credential: SigV4Credential | undefined,
): Answer {
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

  if (deps.store.isDenied(caller.accountId, action.name)) throw unauthorizedOperation();
  // An action whose DryRun checks only its parameters answers here; the others check against the state below.
  if (call.dryRun && call.checkDryRun === undefined) throw dryRunOperation();

  const now = deps.clock.now();
  // Instance transitions that have run their time settle before anything reads them (SPEC section 11).
  settleInstances(deps.store, now);
  const pages = new PageCursor(
    deps.tokens,
    { action: action.name, accountId: caller.accountId, region: caller.region, selection: call.selection },
    now,
    matchWorkWhileWaiting(request.othersWaiting ?? 0, request.http.body.length + request.http.query.length),
  );
  const settings = deps.settings ?? DEFAULT_SETTINGS;
  // A lagging describe (SPEC section 11) reads the state, and the clock, as they were that long ago.
  const lagMs = (fault?.lagSeconds ?? 0) * 1000;
  const store = lagMs > 0 && deps.history ? deps.history.storeAt(now - lagMs) : deps.store;
  const context = { caller, store, clock: deps.clock, now: now - lagMs, pages, settings };
  if (call.dryRun) {
    call.checkDryRun?.(context);
    throw dryRunOperation();
  }

  // A large answer asked again is given again while it holds (AnswerCache): only an action that
  // declares it (Action.answerKept), and never one a fault touched (an error, a lag).
  // Its key is made only when there is a kept answer to find, or one to keep: most answers are small.
  const answers = fault || !action.answerKept ? undefined : deps.answers;
  const keyOf = (): string | undefined =>
    AnswerCache.keyOf(action.name, caller.accountId, caller.region, request.params, request.repeatable);
  const key = answers !== undefined && answers.size > 0 ? keyOf() : undefined;
  const generation = deps.store.generation;
  const kept = key === undefined ? undefined : answers?.get(key, generation, now);
  if (kept !== undefined) return [answerHead(action.name, request.requestId), kept];

  const result = call.run(context);
  const answer = writeResult(action.name, request.requestId, action.output, result);
  // A page cut short because others waited is right, but not the one to give the same request again.
  if (answers !== undefined && answer.length >= KEPT_ANSWER_FROM && deps.store.generation === generation && !pages.shortened) {
    const keptAs = key ?? keyOf();
    if (keptAs !== undefined) {
      // Every state the answer read at the clock stays as it is until the store's next change; the
      // request's NextToken expires (PAGE_TOKEN_LIFETIME_MS), past which the same request is refused.
      const until = Math.min(deps.store.nextChangeAfter(now), pages.tokenExpiresAt ?? Number.POSITIVE_INFINITY);
      // Encoded once: the bytes kept are the bytes sent now, after the head, as a kept answer goes.
      const head = answerHead(action.name, request.requestId);
      const rest = Buffer.from(answer, "utf8").subarray(Buffer.byteLength(head));
      answers.set(keptAs, generation, now, until, rest);
      return [head, rest];
    }
  }
  return answer;
}
