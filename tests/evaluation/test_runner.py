"""Generating and judging a session with the real bundled model and a scripted judge."""

from __future__ import annotations

import itertools
import threading

import pytest

from personaco_tui.errors import PersonacoError
from personaco_tui.evaluation import runner
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.configs import parse_config, run_config
from personaco_tui.evaluation.judge import ExternalJudge
from personaco_tui.runtime import Runtime
from tests.support import servers
from tests.support.servers import scripted_server

ITEMS = [
    {"id": "q1", "query": "Name a fruit.", "signals": ["Answer in one word"]},
    {"id": "q2", "query": "Say hi.", "signals": ["Be formal", "Mention the weather"]},
]


def chat_reply(content: str):
    return servers.chat_reply(content, model="judge")


def alternating():
    lock, it = threading.Lock(), itertools.cycle("AB")

    def answer(path, body):
        with lock:
            return chat_reply(next(it))

    return answer


def test_parse_config_and_run_config():
    assert parse_config("baseline") == {"method": "baseline"}
    cfg = parse_config("personaco:k=2, reflector=rules,temperature=0.5,seed=3,max_tokens=6,model=m")
    assert cfg == {
        "method": "personaco",
        "k": 2,
        "reflector": "rules",
        "temperature": 0.5,
        "seed": 3,
        "max_tokens": 6,
        "model": "m",
    }
    rc = run_config(cfg)
    assert (rc.method, rc.k, rc.temperature, rc.seed, rc.max_tokens) == ("personaco", 2, 0.5, 3, 6)
    assert run_config(parse_config("baseline:max_tokens=4")).k == 1


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("personaco:kk=2", "'kk'"),
        ("personaco:k=0", "'k'"),
        ("personaco:k=two", "'k'"),
        ("personaco:reflector=magic", "'reflector'"),
        ("personaco:temperature=nan", "'temperature'"),
        ("baseline:k=4", "'k'"),
        ("personaco:k=2,k=3", "'k'"),
        ("greedy", "'greedy'"),
        ("personaco:k", "'k'"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(text, needle):
    with pytest.raises(PersonacoError) as e:
        parse_config(text)
    msg = e.value.message
    assert needle in msg and "\n" not in msg


def test_generate_and_judge_resume_without_redoing_work(engine, monkeypatch):
    rt = Runtime.open(engine=engine)
    try:
        sid = S.create_session(
            rt.store,
            "s1",
            ITEMS,
            parse_config("baseline:max_tokens=4,seed=0"),
            parse_config("personaco:k=2,max_tokens=6,seed=0,reflector=rules"),
        )
        calls: list[int] = []
        real_sample = engine.sample

        def counting_sample(messages, k, *a, **kw):
            calls.append(k)
            return real_sample(messages, k, *a, **kw)

        monkeypatch.setattr(engine, "sample", counting_sample)
        seen: list[tuple[int, int, str]] = []
        res = runner.generate_outputs(rt, "s1", on_progress=lambda *a: seen.append(a))
        assert (res.done, res.total) == (4, 4)
        assert sorted(calls) == [1, 1, 2, 2]
        assert [s[0] for s in seen] == [1, 2, 3, 4]
        assert S.pending_outputs(rt.store, sid) == []
        n_gens = rt.store.db["generations"].count
        assert n_gens == 4
        rows = rt.store.db.execute(
            "SELECT o.side, g.method, g.k FROM eval_outputs o JOIN generations g "
            "ON g.id = o.generation_id ORDER BY o.side"
        ).fetchall()
        assert {tuple(r) for r in rows} == {("A", "baseline", 1), ("B", "personaco", 2)}

        again = runner.generate_outputs(rt, "s1")
        assert (again.done, again.total) == (0, 0)
        assert len(calls) == 4 and rt.store.db["generations"].count == n_gens

        with (
            scripted_server(alternating()) as (url, requests),
            ExternalJudge(url, "judge-x", timeout_s=10) as judge,
        ):
            r1 = runner.judge_session(rt.store, sid, judge, passes=2)
            assert (r1.done, r1.total) == (6, 6)  # 3 signals x 2 passes
            assert len(requests) == 6
            r2 = runner.judge_session(rt.store, sid, judge, passes=2)
            assert (r2.done, r2.total) == (0, 0)
            assert len(requests) == 6
        jrows = S.judgment_rows(rt.store, sid)
        assert len(jrows) == 6
        assert {r["judge_model"] for r in jrows} == {"judge-x"}
        assert {r["judge_kind"] for r in jrows} == {"external"}
        for r in jrows:
            # the judge said "A" or "B" about the shown order; stored about the methods
            assert r["raw"] in ("A", "B")
            shown_first = r["raw"] == "A"
            want = (
                ("A" if shown_first else "B")
                if r["order_shown"] == "AB"
                else ("B" if shown_first else "A")
            )
            assert r["verdict"] == want
        # pass 2 shows every cell the other way round from its pass 1
        shown = {(r["item_id"], r["signal"], r["pass"]): r["order_shown"] for r in jrows}
        for (item, signal, p), order in shown.items():
            if p == 1:
                assert shown[(item, signal, 2)] == ("BA" if order == "AB" else "AB")
    finally:
        rt.close()
