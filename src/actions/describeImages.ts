// DescribeImages: the images fixtures declared that the caller may launch (its own and public ones, of its region), by id, owner or filter, paged (SPEC section 14).

import type { Caller } from "../domain/identity.js";
import { matches, checkFilters, parseFilters } from "../domain/filters.js";
import { IMAGE_ID, imageIdMalformed, imageNotFound, type ImageRecord } from "../domain/network.js";
import { IMAGE_FILTERS } from "../domain/networkFilters.js";
import { Refusal } from "../domain/refusal.js";
import { imageVisibleTo, modelImage } from "../ec2/network.js";
import type { DescribeImagesResult, Image } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { namedPage, walkPage } from "./walkPage.js";

const DEFAULT_PAGE_SIZE = 1000;
const ACCOUNT_ID = /^\d{12}$/;

/** What an `Owners` value selects: self, an owner alias, or an account id. */
function ownedAs(owner: string, image: ImageRecord, caller: Caller): boolean {
  if (owner === "self") return image.ownerId === caller.accountId;
  if (owner === "amazon" || owner === "aws-marketplace") return image.imageOwnerAlias === owner;
  return image.ownerId === owner;
}

/** Whether `user` (`self`, `all` or an account id) may launch the image: an owner may, and anyone may launch a public one. */
function executableBy(user: string, image: ImageRecord, caller: Caller): boolean {
  if (image.public) return true;
  if (user === "all") return false;
  return image.ownerId === (user === "self" ? caller.accountId : user);
}

/** A deprecated image is left out unless asked for (IncludeDeprecated) or the caller owns it (the model's IncludeDeprecated). */
const isDeprecated = (image: ImageRecord, now: number): boolean =>
  image.deprecationTime !== null && Date.parse(image.deprecationTime) <= now;

export const describeImages = defineAction({
  operation: "DescribeImages",
  summary:
    "The images fixtures declare that the caller may launch (its own, and public ones of its region), by id, owner or filter, paged.",
  overlay: {
    members: {
      ImageIds: {
        check: (ids) => {
          const bad = ids.find((id) => !IMAGE_ID.test(id));
          if (bad !== undefined) throw imageIdMalformed(bad);
        },
      },
      Owners: {
        check: (owners) => {
          const bad = owners.find((o) => o !== "self" && o !== "amazon" && o !== "aws-marketplace" && !ACCOUNT_ID.test(o));
          if (bad !== undefined) throw new Refusal("InvalidUserID.Malformed", `Invalid user id: "${bad}"`);
        },
      },
      MaxResults: { range: [1, 1000] },
      Filters: { check: (filters) => checkFilters(IMAGE_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, now, pages }): DescribeImagesResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(IMAGE_FILTERS, input.Filters);
    const owners = input.Owners?.length ? input.Owners : undefined;
    const users = input.ExecutableUsers?.length ? input.ExecutableUsers : undefined;
    const ids = input.ImageIds?.length ? [...new Set(input.ImageIds)] : undefined;
    // One request spends at most one MatchBudget on its filters, named or walked (SPEC section 15).
    const { budget } = position;
    const describe = (image: ImageRecord): Image | undefined => {
      if (!imageVisibleTo(image, caller)) return undefined;
      if (owners && !owners.some((owner) => ownedAs(owner, image, caller))) return undefined;
      if (users && !users.some((user) => executableBy(user, image, caller))) return undefined;
      // An image asked for by id is answered whatever its state (EC2 describes even a deregistered one for a while).
      if (!ids) {
        if (isDeprecated(image, now) && input.IncludeDeprecated !== true && image.ownerId !== caller.accountId) return undefined;
        if (image.state === "disabled" && input.IncludeDisabled !== true) return undefined;
      }
      // Tags are the owner's: another account sees none (EC2 does not share AMI tags).
      const tags = image.ownerId === caller.accountId ? store.tagsOf(image.imageId, caller.accountId) : [];
      const item = modelImage(image, tags);
      return matches(IMAGE_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };

    if (ids) {
      const found = ids.map((id) => {
        const image = store.image(id);
        return image && imageVisibleTo(image, caller) ? image : undefined;
      });
      const missing = ids.filter((_, i) => found[i] === undefined);
      if (missing.length > 0) throw imageNotFound(missing);
      const { items, next } = namedPage({
        records: found.flatMap((image) => image ?? []),
        idOf: (image) => image.imageId,
        describe,
        after: position.after ?? "",
        size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
        budget,
      });
      return { Images: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const { items, next } = walkPage({
      read: (after, limit) => store.imagePage(caller.region, after, limit),
      idOf: (image) => image.imageId,
      describe,
      after: position.after ?? "",
      size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
      budget,
    });
    return { Images: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
  },
});
