// Chinese names of the corpus codes, from the one vocabulary the server keeps (corpus/labels.py, GET /api/labels):
// the chat, the editor and the pages say the same thing for the same code.

async function load() {
  try {
    const response = await fetch("/api/labels", { headers: { Accept: "application/json" } });
    if (response.ok) return await response.json();
  } catch {
    // offline: the codes themselves are shown
  }
  return { kinds: {}, industries: {}, needs: {}, states: {}, fields: {} };
}

const labels = await load();

export const KINDS = labels.kinds;
export const INDUSTRIES = labels.industries;
export const NEEDS = labels.needs;
export const STATES = labels.states;
export const FIELDS = labels.fields;

/** A validation problem's field (`source.issuer`, `industries.0`) as the form names it. */
export function fieldName(field) {
  const key = String(field ?? "");
  return FIELDS[key] ?? FIELDS[key.replace(/\.\d+$/, "")] ?? FIELDS[key.split(".").pop()] ?? key;
}
