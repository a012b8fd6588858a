// The running emulator's state and what can be done to it: load, reset, dump. Shared by HTTP and the library API.

import { AnswerCache } from "./actions/answerCache.js";
import type { DispatchDeps } from "./actions/dispatch.js";
import { settleInstances } from "./ec2/instances.js";
import type { Config } from "./config.js";
import { checkInstant, Clock } from "./domain/clock.js";
import { stateAt } from "./domain/capacityReservation.js";
import { holdsClientToken } from "./domain/placement.js";
import type { Settings } from "./domain/settings.js";
import { Faults } from "./faults/faults.js";
import { PageTokens } from "./domain/pageToken.js";
import {
  checkAgainstLoaded,
  checkFixturesToLoad,
  checkFixturesToLoadAsync,
  FixtureError,
  type CheckedFixtures,
  type FixtureSource,
  type LoadedState,
} from "./fixtures/check.js";
import type { LoadedFleet } from "./fixtures/checkHeld.js";
import { fixtureSources } from "./fixtures/read.js";
import { recordsOfFixture } from "./fixtures/records.js";
import { fixtureRecordKeys, notYetTakenIn, type HeldRecords } from "./fixtures/takeIn.js";
import type { FixtureDocument } from "./fixtures/types.js";
import { verifySigV4 } from "./protocol/sigv4Verify.js";
import { damagedDatabase } from "./store/database.js";
import { Store } from "./store/store.js";
import { LagHistory } from "./store/lagHistory.js";

/** A dump with every secretAccessKey left out; loading it back keeps the secrets the keys already have. */
export function withoutSecrets(fixture: FixtureDocument): FixtureDocument {
  return {
    ...fixture,
    accounts: fixture.accounts?.map((account) =>
      account.accessKeys
        ? { ...account, accessKeys: account.accessKeys.map(({ accessKeyId }) => ({ accessKeyId })) }
        : account,
    ),
  };
}

/**
 * Every access key a set would give to another account than the one that holds it now, each as
 * `source: path: what is wrong` (SPEC section 4: a load never moves a key silently). `holderOf`
 * answers the account a key belongs to in the current state.
 */
export function movedAccessKeys(
  sources: readonly FixtureSource[],
  holderOf: (accessKeyId: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  for (const { source, document } of sources) {
    (document as FixtureDocument).accounts?.forEach((account, i) =>
      account.accessKeys?.forEach((key, k) => {
        const holder = holderOf(key.accessKeyId);
        if (holder !== undefined && holder !== account.accountId) {
          problems.push(
            `${source}: accounts[${i}].accessKeys[${k}].accessKeyId: "${key.accessKeyId}" is the access key of account ${holder}; a load does not move a key to another account (${account.accountId})`,
          );
        }
      }),
    );
  }
  return problems;
}

/** The state a fixture set is loaded over, as the whole-set checks read it, at `now` (ms). */
export function loadedState(store: Store, now: number): LoadedState {
  // Read once a load, on its first question about a group, or about what fleets name.
  let byGroup: Map<string, string[]> | undefined;
  let namedByFleets: Map<string, LoadedFleet[]> | undefined;
  return {
    reservation: (id) => {
      const record = store.findReservation(id);
      const state = record && stateAt(record, now);
      const fixture = state && store.reservationFixture(id);
      // Its state at the clock: a reservation provisioned or started since it was written counts as active.
      return fixture && state ? { ...fixture, state } : undefined;
    },
    heldIn: (id) => store.instancesHeldIn(id),
    anyHeld: store.instancesHeldAnywhere(),
    // A token is held as CreateCapacityReservation and RunInstances hold it: a reservation's while it
    // is described (within its retention), a launch's until 24 hours after its last instance
    // terminated (holdsClientToken); past that it has been given up.
    reservationOfClientToken: (ownerId, region, token) => {
      const id = store.reservationOfClientToken(ownerId, region, token)?.capacityReservationId;
      const holder = id === undefined ? undefined : store.findReservation(id);
      return holder && stateAt(holder, now) !== undefined ? id : undefined;
    },
    launchOfClientToken: (ownerId, region, token) => {
      const id = store.launchByClientToken(ownerId, region, token)?.reservationId;
      const held = id !== undefined && store.instancesOfLaunch(id).some((instance) => holdsClientToken(instance, now));
      return held ? id : undefined;
    },
    launch: (reservationId) => {
      const launch = store.launch(reservationId);
      return launch && { clientToken: launch.clientToken, requestFingerprint: launch.requestDigest };
    },
    launchPlace: (reservationId) => store.launch(reservationId),
    instanceOfIamAssociation: (associationId) => store.instanceByProfileAssociation(associationId)?.instanceId,
    instanceHeld: (instanceId) => store.findInstance(instanceId),
    volumeHeld: (volumeId) => store.volume(volumeId),
    volumeOnDevice: (instanceId, device) => store.volumesOfInstance(instanceId).find((volume) => volume.attachment?.device === device)?.volumeId,
    instancePlace: (instanceId) => store.instancePlace(instanceId),
    volumesAttachedTo: (instanceId, limit) => store.volumesOfInstance(instanceId).slice(0, limit).map((volume) => volume.volumeId),
    launchTemplateNamed: (ownerId, region, name) => store.launchTemplateByName(ownerId, region, name)?.launchTemplateId,
    launchTemplateOfClientToken: (ownerId, region, token) => store.launchTemplateByClientToken(ownerId, region, token)?.launchTemplateId,
    fleetOfClientToken: (ownerId, region, token) => store.fleetByClientToken(ownerId, region, token)?.outcome.fleetId,
    fleetsNaming: (id) => (namedByFleets ??= fleetsByNamedId(store)).get(id) ?? [],
    namesVpc: (ownerId, region, vpcId) => store.vpcNamedBy(vpcId, ownerId)?.region === region,
    placeOf: (id) => (id.startsWith("lt-") ? store.launchTemplateById(id) : store.instancePlace(id)),
    declaresInstanceType: (instanceType) => store.declaredInstanceTypes().has(instanceType),
    subnetsOfVpc: (vpcId) => store.subnetsOfVpc(vpcId),
    subnet: (id) => {
      const record = store.subnet(id);
      return record && { record, instances: (limit) => store.instancesInSubnet(id, limit) };
    },
    instanceAtAddress: (subnetId, address) => store.instanceAtAddress(subnetId, address),
    securityGroupNamed: (ownerId, region, vpcId, name) => store.securityGroupByName(ownerId, region, vpcId, name)?.groupId,
    securityGroup: (id) => {
      const record = store.securityGroup(id);
      return record && { record, instances: (limit) => (byGroup ??= store.instancesByGroup()).get(id)?.slice(0, limit) ?? [] };
    },
  };
}

/** Each launch template and instance id the fleets already loaded name, with the fleets naming it. */
function fleetsByNamedId(store: Store): Map<string, LoadedFleet[]> {
  const named = new Map<string, LoadedFleet[]>();
  const add = (id: string, fleet: LoadedFleet): void => {
    const fleets = named.get(id);
    if (fleets === undefined) named.set(id, [fleet]);
    else if (!fleets.includes(fleet)) fleets.push(fleet);
  };
  for (const { outcome, ownerId, region } of store.allFleets()) {
    const fleet = { fleetId: outcome.fleetId, ownerId, region };
    for (const launch of outcome.launches) {
      add(launch.override.launchTemplateId, fleet);
      for (const id of launch.instanceIds) add(id, fleet);
    }
    for (const error of outcome.errors) add(error.override.launchTemplateId, fleet);
  }
  return named;
}

/** What a --db file holds, as a start reads it to choose what of its fixtures to take in. */
function heldRecords(store: Store): HeldRecords {
  return {
    takenIn: (kind, id) => store.hasTakenIn(kind, id),
    holds: (kind, id) => {
      switch (kind) {
        case "capacity-reservation":
          return store.findReservation(id) !== undefined;
        case "instance":
          return store.findInstance(id) !== undefined;
        case "subnet":
          return store.subnet(id) !== undefined;
        case "security-group":
          return store.securityGroup(id) !== undefined;
        case "image":
          return store.image(id) !== undefined;
        case "launch-template":
          return store.launchTemplateById(id) !== undefined;
        case "fleet":
          return store.fleet(id) !== undefined;
        case "volume":
          return store.volume(id) !== undefined;
      }
    },
    launchTemplateNamed: (ownerId, region, name) => store.launchTemplateByName(ownerId, region, name)?.launchTemplateId,
    launchTemplateOfClientToken: (ownerId, region, token) => store.launchTemplateByClientToken(ownerId, region, token)?.launchTemplateId,
    fleetOfClientToken: (ownerId, region, token) => store.fleetByClientToken(ownerId, region, token)?.outcome.fleetId,
    securityGroupNamed: (ownerId, region, vpcId, name) => store.securityGroupByName(ownerId, region, vpcId, name)?.groupId,
    tagsOf: (resourceId, accountId) => store.tagsOf(resourceId, accountId),
  };
}

/** Refuses a checked set that does not fit what is loaded (checkAgainstLoaded); writes nothing either way. */
function refuseWhatDoesNotFit(checked: CheckedFixtures, store: Store, now: number): void {
  const problems = checkAgainstLoaded(checked, loadedState(store, now));
  if (problems.count > 0) throw new FixtureError(problems);
}

export class Emulator {
  readonly clock: Clock;
  readonly store: Store;
  readonly tokens: PageTokens;
  /** The fault rules a test injected (SPEC section 8); none at start. */
  readonly faults: Faults;
  /** SPEC section 7's times, changed by PUT /_emulator/settings; reset keeps them. */
  readonly settings: Settings;
  /** What every EC2 request is dispatched with, built once. */
  readonly dispatchDeps: DispatchDeps;

  private constructor(
    readonly config: Config,
    store: Store,
  ) {
    this.store = store;
    this.clock = new Clock(config.clock);
    this.tokens = new PageTokens(store.tokenKey());
    this.faults = new Faults((token) => this.tokens.pageOf(token));
    this.settings = {
      provisioningSeconds: config.provisioningSeconds,
      instanceTransitionSeconds: config.instanceTransitionSeconds,
    };
    const history = new LagHistory(store, () => this.clock.now());
    this.faults.onChange = (lagging) => history.setActive(lagging);
    // The state right after start, which reset() returns to.
    store.saveStartState();
    this.dispatchDeps = {
      store,
      answers: new AnswerCache(),
      clock: this.clock,
      tokens: this.tokens,
      faults: this.faults,
      history,
      settings: this.settings,
      defaultAccount: config.defaultAccount,
      defaultRegion: config.defaultRegion,
      authenticate:
        config.auth === "strict"
          ? (request, credential) =>
              verifySigV4(request.http, credential, {
                secretOf: (accessKeyId) => store.accessKey(accessKeyId)?.secretAccessKey,
                now: () => this.clock.now(),
                hostNow: Date.now,
              })
          : undefined,
    };
  }

  /**
   * Checks every configured fixture before opening anything, then opens the database and loads
   * them in one transaction. Throws FixtureError or DatabaseError, having written nothing.
   */
  static open(config: Config): Emulator {
    if (config.clock) checkInstant(config.clock.getTime(), "the clock option");
    // Without --db the state starts empty: an instance can name only a reservation of the set.
    const checked = checkFixturesToLoad(fixtureSources(config.fixtures), config.db === undefined ? null : () => true);
    const store = Store.open(config.db ?? ":memory:");
    try {
      const now = config.clock?.getTime() ?? Date.now();
      // A --db file takes in only the fixture records it has never taken in (docs/decisions.md, "What
      // a --db file takes from its fixtures"), so a restart never puts back what the API deleted,
      // changed or untagged since; without one every record is new and nothing need be remembered.
      const takeIn = config.db === undefined ? undefined : notYetTakenIn(checked, heldRecords(store));
      if (takeIn !== undefined && takeIn.problems.count > 0) throw new FixtureError(takeIn.problems);
      const toLoad = takeIn?.checked ?? checked;
      // A --db file may already hold reservations, instances and tokens the fixtures meet.
      refuseWhatDoesNotFit(toLoad, store, now);
      store.load(recordsOfFixture(toLoad.fixture, new Date(now)), takeIn?.takenIn);
      return new Emulator(config, store);
    } catch (error) {
      store.close();
      // A damaged page may be read first here, past the ones opening read: said as the file's problem.
      throw (config.db === undefined ? undefined : damagedDatabase(config.db, error)) ?? error;
    }
  }

  /**
   * Checks and upserts fixture objects, all or nothing; rejects with a FixtureError listing the
   * problems. The check lets the event loop run between records (checkFixturesAsync); the write is
   * one transaction.
   */
  async load(sources: readonly FixtureSource[]): Promise<void> {
    const checked = await checkFixturesToLoadAsync(sources, (id) => this.store.findReservation(id) !== undefined);
    const moved = movedAccessKeys(sources, (accessKeyId) => this.store.accessKey(accessKeyId)?.accountId);
    if (moved.length > 0) throw new FixtureError(moved);
    // The instances in reservations as the clock has made them (a stopped one holds no place).
    this.settle();
    const now = this.clock.now();
    refuseWhatDoesNotFit(checked, this.store, now);
    // A --db file remembers these as taken in: a later start with them as its fixtures leaves them as the API leaves them.
    this.store.load(recordsOfFixture(checked.fixture, new Date(now)), this.config.db === undefined ? [] : fixtureRecordKeys(checked.fixture));
  }

  /** Changes settings already checked (readSettings); the ones not named stay. */
  changeSettings(settings: Partial<Settings>): void {
    Object.assign(this.settings, settings);
  }

  /** Back to the state as it was once the emulator had started (the settings stay as they are). */
  reset(): void {
    this.store.restoreStartState();
  }

  /**
   * Writes what the clock has made of the instances since the last EC2 call (transitions settled,
   * ended reservations' instances let go or terminated), as the step before each action does, so the
   * state dump and health count what DescribeInstances would describe. Not the sweep of rows no
   * caller can describe (src/store/sweep.ts): EC2 calls pay for that, so health stays cheap.
   */
  settle(): void {
    settleInstances(this.store, this.clock.now(), false);
  }

  /** The whole state as one fixture object, at the clock; secret access keys only when asked for explicitly. */
  state(options: { secrets?: boolean } = {}): FixtureDocument {
    this.settle();
    const dump = this.store.dump();
    return options.secrets === true ? dump : withoutSecrets(dump);
  }

  close(): void {
    this.store.close();
  }
}
