// What the page shows around the engine's state: open dialogs and panels. Nothing here comes
// from the engine.
const WECHAT_KEY = "wxsim.wechatView";

class View {
  /** The new-customer dialog is open. */
  creating = $state(false);
  /** The conversation's side panel, below the width at which it shows beside the chat. */
  sideOpen = $state(false);
  /** The keyboard shortcuts list in the top bar. */
  helpOpen = $state(false);
  /** The open customer's chat as their phone shows it, instead of the console's list; remembered. */
  wechat = $state(localStorage.getItem(WECHAT_KEY) === "on");

  toggleWeChat(): void {
    this.wechat = !this.wechat;
    localStorage.setItem(WECHAT_KEY, this.wechat ? "on" : "off");
  }
}

export const view = new View();
