// What every use case of src/ec2/ runs against: the state, the request's time, who asks, and the settings in effect.

import type { Caller } from "../domain/identity.js";
import type { Settings } from "../domain/settings.js";
import type { Store } from "../store/store.js";

/** An action's context (ActionContext) is one: a handler passes its own. */
export interface Ec2Context {
  readonly store: Store;
  /** The emulator time the request is answered at (ms). */
  readonly now: number;
  readonly caller: Caller;
  /** SPEC section 7's times as they are now. */
  readonly settings: Readonly<Settings>;
}
