// The times of SPEC sections 10 and 11 that a user sets (seconds of emulator time), and their one check.

/** SPEC section 7: how long a new reservation reads `pending`, and how long an instance's transitions last. */
export interface Settings {
  /** Seconds a new reservation reads `pending` (`assessing`, `payment-pending`) before it runs; default 0. */
  provisioningSeconds: number;
  /** Seconds an instance's `pending`, `stopping` and `shutting-down` last; default 0. */
  instanceTransitionSeconds: number;
}

export const SETTING_NAMES = ["provisioningSeconds", "instanceTransitionSeconds"] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export const DEFAULT_SETTINGS: Readonly<Settings> = { provisioningSeconds: 0, instanceTransitionSeconds: 0 };

/** The longest setting accepted: a year, so that createDate + it is always a real date. */
export const MAX_SETTING_SECONDS = 365 * 24 * 3600;

/** Why `value` cannot be a setting (a number of seconds from 0 to a year), or undefined when it can. */
export function settingProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_SETTING_SECONDS) {
    return `${name} must be a number of seconds from 0 to ${MAX_SETTING_SECONDS}, not ${JSON.stringify(value) ?? String(value)}`;
  }
  return undefined;
}

/**
 * Checks a partial settings object (the control plane's PUT body, the library's options): every
 * problem, or the settings it changes. Unknown keys are problems.
 */
export function readSettings(body: unknown): { problems: string[] } | { settings: Partial<Settings> } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { problems: [`the body must be a JSON object with ${SETTING_NAMES.join(" and/or ")}`] };
  }
  const problems: string[] = [];
  const settings: Partial<Settings> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!(SETTING_NAMES as readonly string[]).includes(name)) {
      problems.push(`unknown setting ${JSON.stringify(name)}: the settings are ${SETTING_NAMES.join(", ")}`);
      continue;
    }
    const problem = settingProblem(name, value);
    if (problem) problems.push(problem);
    else settings[name as SettingName] = value as number;
  }
  return problems.length > 0 ? { problems } : { settings };
}
