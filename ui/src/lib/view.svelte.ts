// What the page shows around the engine's state: open dialogs and panels. Nothing here comes
// from the engine.
const WECHAT_KEY = "wxsim.wechatView";
const DIAGRAM_KEY = "wxsim.diagramView";

class View {
  /** The new-customer dialog is open. */
  creating = $state(false);
  /** The conversation's side panel, below the width at which it shows beside the chat. */
  sideOpen = $state(false);
  /** The keyboard shortcuts list in the top bar. */
  helpOpen = $state(false);
  /** The open customer's chat as their phone shows it, instead of the console's list; remembered. */
  wechat = $state(localStorage.getItem(WECHAT_KEY) === "on");

  /** The open conversation's exchanges as a sequence diagram, instead of its messages; remembered. */
  diagram = $state(localStorage.getItem(DIAGRAM_KEY) === "on");

  toggleWeChat(): void {
    this.wechat = !this.wechat;
    localStorage.setItem(WECHAT_KEY, this.wechat ? "on" : "off");
    if (this.wechat && this.diagram) this.toggleDiagram();
  }

  /** The diagram and the phone take the same place: one at a time. */
  toggleDiagram(): void {
    this.diagram = !this.diagram;
    localStorage.setItem(DIAGRAM_KEY, this.diagram ? "on" : "off");
    if (this.diagram && this.wechat) this.toggleWeChat();
  }
}

export const view = new View();
