// Server-Sent Events over a fetch() body: the chat endpoint is a POST, so EventSource cannot be used.
// Follows the WHATWG event-stream rules: lines end in \r\n, \n or \r; a blank line dispatches;
// `data:` lines join with \n; one leading space after the colon is dropped; `:` lines are comments.

export class SSEParser {
  constructor() {
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.type = "";
    this.data = [];
  }

  /** Feed decoded text (any chunking); returns the events completed by it. */
  feed(text) {
    this.buffer += text;
    const events = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== "\n" && ch !== "\r") continue;
      // A \r at the very end may be the first half of \r\n: wait for more input.
      if (ch === "\r" && i === this.buffer.length - 1) break;
      this.line(this.buffer.slice(start, i), events);
      if (ch === "\r" && this.buffer[i + 1] === "\n") i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** End of stream: a trailing event without its blank line is dropped, as the spec says. */
  end() {
    const events = this.buffer.endsWith("\r") ? this.feed("\n") : [];
    this.buffer = "";
    this.reset();
    return events;
  }

  line(line, events) {
    if (line === "") {
      if (this.data.length) events.push({ event: this.type || "message", data: this.data.join("\n") });
      this.reset();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.type = value;
    else if (field === "data") this.data.push(value);
    // `id` and `retry` are not used by this client.
  }
}

/** Yields {event, data} for each message of a fetch() response body. */
export async function* readSSE(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  const parser = new SSEParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.feed(decoder.decode(value, { stream: true }));
    }
    yield* parser.feed(decoder.decode());
    yield* parser.end();
  } finally {
    reader.releaseLock();
  }
}
