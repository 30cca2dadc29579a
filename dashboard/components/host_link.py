"""Host-path inputs shared by the offload pages (host_bandwidth, experts_calculation)."""

from __future__ import annotations

from typing import Any

from dashboard.components.inputs import PageInputs
from dashboard.features.offload import LINKS

__all__ = ["host_link_inputs"]


def host_link_inputs(ctx: Any, inputs: PageInputs) -> Any:
    """Render the host-path section (link kind and bandwidth, DDR bandwidth, GPUs per socket, link /
    DDR efficiencies, pageable factor) bound to the page's ``HostLinkConfig`` fields. Returns the
    free fourth column of the second row for a page-specific input."""
    st, t = ctx.st, ctx.t
    st.subheader(t("offload.section_host"))
    c1, c2, c3, c4 = st.columns(4)
    inputs.select("link", t("offload.link"), LINKS, container=c1)
    inputs.number("link_gb_s", t("offload.link_gb_s"), step=1.0, container=c2)
    inputs.number("ddr_gb_s", t("offload.ddr_gb_s"), step=10.0, container=c3)
    inputs.number("gpus_per_socket", t("offload.gpus_per_socket"), step=1, container=c4)
    c1, c2, c3, c4 = st.columns(4)
    inputs.number("link_efficiency", t("offload.link_eff"), step=0.005, format="%.3f", container=c1)
    inputs.number("ddr_efficiency", t("offload.ddr_eff"), step=0.01, container=c2)
    inputs.number(
        "pageable_factor",
        t("offload.pageable_factor"),
        step=0.005,
        format="%.3f",
        container=c3,
    )
    return c4
