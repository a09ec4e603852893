"""Planning for the llama.cpp engine, with no llama.cpp call: which KV layout a turn gets,
which tokens each decode carries, which stream reflects which list in which round, and the
context budget. `llama.py` carries the plans out; keeping them pure lets them be tested
without a model.

Two KV layouts (`LlamaOptions.kv_layout`):

- `streams` (default): when a turn fits, the context holds one KV stream per sequence
  (llama.cpp's non-unified cache). The prompt is decoded in stream 0 and copied to the others.
  Attention then runs over a sequence's own cells only. In one unified cache the k answers'
  cells interleave (step t puts one token of every sequence side by side), so a reflection
  token attends over all of them through a mask and llama.cpp's flash attention cannot skip
  a masked block (profiled: ~20% of reflection CPU went to mask tiles). Measured on 2 cores,
  the bench turn (k = 8, 5 signals, `self`) with both layouts in one process, interleaved,
  median of 4: 1.15x faster with BF16 compute weights, 1.18x with the Q4_1 file.
- `unified`: one cache shared by every sequence; prompt cells carry all sequence ids and
  reflection turns are decoded as one prefix tree. Used when a turn does not fit in
  per-sequence streams of n_ctx / k cells, and selectable for comparison (the environment
  variable PERSONACO_LLAMA_KV=unified sets the default, e.g. for `personaco bench`).

Token lists are sorted before planning: neighbours in sorted order share the longest
prefixes, so a cache cut back to where the next list branches off loses the least.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import EngineError

Tokens = tuple[int, ...]
# (token, position, indices of the lists passing through it, indices of lists ending at it)
TreeEntry = tuple[int, int, tuple[int, ...], list[int]]
# (token, position, stream, the whole list when its last token is here, else None)
StreamEntry = tuple[int, int, int, Tokens | None]

STREAM_PAD = 256  # llama.cpp rounds a stream up to a multiple of this many cells
# Room a stream keeps after prompt + answer for the reflection turn that follows
# (turn markers, the reflection question and a signal); a turn that needs more than a stream
# holds uses the unified layout instead of re-evaluating its answers later.
REFLECT_ROOM = 128


def lcp(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common prefix of two token lists."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def trie_size(lists: list[list[int]]) -> int:
    """Distinct KV cells a set of token lists needs when shared prefixes are stored once."""
    ordered = sorted(lists)
    return sum(len(t) - (lcp(ordered[i - 1], t) if i else 0) for i, t in enumerate(ordered))


# -- budget and layout ----------------------------------------------------------------------


def check_budget(
    prompt_len: int, n: int, max_tokens: int, extra: int, *, n_ctx: int, n_seq_max: int
) -> None:
    """Refuse a turn of `n` answers of up to `max_tokens` after a prompt of `prompt_len`
    tokens (plus `extra` for reflection) that a context of `n_ctx` cells cannot hold."""
    need = prompt_len + n * max_tokens + extra
    if n > n_seq_max:
        raise EngineError(
            f"k = {n} exceeds the {n_seq_max} sequences this context holds.",
            "Lower k.",
        )
    if need > n_ctx:
        raise EngineError(
            f"This turn needs about {need} tokens of context (prompt {prompt_len} + {n} x "
            f"{max_tokens} new + {extra} for reflection) but the model's context holds "
            f"{n_ctx}.",
            "Lower k or max tokens, shorten the signals, or raise model.n_ctx.",
        )


def stream_cells(n_ctx: int, streams: int) -> int:
    """Cells of each of `streams` streams sharing the memory of an n_ctx unified cache."""
    return (n_ctx // streams) // STREAM_PAD * STREAM_PAD


def streams_for(n: int, cells: int, n_ctx: int, kv_layout: str) -> int:
    """How many KV streams a turn of `n` sequences of up to `cells` tokens wants: one more
    than sequences when that fits (the spare that `compact` uses), else one per sequence,
    else 1 (the unified layout)."""
    if kv_layout != "streams" or n <= 1:
        return 1
    return next((m for m in (n + 1, n) if stream_cells(n_ctx, m) >= cells), 1)


def check_reflection_fits(lengths: Sequence[int], n_ctx: int) -> None:
    """Refuse reflection prompts of these token lengths that a context of `n_ctx` cells
    cannot hold even one at a time."""
    for n in lengths:
        if n > n_ctx:
            raise EngineError(
                f"A reflection prompt of {n} tokens exceeds the context ({n_ctx}).",
                "Lower max tokens or raise model.n_ctx.",
            )


# -- sampling -------------------------------------------------------------------------------


def prefill_chunks(
    tokens: Sequence[int], seqs: Sequence[int], start: int, cap: int
) -> list[list[tuple[int, int, Sequence[int], bool]]]:
    """A prompt shared by `seqs`, from position `start`, as decode batches of at most `cap`
    entries (token, position, sequence ids, want logits); only the last token's logits are
    wanted (they draw the first answer token)."""
    out: list[list[tuple[int, int, Sequence[int], bool]]] = []
    for off in range(0, len(tokens), cap):
        chunk = tokens[off : off + cap]
        end = off + len(chunk) == len(tokens)
        out.append(
            [(t, start + off + i, seqs, end and i == len(chunk) - 1) for i, t in enumerate(chunk)]
        )
    return out


@dataclass(frozen=True)
class StreamCopy:
    """Copy the cells of stream `src` to `dst`; `clear_src` then empties `src`."""

    src: int
    dst: int
    clear_src: bool = False


def compact(
    where: list[int], done: Sequence[int], live: Sequence[int], spare: int
) -> tuple[list[StreamCopy], int]:
    """Keep the live sequences of the streams layout in the lowest streams. llama.cpp puts
    only consecutive sequence ids of a non-unified cache in one micro-batch, so the gap a
    finished answer leaves would split every later step into several decodes (measured:
    4 live sequences in streams 0, 2, 4, 6 decode ~30% slower than in 0-3). The finished
    answer's stream is copied to the spare one (reflection reuses its cells), the highest
    live stream moves into the gap and becomes the spare.

    `where` (the stream of each candidate) is updated in place. Returns the copies, to be
    made in this order (llama.cpp applies them at the next decode, in the order asked), and
    the new spare stream."""
    copies: list[StreamCopy] = []
    for c in done:
        gap = where[c]
        top = max(live, key=where.__getitem__)
        if where[top] < gap:
            continue
        copies.append(StreamCopy(gap, spare))
        where[c] = spare
        moved = where[top]
        copies.append(StreamCopy(moved, gap, clear_src=True))
        where[top] = gap
        spare = moved
    return copies, spare


# -- reflection in one unified cache ----------------------------------------------------------


def waves(
    sorted_lists: Sequence[Sequence[int]], n_ctx: int, n_seq_max: int
) -> list[tuple[int, int]]:
    """Split sorted token lists into (lo, hi) groups whose prefix tree fits `n_ctx` cells
    and `n_seq_max` sequences."""
    out: list[tuple[int, int]] = []
    lo = 0
    cells = 0
    for i, t in enumerate(sorted_lists):
        new = len(t) - (lcp(sorted_lists[i - 1], t) if i > lo else 0)
        if i > lo and (cells + new > n_ctx or i - lo >= n_seq_max):
            out.append((lo, i))
            lo, cells, new = i, 0, len(t)
        cells += new
    if lo < len(sorted_lists):
        out.append((lo, len(sorted_lists)))
    return out


def reuse_sources(
    lists: Sequence[Sequence[int]], resident: Mapping[int, Sequence[int]]
) -> list[tuple[int, int]]:
    """For each list, (resident sequence, cells to copy from it): the resident sequence
    sharing the longest prefix (the first such one), or (-1, 0) when none shares any. The
    last token is never copied: its logits are the answer."""
    out: list[tuple[int, int]] = []
    for t in lists:
        best_seq, best = -1, 0
        for rs, rt in resident.items():
            n = lcp(rt, t)
            if n > best:
                best_seq, best = rs, n
        out.append((best_seq, min(best, len(t) - 1)))
    return out


def prefix_tree(
    lists: Sequence[Sequence[int]], starts: Sequence[int] | None = None
) -> list[TreeEntry]:
    """Flatten token lists into decode entries where shared prefixes appear once.

    Each entry is (token, position, list indices, indices of lists that end at it); an entry
    names every list whose tokens pass through it, so its KV cell is shared. Positions below
    `starts[i]` are already in the cache for list i and are not emitted. Parents always come
    before children.
    """
    first = starts or [0] * len(lists)
    entries: list[TreeEntry] = []

    def walk(members: list[int], depth: int) -> None:
        # extend the common run of tokens for this group of members
        while True:
            ending = [m for m in members if len(lists[m]) == depth + 1]
            continuing = [m for m in members if len(lists[m]) > depth + 1]
            tok = lists[members[0]][depth]
            todo = tuple(m for m in members if first[m] <= depth)
            if todo:
                entries.append((tok, depth, todo, ending))
            if not continuing:
                return
            groups: dict[int, list[int]] = {}
            for m in continuing:
                groups.setdefault(lists[m][depth + 1], []).append(m)
            if len(groups) == 1:
                members = continuing
                depth += 1
                continue
            for g in groups.values():
                walk(g, depth + 1)
            return

    roots: dict[int, list[int]] = {}
    for i, t in enumerate(lists):
        if t:
            roots.setdefault(t[0], []).append(i)
    for g in roots.values():
        walk(g, 0)
    return entries


# -- reflection with one KV stream per sequence ---------------------------------------------


def partition(lists: list[Tokens], root: int, parts: int) -> list[list[Tokens]]:
    """Split sorted lists into at most `parts` runs, one per stream. Neighbours sharing no more
    than `root` tokens cost nothing to separate (each stream starts with the root), so runs
    end there; when that gives more runs than streams, adjacent runs are joined so that the
    largest group, i.e. the number of rounds, is as small as possible."""
    blocks = [[lists[0]]]
    for a, b in zip(lists, lists[1:], strict=False):
        if lcp(a, b) > root:
            blocks[-1].append(b)
        else:
            blocks.append([b])
    if len(blocks) <= parts:
        return blocks

    def pack(cap: int) -> list[list[Tokens]]:
        groups: list[list[Tokens]] = [[]]
        for blk in blocks:
            if groups[-1] and len(groups[-1]) + len(blk) > cap:
                groups.append([])
            groups[-1].extend(blk)
        return groups

    lo, hi = max(map(len, blocks)), len(lists)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(pack(mid)) <= parts:
            hi = mid
        else:
            lo = mid + 1
    return pack(lo)


def stream_plan(
    lists: list[Tokens], resident: Mapping[int, Sequence[int]], streams: int
) -> tuple[dict[int, list[Tokens]], int]:
    """Which stream decodes which of the sorted, distinct `lists`, in order. The second
    value is -1 when the streams start from what they hold (every list extends a resident
    stream beyond the prefix all lists share), else the length of that shared prefix,
    which the streams are then filled with first (nothing resident is kept)."""
    root = min(lcp(lists[0], lists[-1]), min(map(len, lists)) - 1)
    # A resident stream must hold more than the shared prefix, which fresh streams get
    # decoded once; else all lists would queue on one stream, one list per round.
    floor = root if len(lists) > 1 else 0
    queues: dict[int, list[tuple[int, Tokens]]] = {}
    for t in lists:
        best_s, best = -1, floor
        for s, rt in resident.items():
            n = lcp(rt, t)
            if n > best:
                best_s, best = s, n
        if best_s < 0:
            break
        queues.setdefault(best_s, []).append((-best, t))
    else:
        # longest reuse first: the cache is then only ever cut back further (depth-first)
        return {s: [t for _, t in sorted(q)] for s, q in queues.items()}, -1
    return dict(enumerate(partition(lists, root, streams))), root


def stream_round(
    plan: Mapping[int, Sequence[Tokens]], held: dict[int, list[int]], rnd: int
) -> tuple[list[tuple[int, int]], list[StreamEntry]]:
    """Round `rnd` of a stream plan: the (stream, keep) cuts that drop every cell of a
    stream from position `keep` on, and the entries that decode the stream's next list
    after what it keeps, streams in ascending order (llama.cpp splits ubatches at id gaps).
    `held` (the tokens each stream holds) becomes what the streams hold once decoded."""
    cuts: list[tuple[int, int]] = []
    entries: list[StreamEntry] = []
    for s, queue in sorted(plan.items()):
        if rnd >= len(queue):
            continue
        t = queue[rnd]
        have = held[s]
        keep = min(lcp(have, t), len(t) - 1)  # the last token's logits are the answer
        if keep < len(have):
            cuts.append((s, keep))
        last = len(t) - 1
        entries.extend((t[p], p, s, t if p == last else None) for p in range(keep, len(t)))
        held[s] = list(t)
    return cuts, entries


# -- reading an answer ----------------------------------------------------------------------


def yes_no_odds(
    logits: npt.NDArray[np.floating[Any]], yes_ids: Sequence[int], no_ids: Sequence[int]
) -> tuple[float, float, float, int]:
    """(P("1") / (P("1") + P("0")), P("1"), P("0"), the most likely token) from one row of
    logits; the answer digits may be several token ids each (with and without a space).
    Neither digit likely at all gives 0.5: the model cannot tell."""
    row = logits.astype(np.float64)
    probs = np.exp(row - row.max())
    probs /= probs.sum()
    p1 = float(probs[list(yes_ids)].sum()) if yes_ids else 0.0
    p0 = float(probs[list(no_ids)].sum()) if no_ids else 0.0
    p_yes = p1 / (p1 + p0) if p1 + p0 > 0 else 0.5
    return p_yes, p1, p0, int(row.argmax())
