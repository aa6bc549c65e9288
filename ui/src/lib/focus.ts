// Where keyboard focus goes after an action: the conversation's input (the composer's field,
// or the rating prompt's option while it shows), never the page body.
import { tick } from "svelte";

/** Marks the one element that stands for the conversation's input. */
export const COMPOSER_FIELD = "data-composer-field";

/** Focuses the conversation's input once the DOM caught up; false when there is none. */
export async function focusComposer(): Promise<boolean> {
  await tick();
  const field = document.querySelector<HTMLElement>(`[${COMPOSER_FIELD}]`);
  field?.focus();
  return field !== null && document.activeElement === field;
}

/** True when focus is nowhere in particular: on the body, or on nothing. */
export const focusIsIdle = (): boolean =>
  document.activeElement === null || document.activeElement === document.body;

/**
 * An action for an input that appears after the fact (the composer once a customer is
 * open, the rating prompt once webchat pushed it): when it mounts, it takes focus (its marked
 * field, else itself) unless the user is somewhere else already.
 */
export function claimFocus(node: HTMLElement): void {
  void tick().then(() => {
    if (!node.isConnected || !focusIsIdle()) return;
    (node.querySelector<HTMLElement>(`[${COMPOSER_FIELD}]`) ?? node).focus();
  });
}

/** True when keys typed now go into a field (shortcuts other than Esc stay out of the way). */
export function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !["button", "checkbox", "radio", "submit", "reset", "file", "color", "range"].includes(target.type);
}
