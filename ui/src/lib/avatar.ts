// Initials and a stable colour for a person's avatar.
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const first = [...words[0]!];
  if (/\p{Script=Han}/u.test(first[0] ?? "")) return first.slice(-2).join("");
  const second = words[1] ? [...words[1]][0] : first[1];
  return (first[0]! + (second ?? "")).toUpperCase();
}

export function hue(key: string): number {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}
