"""A pure-text stand-in for a steered engine: the "model" proposes tokens from a script, a
proposal the directive bans is skipped (as a mask would make the model draw another), forced
text is appended, and the script running out is the model's end of generation."""

from __future__ import annotations

from personaco_tui.core.steer import Controller, SteerPlan, banned, recased, rough_tokens

FILLER = (" and", "more", " words", "here")


def simulate(
    plan: SteerPlan, script: list[str], max_tokens: int, guided: bool = False
) -> tuple[str, Controller]:
    ctrl = Controller(plan, max_tokens, guided=guided)
    text, used, i, fill = "", 0, 0, 0
    while used < max_tokens:
        d = ctrl.next(text, max_tokens - used)
        while not d.stop and not d.force:
            while i < len(script) and banned(script[i], d):
                i += 1
            if i < len(script):
                break
            if d.ban_eog:  # the model must go on: it says something filler-like
                script = [*script, FILLER[fill % len(FILLER)]]
                fill += 1
                continue
            d = ctrl.eog(text, max_tokens - used)
        if d.stop:
            return text, ctrl
        if d.force:
            text += d.force
            used += rough_tokens(d.force)
            continue
        text += recased(script[i], d.recase)
        i += 1
        used += 1
    return text, ctrl
