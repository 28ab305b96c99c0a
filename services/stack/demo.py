"""``ecominsight demo``: drive the learning loop against a running stack.

Simulated owners ask a few hundred varied questions and correct the answers into their own
wording (shop 11 wants German, shop 12 a terse house style: ``owners.py``); they also ask in words
the vocabulary does not know ("Umsatz last month", "new punters this year"), which are refused ->
show the statistics -> a simulated reviewer labels the refused questions from the review queue
(the logger's ``/review``), and the ask service learns the new words behind its held-out gate ->
export -> the trainer fine-tunes and promotes only a measured gain in matching the owners'
corrections (on held-out corrections, with the gain's confidence interval) -> the generator
serves the new version -> new questions, never asked before, are answered before and after, with
both measured gains. The taught words are measured on new questions written apart from the
labels (``taught.py``: another metric, filter, period or ranking with the same word), correct /
refused / wrong; the reviewer never labels a question the demo asks before and after.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from services.stack.owners import correct, rephrase
from services.stack.questions import NEW_JARGON, NEW_QUESTIONS, STYLES, jargon_questions, varied_questions
from services.stack.taught import TaughtScore, measure
from shared.errors import EcomInsightError
from shared.logger_client import LoggerClient
from shared.registry import ModelRegistry
from shared.results import ToolResult


class Demo:
    def __init__(
        self,
        ask_url: str,
        logger_url: str,
        generator_url: str,
        admin_token: str,
        models_dir: Path,
        ask_admin_key: str | None = None,
        shops: tuple[str, ...] = ("10",),
        console: Console | None = None,
    ):
        self.ask_url, self.logger_url, self.generator_url = ask_url, logger_url, generator_url
        self.logger = LoggerClient(logger_url, read_token=admin_token, admin_token=admin_token, timeout_s=30.0)
        self.ask_admin = {"Authorization": f"Bearer {ask_admin_key}"} if ask_admin_key else {}
        self.registry = ModelRegistry(models_dir)
        self.shops = shops
        self.console = console or Console()
        self.http = httpx.Client(timeout=30.0)

    def ask(self, question: str, shop_id: str = "10") -> dict[str, Any]:
        resp = self.http.post(f"{self.ask_url}/api/mcp/ask", json={"shop_id": shop_id, "question": question})
        resp.raise_for_status()
        return {**resp.json(), "shop_id": shop_id}

    def serving_version(self) -> str:
        return str(self.http.get(f"{self.generator_url}/model").json().get("version", "template"))

    def traffic(self, count: int) -> list[dict[str, Any]]:
        answers = []
        asked = [(q, self.shops[i % len(self.shops)]) for i, q in enumerate(varied_questions(count))]
        asked += [(q, shop) for shop in self.shops for q in jargon_questions(shop)]
        with Progress(
            TextColumn("asking questions"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
        ) as bar:
            task = bar.add_task("ask", total=len(asked))
            for question, shop in asked:
                answers.append(self.ask(question, shop))
                bar.advance(task)
        corrected = 0
        for answer in answers:
            style = STYLES.get(str(answer.get("shop_id") or ""))
            if answer["success"] and style and answer.get("data"):
                fix = correct(style, ToolResult.model_validate(answer["data"]))
                body = {"query_id": answer["query_id"], "feedback": "negative", "correction": fix}
                self.http.post(f"{self.ask_url}/api/mcp/feedback", json=body).raise_for_status()
                corrected += 1
        self.console.print(f"the owners corrected {corrected} answers into their house styles ({STYLES})")
        return answers

    def wait_logged(self, count: int, timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        stats: dict[str, Any] = {}
        with self.console.status("waiting for the logger to write every query ..."):
            while time.monotonic() < deadline:
                stats = self.logger.stats()
                if stats.get("total_queries", 0) >= count:
                    return stats
                time.sleep(0.5)
        raise EcomInsightError(
            f"the logger holds {stats.get('total_queries')} of {count} queries after {timeout_s:.0f}s"
        )

    def show_stats(self, stats: dict[str, Any]) -> None:
        table = Table(title="query statistics (logger /stats)")
        table.add_column("statistic")
        table.add_column("value")
        for key in ("total_queries", "success_rate", "avg_confidence", "avg_response_time"):
            table.add_row(key, str(stats.get(key)))
        for key in ("intent_distribution", "feedback"):
            if key in stats:
                table.add_row(key, str(stats[key]))
        self.console.print(table)

    def review(self) -> int:
        """The simulated reviewer: label each refused question of the queue it can rephrase, with
        the ask service's reading of the rephrasing (as ``ecominsight review label --as`` does)."""
        queue = self.logger.review_queue(limit=500)
        labelled = 0
        asked_after = {q.lower() for shop in self.shops for q in NEW_JARGON.get(shop, ())}
        for item in queue:
            plain = rephrase(item["question"])
            if plain is None or item["question"].lower() in asked_after:
                continue  # the before/after questions stay new: no label may hold them
            body = {"shop_id": item["shop_id"], "question": plain, "asked_on": item["last_asked"][:10]}
            read = self.http.post(f"{self.ask_url}/api/mcp/understand", json=body).json()
            if not read.get("understood"):
                continue
            label = {"interpretation": read["interpretation"], "reviewer": "demo reviewer"}
            self.logger.label(item["query_id"], label)
            labelled += 1
        self.console.print(f"the reviewer labelled {labelled} refused questions from the review queue")
        return labelled

    def understanding(self) -> dict[str, Any]:
        return dict(self.http.get(f"{self.ask_url}/understanding", headers=self.ask_admin).json())

    def wait_for_understanding(self, before: str, timeout_s: float = 90.0) -> dict[str, Any]:
        """The ask service's lexicon once it has proposed from every label (it reads the labels every
        few seconds); the gate's reasons if it refused the lexicon learned from every label.

        Waiting for a new version alone is not enough: a poll that lands while the reviewer is
        still labelling proposes from the labels stored so far, and a lexicon adopted from 5 of 22
        labels knows only the words those 5 teach (one demo read 13 of 22 new questions refused)."""
        total = len(self.logger.review_labels())
        deadline = time.monotonic() + timeout_s
        last: dict[str, Any] = {}
        with self.console.status("the ask service is learning from the labels ..."):
            while time.monotonic() < deadline:
                state = self.understanding()
                last = state.get("last_proposal") or {}
                if last.get("labels", 0) >= total:  # the proposal from every label was decided
                    if state["version"] != before:
                        return state
                    if not last.get("adopted"):
                        reasons = "; ".join(last["reasons"])
                        raise EcomInsightError(f"the understanding gate refused: {reasons}")
                time.sleep(0.5)
        raise EcomInsightError(
            f"the ask service did not propose from all {total} labels within {timeout_s:.0f}s "
            f"(its last proposal read {last.get('labels', 0)})"
        )

    def taught_words(self) -> TaughtScore:
        """The learned words on new questions written apart from the labels (``taught.py``)."""
        score = measure(self.http, self.ask_url, self.shops, self.ask_admin)
        table = Table(title="taught words on new questions (no label held them)")
        for col in ("shop", "question", "meant", "read", "outcome"):
            table.add_column(col)
        for r in score.readings:
            table.add_row(r.shop_id, escape(r.question), escape(r.meant), escape(r.read_as or "-"), r.outcome)
        self.console.print(table)
        self.console.print(f"taught words on new questions: {score.line()}")
        return score

    def export(self) -> dict[str, Any]:
        return self.logger.export()

    def wait_for_new_model(self, before: str, known: set[str], timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        start = time.monotonic()
        with self.console.status("the trainer is fine-tuning; waiting for model-ready ...") as status:
            while time.monotonic() < deadline:
                version = self.serving_version()
                if version != before:
                    return version
                for meta in self.registry.versions():
                    if meta.version not in known and meta.status == "rejected":
                        raise EcomInsightError(f"the gate rejected {meta.version}: {'; '.join(meta.reasons)}")
                status.update(
                    f"the trainer is fine-tuning; waiting for model-ready ... {time.monotonic() - start:.0f}s"
                )
                time.sleep(1.0)
        raise EcomInsightError(f"no new model within {timeout_s:.0f}s (serving {before})")

    def answers(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (shop, q): self.ask(q, shop)
            for shop in self.shops
            for q in (*NEW_QUESTIONS, *NEW_JARGON.get(shop, ()))
        }

    def show_before_after(
        self, before: dict[tuple[str, str], dict[str, Any]], after: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        table = Table(title="new questions, before and after learning")
        for col in ("shop", "question", "before", "after", "generator"):
            table.add_column(col)
        for (shop, question), was in before.items():
            now = after[(shop, question)]
            table.add_row(
                shop,
                question,
                escape(was["answer"]),
                escape(now["answer"]),
                f"{now['generator']} {now['model_version']}",
            )
        self.console.print(table)

    def run(self, count: int, train_timeout_s: float) -> int:
        started = time.monotonic()
        before = self.serving_version()
        known = {m.version for m in self.registry.versions()}
        self.console.print(f"generator serves [bold]{before}[/bold]")
        answers_before = self.answers()
        logged_before = int(self.logger.stats().get("total_queries", 0))
        asked = len(self.traffic(count))
        self.show_stats(self.wait_logged(logged_before + asked))
        lexicon = self.understanding()["version"]
        learned: dict[str, Any] | None = None
        taught: TaughtScore | None = None
        if self.review():
            learned = self.wait_for_understanding(lexicon)
            p = learned["last_proposal"]
            words = ", ".join(f"'{e['phrase']}' as '{e['means']}'" for e in learned["learned"])
            self.console.print(
                f"the ask service now reads {words} (lexicon [bold]{learned['version']}[/bold]): understanding "
                f"accuracy on {p['held_out_labels']} held-out labelled questions {p['understanding_accuracy_before']} "
                f"-> {p['understanding_accuracy_after']} (gain {p['gain']}; each label read by what the others taught)"
            )
        taught = self.taught_words()
        export = self.export()
        self.console.print(f"exported: {export}")
        version = self.wait_for_new_model(before, known, train_timeout_s)
        meta = self.registry.get(version)
        m = meta.metrics
        interval = f"[{m.get('gain_ci_low')}, {m.get('gain_ci_high')}]"
        self.console.print(
            f"generator now serves [bold]{version}[/bold]: preference match with the owners' "
            f"{m.get('n_corrected', 0):.0f} held-out corrections {m.get('preference_match')} against the "
            f"{m.get('baseline', 'template')}'s {meta.baseline_metrics.get('preference_match', 0.0)} "
            f"(gain {m.get('gain')}, {m.get('gain_ci_level', 0.95):.0%} interval {interval}; the checkpoint "
            f"was chosen on {m.get('n_val')} other examples), fact accuracy {m.get('fact_accuracy')}, "
            f"invented numbers {m.get('invented_number_rate')}"
        )
        self.show_before_after(answers_before, self.answers())
        u = (learned or {}).get("last_proposal") or {}
        self.console.print(
            f"demo summary: preference_match {meta.baseline_metrics.get('preference_match', 0.0)} -> "
            f"{m.get('preference_match')} (gain {m.get('gain')}, interval {interval}, "
            f"{m.get('n_corrected', 0):.0f} held-out corrections); understanding_accuracy "
            f"{u.get('understanding_accuracy_before')} -> {u.get('understanding_accuracy_after')} "
            f"(gain {u.get('gain')}, {u.get('held_out_labels')} held-out labels); "
            f"taught_words {taught.line() if taught else 'none'}; "
            f"time {time.monotonic() - started:.0f}s",
            soft_wrap=True,  # one line, for bench/bench_demo.sh
        )
        return 0
