// Presenter mode and the page's zoom, both remembered (localStorage, so the desktop window
// keeps them too). Each mode has its own zoom: presenting starts larger, and going back to
// work restores the working size. In the browser the zoom is CSS `zoom` on the root element;
// the desktop window's webview zooms the page itself (WebKitGTK lays a CSS-zoomed root out
// wider than the window), so its media queries follow the zoom too.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { Tab } from "./state.svelte";
import { toasts } from "./toasts.svelte";
import { isDesktop } from "./transport-desktop";

const PRESENTER_KEY = "wxsim.presenter";
const ZOOM_KEY = { work: "wxsim.zoom", presenter: "wxsim.zoom.presenter" } as const;
/** What Ctrl+0 goes back to, per mode. */
const DEFAULT_ZOOM = { work: 1, presenter: 1.25 } as const;
/** The steps Ctrl+ and Ctrl− move along (those of the browsers). */
const STEPS = [0.67, 0.75, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3] as const;
const [MIN, MAX] = [STEPS[0], STEPS[STEPS.length - 1]!];

type Mode = keyof typeof ZOOM_KEY;

function storedZoom(mode: Mode): number {
  const stored = Number(localStorage.getItem(ZOOM_KEY[mode]));
  return Number.isFinite(stored) && stored >= MIN && stored <= MAX ? stored : DEFAULT_ZOOM[mode];
}

/** The tabs for developers: hidden while presenting. */
export const DEVELOPER_TABS: readonly Tab[] = ["wire", "faults", "contract"];

class Presenter {
  on = $state(localStorage.getItem(PRESENTER_KEY) === "on");
  zoom = $state(1);

  constructor() {
    this.zoom = storedZoom(this.#mode);
    this.#apply();
  }

  get #mode(): Mode {
    return this.on ? "presenter" : "work";
  }

  /** Zoomed away from the mode's default size. */
  get zoomed(): boolean {
    return this.zoom !== DEFAULT_ZOOM[this.#mode];
  }

  /** The zoom as a label, e.g. "125%". */
  get percent(): string {
    return `${Math.round(this.zoom * 100)}%`;
  }

  toggle(): void {
    this.on = !this.on;
    localStorage.setItem(PRESENTER_KEY, this.on ? "on" : "off");
    this.zoom = storedZoom(this.#mode);
    this.#apply();
  }

  /** One step larger (+1) or smaller (−1); 0 goes back to the mode's default. */
  step(direction: -1 | 0 | 1): void {
    if (direction === 0) this.zoom = DEFAULT_ZOOM[this.#mode];
    else if (direction > 0) this.zoom = STEPS.find((s) => s > this.zoom + 0.001) ?? MAX;
    else this.zoom = [...STEPS].reverse().find((s) => s < this.zoom - 0.001) ?? MIN;
    localStorage.setItem(ZOOM_KEY[this.#mode], String(this.zoom));
    this.#apply();
  }

  #apply(): void {
    const root = document.documentElement;
    root.dataset.presenter = this.on ? "on" : "off";
    root.dataset.zoom = String(this.zoom);
    if (isDesktop()) getCurrentWebview().setZoom(this.zoom).catch((e: unknown) => toasts.fail(String(e)));
    else root.style.zoom = String(this.zoom);
  }
}

export const presenter = new Presenter();

/** Ctrl/⌘ with +, − or 0 (main keys or keypad): the zoom step it asks for, else null. */
export function zoomKey(e: KeyboardEvent): -1 | 0 | 1 | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (e.key === "+" || e.key === "=") return 1;
  if (e.key === "-" || e.key === "_") return -1;
  if (e.key === "0") return 0;
  return null;
}
