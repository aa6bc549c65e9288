// The page's keyboard shortcuts: what the help lists, and the one window-wide handler.
// Enter / Shift+Enter (composer) and the rating arrows are handled where they apply.
import { focusComposer, typingIn } from "./focus";
import type { Key } from "./i18n.svelte";
import { presenter, zoomKey } from "./presenter.svelte";
import { app } from "./state.svelte";
import { view } from "./view.svelte";

export const SHORTCUTS: readonly { keys: readonly string[]; what: Key }[] = [
  { keys: ["N"], what: "keyNew" },
  { keys: ["/"], what: "keyWrite" },
  { keys: ["Enter"], what: "keySend" },
  { keys: ["Shift", "Enter"], what: "keyNewline" },
  { keys: ["Alt", "↑/↓"], what: "keySwitch" },
  { keys: ["Ctrl/⌘", "K"], what: "keySearch" },
  { keys: ["Esc"], what: "keyBack" },
  { keys: ["←/→"], what: "keyRate" },
  { keys: ["P"], what: "keyPresenter" },
  { keys: ["Ctrl/⌘", "+/−/0"], what: "keyZoom" },
];

/** For a message field: Enter runs `submit`; Shift+Enter, and the Enter that ends an IME composition, do not. */
export function enterSends(submit: () => unknown): (e: KeyboardEvent) => void {
  return (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submit();
    }
  };
}

/** Esc: closes what is open on top (help, side panel), else leaves a view for Chat. */
function leave(): boolean {
  if (view.helpOpen) view.helpOpen = false;
  else if (view.sideOpen) view.sideOpen = false;
  else if (app.tab !== "chat") app.tab = "chat";
  else return false;
  void focusComposer();
  return true;
}

export function onShortcut(e: KeyboardEvent): void {
  // Zoom works everywhere, a dialog open or not; the browser's own zoom stays out of it.
  const zoom = zoomKey(e);
  if (zoom !== null && !e.defaultPrevented) {
    e.preventDefault();
    presenter.step(zoom);
    return;
  }
  // Not before the page is connected; a dialog handles its own keys (Esc closes it); a
  // handler below may have taken the key.
  if (!app.api || e.defaultPrevented || e.isComposing || document.querySelector("dialog[open]")) return;
  const ctrl = e.ctrlKey || e.metaKey;
  if (ctrl && !e.altKey && e.key.toLowerCase() === "k") {
    e.preventDefault();
    app.tab = "history";
    app.searchRequests++;
  } else if (e.altKey && !ctrl && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
    e.preventDefault();
    app.step(e.key === "ArrowUp" ? -1 : 1);
    void focusComposer();
  } else if (ctrl || e.altKey) {
    return;
  } else if (e.key === "Escape") {
    if (leave()) e.preventDefault();
  } else if (typingIn(e.target)) {
    return;
  } else if ((e.key === "n" || e.key === "N") && !app.info?.observing) {
    // Watching a proxied pair, customers come from the traffic only.
    e.preventDefault();
    view.creating = true;
  } else if (e.key === "p" || e.key === "P") {
    e.preventDefault();
    presenter.toggle();
  } else if (e.key === "/") {
    e.preventDefault();
    app.tab = "chat";
    void focusComposer();
  }
}
