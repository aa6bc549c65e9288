// The demo layout's own page (`#/demo`): what `wxsim demo` prints for the audience's screen.
// The token comes in the address (`#/demo&token=…`) or from the tab's session storage.

/** The address fragment of the demo layout's page. */
export const DEMO_ROUTE = "#/demo";

export function isDemoPage(): boolean {
  return location.hash.startsWith(DEMO_ROUTE);
}
