// The rating prompt's options, as the engine read them (crates/protocol/src/rating.rs): the
// UI picks by the id's text; the engine sends it back in webchat's own type.
import type { RatingOption } from "./generated/RatingOption";

export interface RatingChoice {
  id: string;
  name: string;
}

export const ratingChoices = (options: RatingOption[] | null): RatingChoice[] =>
  (options ?? []).map((o) => ({ id: String(o.id), name: o.name }));
