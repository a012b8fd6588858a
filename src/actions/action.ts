// What an EC2 action declares: its parameters, its result's members in wire order, and its handler.

import type { Caller } from "../domain/identity.js";
import type { Clock } from "../domain/clock.js";
import type { PageTokens } from "../domain/pageToken.js";
import type { ParamSpecs, ParamValues } from "../protocol/params.js";
import type { Shape } from "../protocol/xml.js";
import type { Store } from "../store/store.js";

export interface ActionContext {
  readonly caller: Caller;
  readonly store: Store;
  readonly clock: Clock;
  readonly tokens: PageTokens;
}

export interface Action<P extends ParamSpecs = ParamSpecs, R extends object = object> {
  readonly name: string;
  readonly params: P;
  readonly result: Shape & { kind: "structure" };
  /** Runs after the request is validated, DryRun answered and permission granted. */
  handle(input: ParamValues<P>, context: ActionContext): R;
}

/** Declares an action with its types inferred, so the handler sees exactly its declared input. */
export function defineAction<P extends ParamSpecs, R extends object>(action: Action<P, R>): Action<P, R> {
  return action;
}
