// What the page shows around the engine's state: open dialogs and panels. Nothing here comes
// from the engine.
class View {
  /** The new-customer dialog is open. */
  creating = $state(false);
  /** The conversation's side panel, below the width at which it shows beside the chat. */
  sideOpen = $state(false);
  /** The keyboard shortcuts list in the top bar. */
  helpOpen = $state(false);
}

export const view = new View();
