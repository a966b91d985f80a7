"""One loaded policy set serves many threads: same answers as one thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import flexpolicy
from tests.support.paths import EXAMPLES


def test_threads_get_the_answers_one_thread_gets(policies: flexpolicy.PolicySet) -> None:
    situations = [s for f in sorted(EXAMPLES.glob("*.yaml")) for s in flexpolicy.read_situations(f)]
    work = situations * 50
    expected = [policies.decide_situation(s) for s in work]
    want = [(d.key(), d.rationale, len(d.trace)) for d in expected]

    def run(offset: int) -> list[object]:
        mine = work[offset:] + work[:offset]
        got = [policies.decide_situation(s) for s in mine]
        answers = [(d.key(), d.rationale, len(d.trace)) for d in got]
        return answers[-offset:] + answers[:-offset] if offset else answers

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(0, 80, 10)))
    for result in results:
        assert result == want
