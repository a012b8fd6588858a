// A launch template between its fixture form (its data in the model's JSON form) and its record (its data as the parameters that carried it).

import type { Tag } from "../domain/capacityReservation.js";
import type { LaunchTemplateRecord } from "../domain/launchTemplate.js";
import { dataParams, templateData } from "../ec2/launchTemplates.js";
import type { LaunchTemplateFixture } from "../fixtures/types.js";

/** A checked fixture template as a record; `loadedAt` is its creation time when it names none. */
export function launchTemplateOfFixture(fixture: LaunchTemplateFixture, loadedAt: Date): LaunchTemplateRecord {
  return {
    launchTemplateId: fixture.launchTemplateId,
    ownerId: fixture.ownerId,
    region: fixture.region,
    launchTemplateName: fixture.launchTemplateName,
    createTime: fixture.createTime === undefined ? loadedAt.getTime() : Date.parse(fixture.createTime),
    data: dataParams(fixture.launchTemplateData),
    clientToken: fixture.clientToken ?? null,
    requestDigest: fixture.requestFingerprint ?? null,
  };
}

export function launchTemplateFixtureOf(record: LaunchTemplateRecord, tags: readonly Tag[]): LaunchTemplateFixture {
  const fixture: LaunchTemplateFixture = {
    launchTemplateId: record.launchTemplateId,
    launchTemplateName: record.launchTemplateName,
    ownerId: record.ownerId,
    region: record.region,
    createTime: new Date(record.createTime).toISOString(),
    // Through JSON: dates as ISO text, as a fixture writes them.
    launchTemplateData: JSON.parse(JSON.stringify(templateData(record))) as Record<string, unknown>,
  };
  if (record.clientToken !== null && record.requestDigest !== null) {
    fixture.clientToken = record.clientToken;
    fixture.requestFingerprint = record.requestDigest;
  }
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}
