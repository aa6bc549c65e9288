// Reads the zips wxsim's exports come in (stored entries, no compression: the files inside
// are compressed already), for the UI and desktop tests.

/** The entries of a zip whose entries are stored, by name. */
export function storedZip(zip) {
  const entries = new Map();
  for (let at = 0; zip.readUInt32LE(at) === 0x04034b50; ) {
    const [size, nameLength, extraLength] = [zip.readUInt32LE(at + 18), zip.readUInt16LE(at + 26), zip.readUInt16LE(at + 28)];
    const name = zip.toString("utf8", at + 30, at + 30 + nameLength);
    const start = at + 30 + nameLength + extraLength;
    entries.set(name, zip.subarray(start, start + size));
    at = start + size;
  }
  return entries;
}
