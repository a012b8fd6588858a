// How an EC2 action is declared: the model operation it serves, what the model lacks (the overlay), and its handler.

import type { Caller } from "../domain/identity.js";
import type { Clock } from "../domain/clock.js";
import type { Settings } from "../domain/settings.js";
import type { Ec2Context } from "../ec2/context.js";
import type { PageCursor } from "../domain/pageToken.js";
import { OPERATIONS, type OperationName, type OperationTypes } from "../protocol/model/ec2.generated.js";
import type { StructureShape } from "../protocol/model/shape.js";
import type { RawParams } from "../protocol/params.js";
import { readInput, type InputRules, type WithRequired } from "../protocol/query.js";
import type { Store } from "../store/store.js";

export type RequestOf<O extends OperationName> = OperationTypes[O]["input"];
export type ResultOf<O extends OperationName> = OperationTypes[O]["output"];

/**
 * What a handler may use: who calls, the state, the clock, and this request's page tokens. It is
 * the context every use case of src/ec2/ takes (Ec2Context), so a handler passes its own.
 */
export interface ActionContext extends Ec2Context {
  readonly caller: Caller;
  readonly store: Store;
  readonly clock: Clock;
  /** The emulator time the request is answered at (ms), read once. */
  readonly now: number;
  /** Page tokens bound to this action, caller, region and the request's selection. */
  readonly pages: PageCursor;
  /** SPEC section 7's times (provisioningSeconds, instanceTransitionSeconds) as they are now. */
  readonly settings: Readonly<Settings>;
}

/**
 * What the handler of an action whose answer is kept (ActionDefinition.answerKept) may use: who
 * calls, the state, the request's time and its page tokens. Neither the clock nor the settings: its
 * answer may depend on the time only through what stateAt() and instanceStateAt() make of `now` and
 * the stored times (Store.nextChangeAfter), and on nothing a write does not move the generation of.
 */
export type KeptAnswerContext = Pick<ActionContext, "caller" | "store" | "now" | "pages">;

/** What every action file declares, whether its answer is kept or not. */
interface DefinitionBase<O extends OperationName, R extends keyof RequestOf<O> & string> {
  /** The operation's name in the EC2 model; its request and result shapes and types come from there. */
  readonly operation: O;
  /** What it models, in a sentence for users: docs/actions.md is generated from it (`npm run generate:actions-page`). */
  readonly summary?: string;
  /**
   * The server-side rules the SDK model lacks: required members, ranges, id patterns, enum checks.
   * Decided by the parameters alone: a request that repeats its text is not read again (dispatch.ts,
   * readCall), so a check that needs the clock or the state belongs in `handle`.
   */
  readonly overlay?: InputRules<RequestOf<O>> & { readonly required?: readonly R[] };
  /**
   * What EC2 checks of a DryRun request beyond its parameters' form before it answers
   * DryRunOperation: the values its handler checks against what EC2 has (an instance type, a zone,
   * a launch's template, subnet and groups) before it changes anything, never room or capacity
   * (docs/decisions.md, "What RunInstances checks before it answers DryRun"). Runs only for DryRun,
   * once permission is granted; throws a Refusal. Without it, DryRun answers from the parameters and
   * permission alone.
   */
  readonly checkDryRun?: (input: WithRequired<RequestOf<O>, R>, context: ActionContext) => void;
  /**
   * For an action that changes what EC2 has (an instance, a volume, a tag, a reservation): a DryRun
   * runs `handle` up to its first write, which is not made (Store.checkBeforeWrite), so it is
   * refused as the call would be, by what the handler checks before it changes anything (the
   * resources named are the caller's, their state takes the change), then answers DryRunOperation.
   * What a handler checks inside its write (room in a reservation) a DryRun does not check
   * (docs/decisions.md, "A DryRun of a change to what EC2 has"). Not with checkDryRun.
   */
  readonly dryRunChecksBeforeWrite?: boolean;
}

/**
 * What an action file declares. `handle` runs once the request is read and checked, the caller
 * known, DryRun answered and permission granted; it returns the result (written by the model), or
 * throws a Refusal (src/domain/refusal.ts).
 *
 * With `answerKept`, a large answer is given again to the same request without running `handle`
 * (AnswerCache), while no write is made and the clock stays between the time it was made and the
 * store's next change (Store.nextChangeAfter). Its handler sees only a KeptAnswerContext, so its
 * answer can depend on nothing else: no handler says what its answer depends on.
 */
export type ActionDefinition<O extends OperationName, R extends keyof RequestOf<O> & string> = DefinitionBase<O, R> &
  (
    | {
        readonly answerKept?: false;
        handle(input: WithRequired<RequestOf<O>, R>, context: ActionContext): ResultOf<O>;
      }
    | {
        readonly answerKept: true;
        handle(input: WithRequired<RequestOf<O>, R>, context: KeptAnswerContext): ResultOf<O>;
      }
  );

/** A request read and checked against its action, ready to answer. */
export interface ActionCall {
  readonly dryRun: boolean;
  /** The members that choose rows, as one string: what a page token is bound to besides the caller. */
  readonly selection: () => string;
  /** Runs the handler; returns the result to write with the operation's output shape. */
  run(context: ActionContext): object;
  /** The action's checks of a DryRun request against what EC2 has (ActionDefinition.checkDryRun or dryRunChecksBeforeWrite), if it has any. */
  readonly checkDryRun?: (context: ActionContext) => void;
}

/** An action as the registry and dispatch see it, its types sealed inside. */
export interface Action {
  readonly name: OperationName;
  /** What it models, for docs/actions.md. */
  readonly summary?: string;
  readonly input: StructureShape;
  readonly output: StructureShape;
  /** The members its overlay requires (a test holds them to botocore's `required` lists). */
  readonly required: readonly string[];
  /** Whether a large answer of it may be given again (ActionDefinition.answerKept). */
  readonly answerKept: boolean;
  /** Reads the request's parameters (SPEC section 3's first checks); throws a named Ec2Error or a Refusal. */
  read(raw: RawParams): ActionCall;
}

/** Members that never change which rows a walk returns: a page token is not bound to them. */
const NOT_SELECTION: ReadonlySet<string> = new Set(["NextToken", "MaxResults", "DryRun"]);

/** Declares an action: its handler sees exactly its operation's request type and must return its result type. */
export function defineAction<const O extends OperationName, const R extends keyof RequestOf<O> & string = never>(
  definition: ActionDefinition<O, R>,
): Action {
  const { input, output } = OPERATIONS[definition.operation];
  return {
    name: definition.operation,
    summary: definition.summary,
    input,
    output,
    required: definition.overlay?.required ?? [],
    answerKept: definition.answerKept === true,
    read(raw) {
      // readInput refuses a request without every member the overlay requires.
      const request = readInput<RequestOf<O>>(input, raw, definition.overlay) as WithRequired<RequestOf<O>, R>;
      const { DryRun } = request as { DryRun?: unknown };
      // Made at most once: a reading may serve every request that repeats its text (dispatch.ts).
      let selection: string | undefined;
      const check = definition.checkDryRun;
      const run = (context: ActionContext): object => {
        if (!definition.answerKept) return definition.handle(request, context);
        // Only what a KeptAnswerContext names: the handler cannot reach the clock or the settings.
        const { caller, store, now, pages } = context;
        return definition.handle(request, { caller, store, now, pages });
      };
      return {
        dryRun: DryRun === true,
        // Only a page token reads it: built then, not for every request. A function, not a getter:
        // an object literal with a getter, made per request, grew the old generation by megabytes
        // a second (V8 gives such literals new hidden classes, which live there), so collections
        // ran long and often (docs/performance.md).
        selection: () => (selection ??= JSON.stringify(Object.entries(request).filter(([name]) => !NOT_SELECTION.has(name)))),
        run,
        checkDryRun:
          check !== undefined
            ? (context) => check(request, context)
            : definition.dryRunChecksBeforeWrite === true
              ? (context) => context.store.checkBeforeWrite(() => run(context))
              : undefined,
      };
    },
  };
}
