// Agent HTML was sanitized by the engine; it is sanitized again here before {@html}.
import DOMPurify from "dompurify";

const purifier = DOMPurify(window);
let allowedImageOrigin = location.origin;

/** Pictures in agent messages may only come from webchat itself. */
export function allowImagesFrom(webchatBase: string): void {
  allowedImageOrigin = new URL(webchatBase, location.href).origin;
}

purifier.addHook("afterSanitizeAttributes", (node) => {
  if (node instanceof HTMLImageElement) {
    const src = node.getAttribute("src") ?? "";
    const origin = URL.canParse(src, location.href) ? new URL(src, location.href).origin : "";
    if (origin !== allowedImageOrigin && origin !== location.origin) node.remove();
    node.setAttribute("loading", "lazy");
  }
  if (node instanceof HTMLAnchorElement) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

export function sanitizeAgentHtml(html: string): string {
  return purifier.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "video", "audio", "source", "picture"],
    FORBID_ATTR: ["style", "class", "id", "srcset", "formaction"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  });
}

/** Search snippets are escaped by the engine with hits in <mark>; keep only the marks. */
export function sanitizeSnippet(html: string): string {
  return purifier.sanitize(html, { ALLOWED_TAGS: ["mark"], ALLOWED_ATTR: [] });
}

/**
 * A sequence diagram drawn by the engine (every text escaped there): SVG elements and their
 * presentation attributes only, with the data-* attributes that name each arrow's exchange;
 * as nodes to put in the page, not a string to parse again.
 */
export function sanitizeDiagram(svg: string): DocumentFragment {
  return purifier.sanitize(svg, { USE_PROFILES: { svg: true }, RETURN_DOM_FRAGMENT: true });
}
