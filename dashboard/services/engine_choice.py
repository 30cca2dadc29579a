"""The sidebar's engine choice (issue 14 §2/§3): an engine preset or a fitted serving profile.

The sidebar offers the engine presets (``vllm``, ``sglang``, ``trtllm``: scheduler rules, KV rule,
overheads; ``dashboard/data/engines``) and the shipped fitted profiles ``<hardware>+<engine>``
(``dashboard/data/profiles``, e.g. ``h200+trtllm``: the base hardware profile with serving parameters
fitted to published rows, see :class:`~dashboard.services.serving_predict.ServingProfile`).

:func:`resolve_engine_choice` turns the choice into what pages use:

* a preset → that engine, the sidebar hardware unchanged, no warnings;
* a fitted profile on its own base hardware (the sidebar's hardware preset is the profile's
  ``base_hardware`` and no spec is edited) → the profile's engine and the hardware profile lowered
  with the fitted parameters (:meth:`ServingProfile.hardware_profile` for the model's fit family);
  the warnings are :meth:`ServingProfile.domain_warnings` — the same function ``bench-predict``
  uses per row — for the model, its fit family (dense/MoE × weight dtype class), TP and EP (and
  lengths when a caller passes them);
* a fitted profile on other hardware (or edited specs) → its engine's preset rules on the sidebar
  hardware, the fitted parameters *not* applied, and a warning saying so.

No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.features.engine import EngineProfile, list_engine_presets, load_engine
from dashboard.features.hardware import HardwareProfile

__all__ = ["EngineChoice", "engine_choices", "is_engine_choice", "resolve_engine_choice"]


def engine_choices() -> list[str]:
    """Engine presets (sorted), then the shipped fitted profiles ``<hw>+<engine>`` (sorted)."""
    from dashboard.services.serving_predict import list_serving_profiles

    return [*list_engine_presets(), *list_serving_profiles()]


def is_engine_choice(name: str) -> bool:
    return name in engine_choices()


@dataclass(frozen=True)
class EngineChoice:
    """What a page gets for the sidebar's engine.

    ``name``: the sidebar value; ``engine``: the engine profile (scheduler/KV rules, overheads);
    ``hardware``: the hardware profile to price with (the lowered fitted profile when applied);
    ``profile``: the fitted :class:`ServingProfile` or ``None``; ``applied``: whether its fitted
    parameters are in ``hardware``; ``warnings``: out-of-domain findings (English, one per item)."""

    name: str
    engine: EngineProfile
    hardware: HardwareProfile
    profile: Any = None
    applied: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def fitted_on(self) -> str:
        """The data the profile was fitted on (its provenance), or ``""`` for a preset."""
        if self.profile is None:
            return ""
        prov = self.profile.provenance or {}
        rows = prov.get("rows_fitted")
        data = ", ".join(map(str, prov.get("tables") or [])) or str(prov.get("data") or "published rows")
        return f"{data} ({rows} rows)" if rows else data


def resolve_engine_choice(
    name: str,
    *,
    model: Any,
    model_slug: str,
    hardware: HardwareProfile,
    hardware_slug: str,
    hardware_edited: bool,
    weight_dtype: str,
    tp: int,
    ep: int,
    isl: int | None = None,
    osl: int | None = None,
) -> EngineChoice:
    """Resolve the sidebar's engine ``name`` (see the module docstring). ``model_slug`` is the model
    preset (``custom`` for a pasted config), ``hardware_slug`` the sidebar's hardware preset,
    ``hardware_edited`` whether specs were edited. Raises ``ValueError`` for an unknown name."""
    from dashboard.services.serving_predict import family_of, list_serving_profiles, load_serving_profile

    if name not in list_serving_profiles():
        return EngineChoice(name=name, engine=load_engine(name), hardware=hardware)
    prof = load_serving_profile(name)
    engine = load_engine(prof.engine)
    family = family_of(model, weight_dtype)
    warns = prof.domain_warnings(
        model=model_slug, family=family, tp=tp, ep=ep, isl=isl, osl=osl, hardware=hardware_slug
    )
    if hardware_slug != prof.base_hardware or hardware_edited:
        why = "edited hardware specs" if hardware_slug == prof.base_hardware else f"hardware {hardware_slug}"
        warns.append(f"{why}: fitted parameters not applied, {prof.engine} preset rules on {hardware.name}")
        return EngineChoice(name=name, engine=engine, hardware=hardware, profile=prof, warnings=tuple(warns))
    lowered = prof.hardware_profile(family if family in prof.families else None)
    return EngineChoice(name=name, engine=engine, hardware=lowered, profile=prof, applied=True, warnings=tuple(warns))
