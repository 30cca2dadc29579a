"""Active parameters as the model cards count them (issue 17 §6): every preset pinned to its card.

The default count excludes the input embedding (a lookup reads one row per token), as OpenAI's
gpt-oss card and DeepSeek's README_WEIGHTS.md do; Mistral and Qwen include it. Each card figure is
matched under the card's own convention, within half a unit of its last printed digit plus 1 %
(cards print two or three significant figures). Dense cards give no separate active figure: the
total (input embedding included) is the active count.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from dashboard.features.hardware import load_hardware
from dashboard.features.memory import memory_breakdown
from dashboard.features.presets import MODELS_DIR, load_model

# slug: (figure as the card prints it, convention, source)
CARDS: dict[str, tuple[str, str, str]] = {
    "llama-3.1-8b": ("8.03", "total", "HF meta-llama/Llama-3.1-8B safetensors metadata: 8.03B"),
    "llama-3.1-70b": ("70.6", "total", "HF meta-llama/Llama-3.1-70B safetensors metadata: 70.6B"),
    "llama-3.1-405b": ("405.9", "total", "HF meta-llama/Llama-3.1-405B safetensors metadata: 405.9B"),
    "llama-2-7b": ("6.74", "total", "HF meta-llama/Llama-2-7b-hf safetensors metadata: 6.74B"),
    "mistral-7b": ("7.25", "total", "HF mistralai/Mistral-7B-v0.3 safetensors metadata: 7.25B"),
    "qwen2.5-7b": ("7.61", "total", "HF Qwen/Qwen2.5-7B card: 'Number of Parameters: 7.61B'"),
    "qwen2.5-32b": ("32.8", "total", "HF Qwen/Qwen2.5-32B safetensors metadata: 32.8B"),
    "qwen2.5-72b": ("72.7", "total", "HF Qwen/Qwen2.5-72B card: 'Number of Parameters: 72.7B'"),
    "qwen3-8b": ("8.2", "total", "HF Qwen/Qwen3-8B card: 'Number of Parameters: 8.2B'"),
    "qwen3-32b": ("32.8", "total", "HF Qwen/Qwen3-32B card: 'Number of Parameters: 32.8B'"),
    "qwen3-30b-a3b": ("3.3", "incl", "HF Qwen/Qwen3-30B-A3B card: '30.5B in total and 3.3B activated'"),
    "qwen3-235b-a22b": ("22", "incl", "HF Qwen/Qwen3-235B-A22B card: '235B in total and 22B activated'"),
    "mixtral-8x7b": ("12.9", "incl", "mistral.ai/news/mixtral-of-experts: 'only uses 12.9B parameters per token'"),
    "mixtral-8x22b": ("39", "incl", "mistral.ai/news/mixtral-8x22b: 'uses only 39B active parameters'"),
    "deepseek-v3": (
        "36.6",
        "excl",
        "deepseek-ai/DeepSeek-V3 README_WEIGHTS.md: main model 36.6B activated "
        "(incl. 0.9B output head; the card rounds to 37B)",
    ),
    "deepseek-r1": ("37", "excl", "HF deepseek-ai/DeepSeek-R1 card: 'Activated Params 37B' (same weights shape as V3)"),
    "deepseek-v2-lite": ("2.4", "excl", "HF deepseek-ai/DeepSeek-V2-Lite card: '2.4B active params'"),
    "gpt-oss-20b": ("3.61", "excl", "OpenAI gpt-oss model card table: gpt-oss-20b 3.61B active parameters per token"),
    "gpt-oss-120b": ("5.13", "excl", "OpenAI gpt-oss model card table: gpt-oss-120b 5.13B active parameters per token"),
}


def _count(slug: str, convention: str) -> float:
    m = load_model(slug)
    if convention == "total":
        return m.total_params() / 1e9
    return m.active_params(include_input_embedding=convention == "incl") / 1e9


def test_every_preset_has_a_card_figure() -> None:
    index = json.loads((MODELS_DIR / "index.json").read_text())["models"]
    assert {e["slug"] for e in index} == set(CARDS)


@pytest.mark.parametrize("slug", sorted(CARDS))
def test_active_params_match_the_card(slug: str) -> None:
    printed, convention, source = CARDS[slug]
    card = float(printed)
    unit = float(Decimal(1).scaleb(Decimal(printed).as_tuple().exponent))  # "3.3" → 0.1, "22" → 1
    assert _count(slug, convention) == pytest.approx(card, abs=0.5 * unit + 0.01 * card), source


def test_default_excludes_the_input_embedding() -> None:
    oss = load_model("gpt-oss-120b")
    assert oss.active_params() / 1e9 == pytest.approx(5.133, abs=5e-4)  # the card's 5.13 B
    # the other convention: + the 201088 × 2880 input embedding = 0.579 B
    incl = oss.active_params(include_input_embedding=True)
    assert incl - oss.active_params() == 201088 * 2880
    assert incl / 1e9 == pytest.approx(5.712, abs=5e-4)
    s = oss.summary()
    assert s["active_params_b"] == pytest.approx(5.133, abs=5e-4)
    assert s["active_params_incl_embedding_b"] == pytest.approx(5.712, abs=5e-4)
    mb = memory_breakdown(oss, load_hardware("h200"), context=1024)
    assert mb.active_params == oss.active_params() and mb.active_params_incl_embedding == incl
    # dense: only the embedding separates the two conventions
    llama = load_model("llama-3.1-8b")
    assert llama.total_params() - llama.active_params() == 128256 * 4096


def test_tied_embeddings_count_once_as_the_lm_head() -> None:
    from dataclasses import replace

    m = replace(load_model("qwen3-30b-a3b"), tie_word_embeddings=True)
    assert m.active_params() == m.active_params(include_input_embedding=True)


def test_header_shows_both_conventions_for_moe() -> None:
    from dashboard.common.i18n import tr

    text = tr("header.active", "en", active=5.133, incl=5.712)
    assert "5.13 B active" in text and "5.71 B with the input embedding" in text
    assert "5.13" in tr("header.active", "zh", active=5.133, incl=5.712)
