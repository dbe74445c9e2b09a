"""The one-edit build, guarded as serve is: the state machine of tests/test_stateful.py edits
a project at random, and after every step a new ``timeline build --no-search`` (which updates
the last build's snapshot and swaps it in where it can: timeline.snapshot) leaves the site,
byte for byte, the site a cold build makes of the same files.

The same settings as tests/test_stateful.py: a bounded, fixed set of examples in CI, more with
``TIMELINE_STATEFUL_EXAMPLES=80 TIMELINE_STATEFUL_RANDOM=1``.
"""

from __future__ import annotations

import shutil

from hypothesis.stateful import run_state_machine_as_test

from tests.conftest import folder_differences
from tests.test_stateful import ServeMatchesColdBuild
from timeline.build import Builder, build
from timeline.errors import ContentError
from timeline.serving.watch import ChangeKind

PATCHED = [0]  # builds that updated the snapshot rather than building from nothing


class OneEditBuildMatchesColdBuild(ServeMatchesColdBuild):
    def __init__(self) -> None:
        super().__init__()
        self.failed: ContentError | None = None  # the last build's refusal
        self.built = False

    def _build(self) -> None:
        try:
            result = build(self._load(), search=False)
        except ContentError as exc:
            self.failed = exc
            return
        self.failed = None
        self.built = True
        if result.patched:
            PATCHED[0] += 1

    def _begin(self) -> None:
        self._build()

    def _rebuild(self, kind: ChangeKind, *changed: str) -> None:
        self._build()  # a new process finds what changed itself: ``changed`` is serve's
        self.steps.append(kind.value)

    def _check(self) -> None:
        cold = self.root.parent / f"{self.root.name}-cold"
        shutil.rmtree(cold, ignore_errors=True)
        config = self._load().with_overrides(output_dir=str(cold), cache_dir=".cold-cache")
        try:
            Builder(config).build()
        except ContentError as exc:
            assert self.failed is not None, f"the build made what a cold build refuses: {exc}"
            return
        finally:
            shutil.rmtree(self.root / ".cold-cache", ignore_errors=True)
        assert self.failed is None, self.failed.problems
        differences = sorted(folder_differences(self.root / "site", cold))
        assert differences == [], (differences[:8], self.steps)


def test_one_edit_builds_match_a_cold_build() -> None:
    run_state_machine_as_test(OneEditBuildMatchesColdBuild,
                              settings=ServeMatchesColdBuild.TestCase.settings)  # fmt: skip
    # Else the property held only for cold builds: the steps must have been updates too.
    assert PATCHED[0] > 0
