// What the customer is typing, in the console's composer or in the phone's input bar.
import type { MessageContent } from "./generated/MessageContent";

export class Draft {
  text = $state("");

  /** Sends the trimmed text with `send`: the field empties at once, and gets it back if sending failed. */
  async submit(send: (c: MessageContent) => Promise<boolean>): Promise<void> {
    const content = this.text.trim();
    if (!content) return;
    this.text = "";
    if (!(await send({ msgType: "text", content }))) this.text = content;
  }
}
