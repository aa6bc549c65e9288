// Light or dark, remembered; the system's choice until the user picks one.
export type Theme = "light" | "dark";
const KEY = "wxsim.theme";

function initial(): Theme {
  const stored = localStorage.getItem(KEY);
  if (stored === "light" || stored === "dark") return stored;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

class ThemeState {
  current = $state<Theme>(initial());

  constructor() {
    document.documentElement.dataset.theme = this.current;
  }

  toggle(): void {
    this.current = this.current === "dark" ? "light" : "dark";
    localStorage.setItem(KEY, this.current);
    document.documentElement.dataset.theme = this.current;
  }
}

export const theme = new ThemeState();
