// What the agent desk's composer sends: its editor as the HTML a webchat agent writes — text
// escaped, bold as <b>, links as <a href>, webchat's emoji and the person's pictures as
// exactly the <img> the simulator gave for them (kept on the element as data-html), line
// breaks as <br>, one <p> around it all; anything else the editor may hold is kept as its
// text only.

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const BOLD = /^(bold|[6-9]00)$/;

function walk(nodes: NodeListOf<ChildNode>): string {
  let out = "";
  for (const node of nodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      // An editor keeps a space typed last as a no-break space: it is a space.
      out += escapeHtml((node.textContent ?? "").replace(/\u00a0/g, " "));
      continue;
    }
    if (!(node instanceof HTMLElement)) continue;
    const inner = () => walk(node.childNodes);
    if (node.dataset.html) out += node.dataset.html;
    else if (node.tagName === "BR") out += "<br>";
    else if (node.tagName === "B" || node.tagName === "STRONG" || BOLD.test(node.style.fontWeight)) out += `<b>${inner()}</b>`;
    else if (node instanceof HTMLAnchorElement && /^https?:\/\//i.test(node.getAttribute("href") ?? "")) {
      out += `<a href="${escapeHtml(node.getAttribute("href") ?? "")}">${inner()}</a>`;
    } else if (node.tagName === "DIV" || node.tagName === "P") {
      // A browser starts a new line of an editor with a block of its own.
      out += (out && !out.endsWith("<br>") ? "<br>" : "") + inner();
    } else out += inner();
  }
  return out;
}

/** The editor's content as webchat agent HTML; empty when there is nothing to send. */
export function editorHtml(editor: HTMLElement): string {
  const body = walk(editor.childNodes)
    .replace(/(<br>|\s)+$/, "")
    .replace(/^(<br>|\s)+/, "");
  return body ? `<p>${body}</p>` : "";
}
