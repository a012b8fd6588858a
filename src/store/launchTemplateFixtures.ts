// A launch template as a dump writes it: its data in the model's JSON form (src/fixtures/records.ts reads it back into parameters).

import type { Tag } from "../domain/capacityReservation.js";
import type { LaunchTemplateRecord } from "../domain/launchTemplate.js";
import { templateData } from "../ec2/launchTemplates.js";
import type { LaunchTemplateFixture } from "../fixtures/types.js";


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
  if (record.versionDescription !== null) fixture.versionDescription = record.versionDescription;
  if (record.clientToken !== null && record.requestDigest !== null) {
    fixture.clientToken = record.clientToken;
    fixture.requestFingerprint = record.requestDigest;
  }
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}
