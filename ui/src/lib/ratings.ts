// `ratings: []` has no defined element shape (spec reading 6): read the usual keys.
export interface RatingChoice {
  id: string;
  name: string;
}

function choice(raw: unknown, index: number): RatingChoice {
  if (typeof raw !== "object" || raw === null) return { id: String(raw ?? index + 1), name: String(raw ?? index + 1) };
  const o = raw as Record<string, unknown>;
  const id = o.id ?? o.ratingId ?? o.value ?? index + 1;
  const name = o.name ?? o.label ?? o.text ?? id;
  return { id: String(id), name: String(name) };
}

export const ratingChoices = (options: unknown[] | null): RatingChoice[] => (options ?? []).map(choice);
