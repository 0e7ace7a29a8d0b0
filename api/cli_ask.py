"""`top-advisor ask`: a needs brief for a customer name, or a cited answer to a question."""

from __future__ import annotations

import json
import sys

import click

from api.cli_common import console, container_of
from assistant.composer import profile_line
from assistant.events import ChoicesEvent, DeltaEvent, DoneEvent, NoticeEvent
from assistant.message import UserMessage
from assistant.writers import WriteRequest


def brief_json(request: WriteRequest, text: str, notices: list[NoticeEvent], done: DoneEvent | None) -> dict:  # type: ignore[type-arg]
    """The `--json` shape: {profile, sections, text, sources, ...}; also what the API returns as JSON."""
    plan = request.plan
    return {
        "mode": request.mode,
        "intent": request.intent,
        "question": request.question,
        "profile": request.profile.model_dump(mode="json") if request.profile else None,
        "drivers": [c.model_dump() for c in plan.drivers] if plan else [],
        "sections": [
            {"category": c.category, "needs": [n.model_dump(mode="json") for n in c.needs]} for c in plan.categories
        ]
        if plan
        else [],
        "text": text,
        "sources": [
            {"n": s.n, "doc_id": s.doc_id, "chunk_id": s.chunk_id, "title": s.title, "locator": s.locator,
             "issuer": s.issuer, "kind": s.kind, "text": s.text}
            for s in request.sources
        ],
        "choices": [c.model_dump() for c in request.choices],
        "notices": [n.model_dump() for n in notices],
        "writer": done.writer if done else None,
        "timing_ms": done.timing_ms if done else {},
    }


@click.command()
@click.argument("message")
@click.option("--json", "as_json", is_flag=True, help="Print {profile, sections, text, sources} as JSON.")
@click.pass_context
def ask(ctx: click.Context, message: str, as_json: bool) -> None:
    """Brief for a customer NAME (e.g. "某市第一人民医院"), or a cited answer to a question
    (e.g. "等保三级对医院有什么要求？"). Every factual sentence carries [n] source markers."""
    container = container_of(ctx)
    try:
        try:
            request = container.advisor.prepare(UserMessage.parse(message))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="MESSAGE") from None
        text, notices, done = "", [], None
        if not as_json and request.profile is not None and request.profile.known:
            click.echo(profile_line(request.profile) + "\n")
        for event in container.advisor.write(request, show_profile=False):
            if isinstance(event, DeltaEvent):
                text = event.text if event.replace else text + event.text
                if not as_json:
                    click.echo(event.text, nl=False)
            elif isinstance(event, NoticeEvent):
                notices.append(event)
                if not as_json:
                    console.print(f"[yellow]注意：{event.message}[/yellow]")
            elif isinstance(event, ChoicesEvent) and not as_json:
                click.echo("\n可选回答：" + "｜".join(c.label for c in event.choices))
            elif isinstance(event, DoneEvent):
                done = event
        if as_json:
            click.echo(json.dumps(brief_json(request, text, notices, done), ensure_ascii=False, indent=2))
            return
        if request.sources and request.mode not in ("not_found", "ask_user"):
            click.echo("\n## 来源\n")
            for source in request.sources:
                click.echo(f"[{source.n}] {source.label}")
        if done is not None:
            console.print(f"[dim]{done.writer} · {done.timing_ms.get('total', 0):.0f} ms[/dim]")
    finally:
        container.close()
    sys.stdout.flush()
