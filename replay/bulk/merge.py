"""The parent's side of a split load (``replay/bulk/sharded.py``): the children's rows merged back
in submission order, the facility rosters' events numbered."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from domain.chain import Unplaced
from replay.bulk.rows import Refusal
from replay.bulk.shard_child import EVERY, ROSTER_STARTED, STOP, Chunk, Outcome


@dataclass
class Merged:
    """A chunk's rows in order, as the columns ``writing.insert_columns`` takes, and the outcomes."""

    start: int
    ids: list[bytes] = field(default_factory=list)  # each row's ids, packed
    versions: list[int] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    states: list[bytes] = field(default_factory=list)
    lines: list[Unplaced] = field(default_factory=list)
    accepted: int = 0
    refusals: list[Refusal] = field(default_factory=list)


class Merge:
    """The parent's side: the children's rows in submission order, the rosters' events numbered."""

    def __init__(self, route: bytes, shards: int) -> None:
        self.route = route
        self.shards = shards
        self.rosters: dict[bytes, int] = {}  # roster id → its last version

    def chunk(self, start: int, stop: int, parts: list[Chunk]) -> Merged:
        """The chunk's rows; raises Partial with the rows before one the children cannot vouch for."""
        outcomes = [iter(part.outcomes) for part in parts]
        offsets = [0] * len(parts)
        merged = Merged(start)
        for row in range(start, stop):
            who = self.route[row]
            if who == EVERY:
                seen = [self._next(outcomes[shard], row, merged) for shard in range(self.shards)]
                if any(outcome[1] is not None for outcome in seen):  # refused by one, or stopped
                    raise Partial(row, merged)
                outcome, who = seen[0], 0
            else:
                outcome = self._next(outcomes[who], row, merged)
            _, code, message, count, rosters = outcome
            if code is not None:
                merged.refusals.append(Refusal(row, code, message or ""))
                continue
            first = offsets[who]
            offsets[who] = first + count
            self._add(merged, parts[who], first, first + count, rosters)
            merged.accepted += 1
        return merged

    @staticmethod
    def _next(outcomes: Iterator[Outcome], row: int, merged: Merged) -> Outcome:
        found = next(outcomes, None)
        if found is None or found[0] != row or found[1] == STOP:
            raise Partial(row, merged)
        return found

    def _add(self, merged: Merged, part: Chunk, first: int, end: int, rosters: int) -> None:
        """Adds a row's events, ``part``'s from ``first`` to ``end``, numbering its roster events."""
        ids, versions = part.ids[16 * first : 16 * end], part.versions[first:end]
        topics, states, lines = part.topics[first:end], part.states[first:end], part.lines[first:end]
        if rosters:
            kept = []
            for index, version in enumerate(versions):
                if version < 0:
                    key = ids[16 * index : 16 * index + 16]
                    last = self.rosters.get(key)
                    if version == ROSTER_STARTED and last is not None:
                        continue  # another child started this roster first
                    versions[index] = self.rosters[key] = (last or 0) + 1
                kept.append(index)
            if len(kept) < len(versions):
                ids = b"".join(ids[16 * index : 16 * index + 16] for index in kept)
                versions = [versions[index] for index in kept]
                topics = [topics[index] for index in kept]
                states = [states[index] for index in kept]
                lines = [lines[index] for index in kept]
        merged.ids.append(ids)
        merged.versions.extend(versions)
        merged.topics.extend(topics)
        merged.states.extend(states)
        merged.lines.extend(lines)


class Partial(Exception):
    """The chunk merged up to ``row``, which the children could not vouch for."""

    def __init__(self, row: int, merged: Merged) -> None:
        super().__init__(row)
        self.row, self.merged = row, merged
