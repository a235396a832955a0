"""One story, two profiles: the ladder diagrams of a scenario as RFC 9293 says and as Linux does,
side by side, with the first segment where they part named.

The scenario's ``expect`` lines are passed over (they state one profile's outcome); a ``profile``
line in the script is overridden by the run's.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence

from ..core.profile import Profile
from ..scenario import Run, Script, load_scenario, parse, run_script, simulation_for
from ..scenario.script import Configure
from ..words import language_index
from .ladder import Ladder

__all__ = ["ProfileComparison", "compare_profiles"]

_TITLES = {"rfc": ("RFC 9293", "RFC 9293"), "linux": ("Linux 6.x", "리눅스 6.x")}


@dataclasses.dataclass
class ProfileComparison:
    """The runs of one script in each profile, and where their segments first differ."""

    script: Script
    profiles: tuple[str, ...]
    runs: tuple[Run, ...]
    lang: str = "en"
    relative: bool = False

    @property
    def first_difference(self) -> tuple[int, str] | None:
        """(index in the runs' segments, both segments described) where the runs first send
        different segments, or None if they send the same; "" for the segments when one run
        sends everything the other does and more."""
        sent = [[(p.sender, p.segment) for r in run.simulation.history for p in r.sent] for run in self.runs]
        for index, pair in enumerate(zip(*sent, strict=False)):  # the shorter run ends the pairs
            if len(set(pair)) > 1:
                return index, " / ".join(f"{side}: {seg.describe()}" for side, seg in pair)
        if len({len(s) for s in sent}) > 1:
            return min(map(len, sent)), ""
        return None

    def ladders(self) -> list[Ladder]:
        lang_index = language_index(self.lang)
        return [
            Ladder(
                run.simulation.history,
                lang=self.lang,
                relative=self.relative,
                title=f"{_TITLES.get(profile, (profile, profile))[lang_index]} (profile {profile})",
            )
            for profile, run in zip(self.profiles, self.runs, strict=True)
        ]

    def html(self) -> str:
        pictures = "".join(f"<div style='flex:1 1 420px;min-width:0'>{ladder.svg()}</div>" for ladder in self.ladders())
        difference = self.first_difference
        if difference is None:
            said = ("Both profiles send the same segments.", "두 프로필이 같은 세그먼트를 보냅니다.")
        else:
            index, what = difference
            said = (
                f"They part at segment {index + 1}: {what or 'one run sends more segments'}",
                f"{index + 1}번째 세그먼트에서 갈라집니다: {what or '한쪽 실행이 세그먼트를 더 보냅니다'}",
            )
        caption = said[language_index(self.lang)]
        for profile, run in zip(self.profiles, self.runs, strict=True):
            if run.error is not None:  # a line the other profile's story made impossible
                caption += f" [{profile}: {run.error}]"
        caption = html.escape(caption)
        return (
            f"<div class='tcpedu-compare'><div style='display:flex;flex-wrap:wrap;gap:8px'>{pictures}</div>"
            f"<p>{caption}</p></div>"
        )

    def _repr_html_(self) -> str:
        return self.html()


def compare_profiles(
    scenario: str | Script,
    profiles: Sequence[str] = ("rfc", "linux"),
    lang: str = "en",
    relative: bool = False,
    **settings: object,
) -> ProfileComparison:
    """Run ``scenario`` (a named scenario, a script's text, or a parsed ``Script``) in each of
    ``profiles`` and show the ladders side by side; ``settings`` as for ``Simulation``."""
    if isinstance(scenario, Script):
        script = scenario
    elif "\n" in scenario:
        script = parse(scenario)
    else:
        script = load_scenario(scenario)
    names = tuple(Profile.parse(profile).name for profile in profiles)
    # The comparison sets the profile: the script's own profile lines are passed over.
    body = dataclasses.replace(
        script,
        commands=tuple(c for c in script.commands if not (isinstance(c, Configure) and c.name == "profile")),
    )
    runs = tuple(run_script(body, simulation_for(body, profile=name, **settings), checks=False) for name in names)
    return ProfileComparison(script, names, runs, lang, relative)
