// A conversation's sequence diagram as a picture: the server's SVG (crates/engine diagram.rs)
// drawn on a canvas in the page and encoded as PNG, so the picture is exactly the SVG.

/** Canvas pixels per SVG unit: sharp on dense screens and in slides. */
const SCALE = 2;
/** Browsers refuse canvases taller than about 32,767 px; a longer diagram is drawn smaller. */
const MAX_SIDE = 32_000;

/** PNG bytes of `svg`, drawn at SCALE (less when the diagram is very long). */
export async function svgToPng(svg: string): Promise<ArrayBuffer> {
  // A blob: address, which the CSP's img-src allows; an SVG drawn as an image runs nothing.
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const scale = Math.min(SCALE, MAX_SIDE / Math.max(image.naturalWidth, image.naturalHeight));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(image.naturalWidth * scale);
    canvas.height = Math.round(image.naturalHeight * scale);
    const context = canvas.getContext("2d");
    if (!context) throw new Error("this browser cannot draw on a canvas");
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
    if (!png) throw new Error("the diagram could not be encoded as PNG");
    return await png.arrayBuffer();
  } finally {
    URL.revokeObjectURL(url);
  }
}
