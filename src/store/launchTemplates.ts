// Launch templates: statements, keyset pages, writes, and the dump.

import { createdBy, type LaunchTemplateRecord } from "../domain/launchTemplate.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

interface LaunchTemplateRow {
  launch_template_id: string;
  owner_id: string;
  region: string;
  launch_template_name: string;
  create_time: number;
  created_by: string;
  data: string;
  version_description: string | null;
  client_token: string | null;
  request_digest: string | null;
}

const recordOf = (row: LaunchTemplateRow): LaunchTemplateRecord =>
  Object.freeze({
    launchTemplateId: row.launch_template_id,
    ownerId: row.owner_id,
    region: row.region,
    launchTemplateName: row.launch_template_name,
    createTime: row.create_time,
    data: new Map(JSON.parse(row.data) as [string, string][]),
    versionDescription: row.version_description,
    clientToken: row.client_token,
    requestDigest: row.request_digest,
  });

function prepare(db: SqliteDatabase) {
  return {
    byId: db.prepare<[string], LaunchTemplateRow>("SELECT * FROM launch_template WHERE launch_template_id = ?"),
    byName: db.prepare<[string, string, string], LaunchTemplateRow>(
      "SELECT * FROM launch_template WHERE owner_id = ? AND region = ? AND launch_template_name = ?",
    ),
    byToken: db.prepare<[string, string, string], LaunchTemplateRow>(
      "SELECT * FROM launch_template WHERE owner_id = ? AND region = ? AND client_token = ?",
    ),
    page: db.prepare<[string, string, string, number], LaunchTemplateRow>(
      `SELECT * FROM launch_template WHERE owner_id = ? AND region = ? AND launch_template_id > ?
        ORDER BY launch_template_id LIMIT ?`,
    ),
    all: db.prepare<[], LaunchTemplateRow>("SELECT * FROM launch_template ORDER BY launch_template_id"),
    insert: db.prepare<[LaunchTemplateRow]>(
      `INSERT INTO launch_template (launch_template_id, owner_id, region, launch_template_name, create_time, created_by,
        data, version_description, client_token, request_digest) VALUES (@launch_template_id, @owner_id, @region,
        @launch_template_name, @create_time, @created_by, @data, @version_description, @client_token, @request_digest)`,
    ),
    delete: db.prepare<[string]>("DELETE FROM launch_template WHERE launch_template_id = ?"),
    deleteByName: db.prepare<[string, string, string]>(
      "DELETE FROM launch_template WHERE owner_id = ? AND region = ? AND launch_template_name = ?",
    ),
  };
}

export class LaunchTemplates {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  byId(id: string): LaunchTemplateRecord | undefined {
    const row = this.s.byId.get(id);
    return row && recordOf(row);
  }

  byName(ownerId: string, region: string, name: string): LaunchTemplateRecord | undefined {
    const row = this.s.byName.get(ownerId, region, name);
    return row && recordOf(row);
  }

  byClientToken(ownerId: string, region: string, token: string): LaunchTemplateRecord | undefined {
    const row = this.s.byToken.get(ownerId, region, token);
    return row && recordOf(row);
  }

  /** Up to `limit` of an account's templates in a region, in id order after `after`. */
  page(ownerId: string, region: string, after: string, limit: number): LaunchTemplateRecord[] {
    return this.s.page.all(ownerId, region, after, limit).map(recordOf);
  }

  /**
   * Adds a template, replacing one of the same id, or of the same name (unique for its owner in its
   * region): a fixture load upserts, and the name says which template it means.
   */
  put(record: LaunchTemplateRecord): void {
    assertInWrite(this.db, "LaunchTemplates.put()");
    this.s.delete.run(record.launchTemplateId);
    this.s.deleteByName.run(record.ownerId, record.region, record.launchTemplateName);
    this.s.insert.run({
      launch_template_id: record.launchTemplateId,
      owner_id: record.ownerId,
      region: record.region,
      launch_template_name: record.launchTemplateName,
      create_time: record.createTime,
      created_by: createdBy(record.ownerId),
      data: JSON.stringify([...record.data]),
      version_description: record.versionDescription,
      client_token: record.clientToken,
      request_digest: record.requestDigest,
    });
  }

  /** Deletes a template; its tags go with it (migration 008's trigger). */
  delete(id: string): void {
    assertInWrite(this.db, "LaunchTemplates.delete()");
    this.s.delete.run(id);
  }

  all(): LaunchTemplateRecord[] {
    return this.s.all.all().map(recordOf);
  }
}
