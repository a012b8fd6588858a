// EC2's tag rules as pure functions (src/domain/tags.ts): limits, the aws: prefix, CreateTags and DeleteTags semantics.

import { describe, expect, it } from "vitest";
import {
  type Tag,
  applyCreateTags,
  applyDeleteTags,
  checkTagsToDelete,
  checkTagsToSet,
  classifyResourceIds,
  tagsFromSpecifications,
} from "../src/domain/tags.js";
import { refusal } from "./refusals.js";

const tagsOf = (n: number, prefix = "k"): Tag[] => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));

describe("checkTagsToSet", () => {
  it("gives a tag without a value the empty string, as the model says", () => {
    expect(checkTagsToSet([{ key: "team" }])).toEqual([{ key: "team", value: "" }]);
  });

  it("accepts a key of 128 characters and a value of 256", () => {
    const tags = [{ key: "k".repeat(128), value: "v".repeat(256) }];
    expect(checkTagsToSet(tags)).toEqual(tags);
  });

  it("refuses a key of 129 characters with InvalidParameterValue", () => {
    const r = refusal(checkTagsToSet([{ key: "k".repeat(129), value: "" }]));
    expect(r.code).toBe("InvalidParameterValue");
    expect(r.message).toBe("Tag key exceeds the maximum length of 128 characters");
  });

  it("refuses a value of 257 characters with InvalidParameterValue", () => {
    const r = refusal(checkTagsToSet([{ key: "k", value: "v".repeat(257) }]));
    expect(r.code).toBe("InvalidParameterValue");
    expect(r.message).toBe("Tag value exceeds the maximum length of 256 characters");
  });

  it("refuses a key starting with aws: in any letter case with EC2's message", () => {
    for (const key of ["aws:createdBy", "AWS:x", "Aws:y"]) {
      const r = refusal(checkTagsToSet([{ key, value: "x" }]));
      expect(r.code).toBe("InvalidParameterValue");
      expect(r.message).toBe("Tag keys starting with 'aws:' are reserved for internal use");
    }
  });

  it("accepts a value that starts with aws: and a key that merely contains it", () => {
    expect(checkTagsToSet([{ key: "awsx", value: "aws:thing" }])).toEqual([{ key: "awsx", value: "aws:thing" }]);
  });

  it("refuses an empty key with InvalidParameterValue and a missing key with MissingParameter", () => {
    expect(refusal(checkTagsToSet([{ key: "", value: "x" }])).code).toBe("InvalidParameterValue");
    expect(refusal(checkTagsToSet([{ value: "x" }])).code).toBe("MissingParameter");
  });

  it("refuses the same key twice in one request", () => {
    const r = refusal(checkTagsToSet([{ key: "a", value: "1" }, { key: "a", value: "2" }]));
    expect(r.code).toBe("InvalidParameterValue");
    expect(r.message).toContain("'a'");
  });

  it("refuses 51 tags in one request with TagLimitExceeded", () => {
    const r = refusal(checkTagsToSet(tagsOf(51)));
    expect(r.code).toBe("TagLimitExceeded");
    expect(r.message).toBe("The maximum number of Tags for a resource has been reached.");
  });
});

describe("applyCreateTags", () => {
  it("adds new keys after the existing ones and overwrites the value of an existing key in place", () => {
    const existing = [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ];
    expect(applyCreateTags(existing, [{ key: "c", value: "3" }, { key: "a", value: "9" }])).toEqual([
      { key: "a", value: "9" },
      { key: "b", value: "2" },
      { key: "c", value: "3" },
    ]);
  });

  it("lets a resource reach exactly 50 tags", () => {
    const result = applyCreateTags(tagsOf(49), [{ key: "last", value: "" }]);
    expect(result).toHaveLength(50);
  });

  it("refuses the 51st tag on a resource with TagLimitExceeded and changes nothing", () => {
    const existing = tagsOf(50);
    const r = refusal(applyCreateTags(existing, [{ key: "one-more", value: "" }]));
    expect(r.code).toBe("TagLimitExceeded");
    expect(existing).toEqual(tagsOf(50));
  });

  it("counts an overwrite as no new tag, so a full resource can still change a value", () => {
    expect(applyCreateTags(tagsOf(50), [{ key: "k0", value: "new" }])).toHaveLength(50);
  });

  it("does not count tags EC2 set itself (aws:) toward the 50", () => {
    const existing = [...tagsOf(49), { key: "aws:cloudformation:stack-name", value: "s" }];
    expect(applyCreateTags(existing, [{ key: "fiftieth", value: "" }])).toHaveLength(51);
  });
});

describe("DeleteTags", () => {
  const existing: Tag[] = [
    { key: "team", value: "infra" },
    { key: "empty", value: "" },
    { key: "env", value: "prod" },
    { key: "aws:createdBy", value: "someone" },
  ];

  it("deletes a key given alone whatever its value", () => {
    expect(applyDeleteTags(existing, [{ key: "team" }]).map((t) => t.key)).toEqual(["empty", "env", "aws:createdBy"]);
  });

  it("deletes a key given with its value only when the value is equal", () => {
    expect(applyDeleteTags(existing, [{ key: "env", value: "dev" }])).toEqual(existing);
    expect(applyDeleteTags(existing, [{ key: "env", value: "prod" }]).map((t) => t.key)).not.toContain("env");
  });

  it("deletes a key given with the value \"\" only when its value is empty", () => {
    expect(applyDeleteTags(existing, [{ key: "team", value: "" }])).toEqual(existing);
    expect(applyDeleteTags(existing, [{ key: "empty", value: "" }]).map((t) => t.key)).not.toContain("empty");
  });

  it("deletes every user tag and keeps the aws: ones when no tag is given", () => {
    expect(applyDeleteTags(existing, undefined)).toEqual([{ key: "aws:createdBy", value: "someone" }]);
  });

  it("treats a tag the resource does not have as nothing to do", () => {
    expect(applyDeleteTags(existing, [{ key: "absent" }])).toEqual(existing);
  });

  it("refuses to delete an aws: key with the reserved-prefix message", () => {
    const r = refusal(checkTagsToDelete([{ key: "aws:createdBy" }]));
    expect(r.code).toBe("InvalidParameterValue");
    expect(r.message).toBe("Tag keys starting with 'aws:' are reserved for internal use");
  });

  it("requires a key in each tag to delete and accepts no list at all", () => {
    expect(refusal(checkTagsToDelete([{ value: "x" }])).code).toBe("MissingParameter");
    expect(checkTagsToDelete(undefined)).toBeUndefined();
    expect(checkTagsToDelete([{ key: "team" }])).toBeUndefined();
  });
});

describe("classifyResourceIds", () => {
  it("sorts well-formed cr- and i- ids (17 or 8 hex digits) into their resource types", () => {
    expect(classifyResourceIds(["cr-0123456789abcdef0", "i-0123456789abcdef0", "i-0123abcd"])).toEqual([
      { resourceType: "capacity-reservation", id: "cr-0123456789abcdef0" },
      { resourceType: "instance", id: "i-0123456789abcdef0" },
      { resourceType: "instance", id: "i-0123abcd" },
    ]);
  });

  it("refuses a malformed id, even with a known prefix, with InvalidID in EC2's words", () => {
    for (const id of ["i-eCHmOTcEW0OZ9KbNe", "cr-123", "igw-0123456789abcdef0", "2014-10-21T13:34:24.000Z"]) {
      const r = refusal(classifyResourceIds(["cr-0123456789abcdef0", id]));
      expect(r.code).toBe("InvalidID");
      expect(r.message).toBe(`The ID '${id}' is not valid`);
    }
  });

  it("refuses an empty resource list with MissingParameter resourceIdSet", () => {
    const r = refusal(classifyResourceIds([]));
    expect(r.code).toBe("MissingParameter");
    expect(r.message).toBe("The request must contain the parameter resourceIdSet");
  });

  it("refuses more than 1000 resource ids", () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `i-${i.toString(16).padStart(17, "0")}`);
    expect(refusal(classifyResourceIds(ids)).code).toBe("InvalidParameterValue");
  });
});

describe("tagsFromSpecifications", () => {
  it("gives the tags of the call's own resource type", () => {
    expect(
      tagsFromSpecifications([{ resourceType: "capacity-reservation", tags: [{ key: "a", value: "1" }] }], "capacity-reservation"),
    ).toEqual([{ key: "a", value: "1" }]);
  });

  it("gives no tags when there is no specification", () => {
    expect(tagsFromSpecifications([], "capacity-reservation")).toEqual([]);
  });

  it("refuses a resource type the call cannot tag with InvalidParameterValue naming it", () => {
    const r = refusal(tagsFromSpecifications([{ resourceType: "instance", tags: [{ key: "a" }] }], "capacity-reservation"));
    expect(r.code).toBe("InvalidParameterValue");
    expect(r.message).toBe("'instance' is not a valid taggable resource type for this operation.");
  });

  it("checks but does not return the tags of another type the call may tag (RunInstances' volumes)", () => {
    const specs = [
      { resourceType: "volume", tags: [{ key: "v", value: "1" }] },
      { resourceType: "instance", tags: [{ key: "i", value: "2" }] },
    ];
    expect(tagsFromSpecifications(specs, "instance", ["volume"])).toEqual([{ key: "i", value: "2" }]);
    const bad = [{ resourceType: "volume", tags: [{ key: "aws:x", value: "1" }] }];
    expect(refusal(tagsFromSpecifications(bad, "instance", ["volume"])).code).toBe("InvalidParameterValue");
  });

  it("refuses a resource type given twice, a specification without tags, and one without a type", () => {
    const twice = [
      { resourceType: "capacity-reservation", tags: [{ key: "a" }] },
      { resourceType: "capacity-reservation", tags: [{ key: "b" }] },
    ];
    expect(refusal(tagsFromSpecifications(twice, "capacity-reservation")).code).toBe("InvalidParameterValue");
    expect(refusal(tagsFromSpecifications([{ resourceType: "capacity-reservation", tags: [] }], "capacity-reservation")).code).toBe(
      "InvalidParameterValue",
    );
    expect(refusal(tagsFromSpecifications([{ tags: [{ key: "a" }] }], "capacity-reservation")).code).toBe("MissingParameter");
  });

  it("applies the tag limits to a specification", () => {
    const r = refusal(tagsFromSpecifications([{ resourceType: "capacity-reservation", tags: tagsOf(51) }], "capacity-reservation"));
    expect(r.code).toBe("TagLimitExceeded");
  });
});
