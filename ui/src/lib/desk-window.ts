// Where the agent desk opens on its own: a second window of the desktop app (the shell's
// `open_desk`), or a browser tab at `#/desk` (the token goes with the tab's session storage,
// else the page asks for it).
import { invoke } from "@tauri-apps/api/core";
import { isDesktop } from "./transport-desktop";

/** The address fragment of the desk's own page. */
export const DESK_ROUTE = "#/desk";

export function isDeskPage(): boolean {
  return location.hash.startsWith(DESK_ROUTE);
}

export async function openDeskWindow(): Promise<void> {
  if (isDesktop()) await invoke("open_desk");
  else window.open(`${location.pathname}${location.search}${DESK_ROUTE}`, "_blank");
}
