"""What a run measured and what went wrong, per operation and per period of the run.

Each failed call is put in the period it overlaps: a fault's window (from the injection until the
probe found the service whole), the steady seconds after it, or the undisturbed load. In a
fault's window only the kinds of failure that fault allows are accepted (``faults.ALLOWED``),
and of coded answers only the transient ones (NOT_CAUGHT_UP, SERVICE_UNAVAILABLE, CONFLICT, a 503):
a refusal (WORKER_NOT_POSTED, ...) of a clerk's next step means a command was lost or doubled.
Anywhere else, no failure is accepted.
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field

from tests.load.calls import Call, Kind
from tests.load.faults import Fault
from tests.load.ledger_check import LedgerCheck

STEADY = "steady"  # the undisturbed load: before the first fault, and after the last one's steady seconds


@dataclass
class Run:
    """Everything a run produced; ``problems`` is empty when the run passed."""

    clerks: int
    planners: int
    workers: int
    seconds: float
    calls: list[Call]
    faults: list[Fault]
    ledger: LedgerCheck
    probes: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)

    def period(self, call: Call) -> tuple[str, frozenset[Kind]]:
        """The period a call overlaps (a fault's name, ``after <fault>`` or ``steady``), and the failures allowed."""
        end = call.started + call.seconds
        for fault in self.faults:
            if call.started < fault.window_end and end >= fault.injected:
                return fault.name, fault.allowed
        for fault in self.faults:
            if call.started < fault.steady_end and end >= fault.window_end:
                return f"after {fault.name}", frozenset()
        return STEADY, frozenset()

    def judge(self) -> None:
        """Fills ``problems``, keyed by a fault's name, ``steady`` or ``ledger``."""
        self.problems = {fault.name: [] for fault in self.faults} | {STEADY: [], "ledger": self.ledger.problems()}
        for fault in self.faults:
            self.problems[fault.name] += fault.problems
        bad: Counter[tuple[str, str, str, str]] = Counter()
        for call in self.calls:
            if call.kind is Kind.OK:
                continue
            period, allowed = self.period(call)
            if call.kind not in allowed or not call.transient:  # a refusal is a bug in any period
                bad[(period, call.operation, call.kind.value, call.code)] += 1
        for (period, operation, kind, code), count in sorted(bad.items()):
            key = period.removeprefix("after ")
            where = "during the fault" if key == period and key != STEADY else period
            self.problems.setdefault(key, []).append(f"{count} × {operation}: {kind} {code} ({where})")

    def failed(self) -> list[str]:
        return [f"{key}: {problem}" for key, problems in self.problems.items() for problem in problems]

    def text(self) -> str:
        """The report, as printed and as pasted into docs/reliability.md."""
        lines = [
            f"{self.clerks} clerks, {self.planners} planners, {self.workers} worker processes, "
            f"{self.seconds:.0f} s; faults: {', '.join(f.name for f in self.faults) or 'none'}",
            "",
            "operation        calls    ok   ok/s    p50 ms   p95 ms   p99 ms  errors",
        ]
        by_operation: dict[str, list[Call]] = {}
        for call in self.calls:
            by_operation.setdefault(call.operation, []).append(call)
        for operation, calls in sorted(by_operation.items()):
            ok = sorted(c.seconds * 1000 for c in calls if c.kind is Kind.OK)
            cuts = statistics.quantiles(ok, n=100, method="inclusive") if len(ok) > 1 else [ok[0] if ok else 0.0] * 99
            errors = Counter(c.code for c in calls if c.kind is not Kind.OK)
            shown = ", ".join(f"{code} {n}" for code, n in errors.most_common()) or "-"
            lines.append(
                f"{operation:<15} {len(calls):>6} {len(ok):>5} {len(ok) / self.seconds:>6.1f} "
                f"{cuts[49]:>9.0f} {cuts[94]:>8.0f} {cuts[98]:>8.0f}  {shown}"
            )
        lines += ["", "fault      window s  recovered  errors during the window (operation: code × n)"]
        for fault in self.faults:
            window = Counter(
                (c.operation, c.code) for c in self.calls if c.kind is not Kind.OK and self.period(c)[0] == fault.name
            )
            healed = f"{fault.recovered - fault.injected:.1f} s" if fault.recovered is not None else "NO"
            shown = ", ".join(f"{op}: {code} × {n}" for (op, code), n in sorted(window.items())) or "none"
            lines.append(f"{fault.name:<10} {fault.window_end - fault.injected:>8.1f}  {healed:>9}  {shown}")
            lines += [f"           {note}" for note in fault.notes]
            lines += [f"           PROBLEM: {problem}" for problem in fault.problems]
        check = self.ledger
        caught_up = f"after {check.caught_up_after:.1f} s" if check.caught_up_after is not None else "NEVER"
        lines += [
            "",
            f"ledger: {check.commands} commands ({check.retried} sent more than once): "
            f"{check.acknowledged} acknowledged, "
            f"{len(check.lost)} lost, {len(check.duplicated)} duplicated, {check.refused} refused, "
            f"{check.unknown_recorded + check.unknown_absent} unanswered ({check.unknown_recorded} of them recorded); "
            f"caught up {caught_up}; "
            f"hrh verify exit {check.verify_exit}",
            *(
                f"  unanswered: {c.operation} by {c.user}, {c.attempts} attempts: {c.codes[-3:]}"
                for c in check.unanswered[:5]
            ),
            "",
            "verdict: " + ("every check passed" if not self.failed() else f"{len(self.failed())} problems"),
        ]
        lines += [f"  - {problem}" for problem in self.failed()]
        return "\n".join(lines)
