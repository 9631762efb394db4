"""Figures for bounded rendering (framing/sandbox.py): what the limits cost a normal
render, and how fast a runaway template is refused. Prints; asserts nothing.

    nice .venv/bin/python benchmarks/templates.py

The cost is a ratio: the same demo template rendered by framing (bounded sandbox) and
by Jinja's plain immutable sandbox, which has no time or size limits.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from framing.config import demo_dir
from framing.errors import TemplateError
from framing.templates import SampleView, lint_template, load_template, parse_template

RENDERS = 2_000
ROUNDS = 15
SAMPLE = SampleView(id="bench", text="What does the sign in this picture say?", image=True)

RUNAWAY = {
    "two nested range(100000) loops": "{% for i in range(100000) %}"
    "{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "'x' * 10**9": "{{ 'x' * 10**9 }}",
    "a string doubled 60 times": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "a macro fanning out 2**60 calls": "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}"
    "{% endif %}{% endmacro %}{{ m(60) }}",
}


def per_render(*renders: Callable[[], object]) -> list[float]:
    """Microseconds per call of each of ``renders``: the best of several short rounds,
    taken in turn so that a busy machine slows all of them alike."""
    best = [float("inf")] * len(renders)
    for _ in range(ROUNDS):
        for i, render in enumerate(renders):
            best[i] = min(best[i], timeit.timeit(render, number=RENDERS) / RENDERS * 1e6)
    return best


def render_cost() -> None:
    plain = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, trim_blocks=True,
                                          lstrip_blocks=True)
    for name in ("stance.j2", "examples.j2", "baseline.j2"):
        template = load_template(f"prompts/{name}", root=demo_dir())
        params = template.defaults()
        reference = plain.from_string(template.source)
        context = {"sample": SAMPLE, **params}

        def unbounded(reference: jinja2.Template = reference,
                      context: dict[str, object] = context) -> None:
            # what Template.render does, without the limits
            ctx = reference.new_context(context)
            "".join(reference.blocks["system"](ctx)).strip()
            if "user" in reference.blocks:
                "".join(reference.blocks["user"](ctx)).strip()

        bounded, base = per_render(lambda t=template, p=params: t.render(SAMPLE, p), unbounded)
        print(f"render {name:<12} bounded {bounded:6.1f} µs, plain sandbox {base:6.1f} µs "
              f"(ratio {bounded / base:.2f})")


def refusals() -> None:
    for label, body in RUNAWAY.items():
        template = parse_template(f"{{% block system %}}{body}{{% endblock %}}",
                                  name="runaway.j2")
        started = time.perf_counter()
        try:
            lint_template(template)
            reason = "NOT REFUSED"
        except TemplateError as e:
            reason = e.reason
        elapsed = time.perf_counter() - started
        print(f"lint refuses {label} in {elapsed:.2f} s: {reason}")


def main() -> None:
    render_cost()
    refusals()


if __name__ == "__main__":
    main()
