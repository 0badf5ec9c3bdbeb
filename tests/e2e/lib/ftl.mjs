// Reads one simple message (`key = text` on one line, no placeables) from a
// Fluent file, so the test checks the UI against the shipped translation
// instead of a copy of it.
export function ftlMessage(source, key) {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = source.match(new RegExp(`^${escaped}\\s*=\\s*(.+)$`, "m"));
  if (!match) throw new Error(`no message ${key} in the translation file`);
  const text = match[1].trim();
  if (text.includes("{")) throw new Error(`message ${key} has placeables; pick a plain one`);
  return text;
}
