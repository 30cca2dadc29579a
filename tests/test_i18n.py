"""The string catalogue: every key has English and Chinese text."""

from __future__ import annotations

from dashboard.common.i18n import catalogue, tr


def test_every_key_has_both_languages() -> None:
    missing = [k for k, v in catalogue().items() if not v.get("en") or not v.get("zh")]
    assert not missing


def test_lookup_and_format() -> None:
    assert tr("sidebar.model", "zh") == "模型"
    assert "12.0" in tr("common.does_not_fit", "en", need=12.0, have=8.0)
    assert tr("no.such.key", "en") == "no.such.key"
