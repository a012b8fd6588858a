// Who is calling, and from which region: the account behind a SigV4 access key.

import type { SigV4Credential } from "../protocol/sigv4.js";
import type { Store } from "../store/store.js";

export interface Caller {
  readonly accountId: string;
  readonly region: string;
  /** The access key the request was signed with; absent for an unsigned request. */
  readonly accessKeyId?: string;
}

export interface IdentityDefaults {
  readonly defaultAccount: string;
  readonly defaultRegion: string;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * The account of a fixture that lists the access key; else the key itself when it is a 12-digit
 * account id (so AWS_ACCESS_KEY_ID=222222222222 acts as that account); else the default account.
 */
export function resolveCaller(
  credential: SigV4Credential | undefined,
  store: Store,
  defaults: IdentityDefaults,
): Caller {
  if (!credential) return { accountId: defaults.defaultAccount, region: defaults.defaultRegion };
  const { accessKeyId, region } = credential;
  const accountId =
    store.accessKey(accessKeyId)?.accountId ??
    (ACCOUNT_ID.test(accessKeyId) ? accessKeyId : defaults.defaultAccount);
  return { accountId, region, accessKeyId };
}
