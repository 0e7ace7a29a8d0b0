// Chinese names of the corpus codes, from the one vocabulary the server keeps (corpus/labels.py, served as the module
// /labels.js): the chat, the editor and the pages say the same thing for the same code.

import { LABELS } from "/labels.js";

export const KINDS = LABELS.kinds;
export const INDUSTRIES = LABELS.industries;
export const NEEDS = LABELS.needs;
export const STATES = LABELS.states;
export const FIELDS = LABELS.fields;

/** A validation problem's field (`source.issuer`, `industries.0`) as the form names it. */
export function fieldName(field) {
  const key = String(field ?? "");
  return FIELDS[key] ?? FIELDS[key.replace(/\.\d+$/, "")] ?? FIELDS[key.split(".").pop()] ?? key;
}
