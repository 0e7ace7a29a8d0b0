// The HTTP contract of docs/api.md, as small async functions. Errors become ApiError with the
// server's `detail` (a string or a list of messages) and the status; network failures stay TypeError.

import { readSSE } from "./sse.js";

export class ApiError extends Error {
  constructor(status, detail, code = "") {
    super(Array.isArray(detail) ? detail.map((d) => (typeof d === "string" ? d : d?.msg ?? "")).join("；") : String(detail ?? ""));
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

async function failure(response) {
  let detail = "";
  try {
    detail = (await response.json()).detail;
  } catch {
    detail = response.statusText;
  }
  return new ApiError(response.status, detail);
}

// The session's CSRF token (from GET /api/session), repeated as X-CSRF-Token on unsafe requests when logged in.
let csrfToken = null;
const withCsrf = (method, headers) => (csrfToken && method !== "GET" ? { ...headers, "X-CSRF-Token": csrfToken } : headers);

async function call(path, { method = "GET", body, signal } = {}) {
  let headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  headers = withCsrf(method, headers);
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

/** Streams one chat reply: yields {type, data} for meta, profile, sources, delta, notice, done, error. */
export async function* chat({ message, conversationId = null, signal }) {
  const response = await fetch("/api/chat", {
    method: "POST",
    headers: withCsrf("POST", { "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ message, conversation_id: conversationId }),
    signal,
  });
  if (!response.ok) throw await failure(response);
  for await (const { event, data } of readSSE(response.body)) {
    let payload;
    try {
      payload = JSON.parse(data);
    } catch {
      continue; // not JSON: not part of the contract, ignore it
    }
    yield { type: event, data: payload };
  }
}

export const listConversations = (limit = 50, offset = 0) => call(`/api/conversations?limit=${limit}&offset=${offset}`);
export const getConversation = (id) => call(`/api/conversations/${encodeURIComponent(id)}`);
export const deleteConversation = (id) => call(`/api/conversations/${encodeURIComponent(id)}`, { method: "DELETE" });
export const getShared = (id) => call(`/api/shared/${encodeURIComponent(id)}`);
export const shareConversation = (id) => call(`/api/conversations/${encodeURIComponent(id)}/share`, { method: "POST" });
/** Where a stored reply downloads as `format` (md, docx or pdf). */
export const exportUrl = (messageId, format) => `/api/messages/${encodeURIComponent(messageId)}/export?format=${format}`;
export const sendFeedback = (messageId, rating, comment) =>
  call("/api/feedback", { method: "POST", body:
    comment ? { message_id: messageId, rating, comment } : { message_id: messageId, rating } });

/** The logged-in user, or null when anonymous (GET /api/session: no 401 to log); remembers the CSRF token. */
export async function me() {
  const result = await call("/api/session");
  csrfToken = result.csrf_token || null;
  return result.user ?? null;
}

export async function logout() {
  await call("/api/auth/logout", { method: "POST" });
  csrfToken = null;
}
