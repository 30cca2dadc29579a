"""Strings of the exposure guard and of hostile-input messages (issue 11)."""

STRINGS = {
    "security.remote_refused": {
        "en": "This dashboard refuses to serve on the non-loopback address `{address}`: it has no login and "
        "runs Python on the server. Start it with `python -m dashboard` (binds 127.0.0.1), or opt in "
        "deliberately with `python -m dashboard --address {address} --allow-remote` "
        "(or `MODELING_DASHBOARD_ALLOW_REMOTE=1`) behind an authenticating proxy; see docs/SECURITY.md.",
        "zh": "本仪表盘拒绝在非回环地址 `{address}` 上提供服务：它没有登录，并在服务器上运行 Python。"
        "请用 `python -m dashboard` 启动（绑定 127.0.0.1），或在有认证的反向代理之后明确选择开放："
        "`python -m dashboard --address {address} --allow-remote`（或设置 "
        "`MODELING_DASHBOARD_ALLOW_REMOTE=1`）；见 docs/SECURITY.md。",
    },
    "security.remote_warning": {
        "en": "Serving on the non-loopback address `{address}` (opted in with MODELING_DASHBOARD_ALLOW_REMOTE). "
        "Anyone who can reach this address can use the dashboard; keep it behind authentication.",
        "zh": "正在非回环地址 `{address}` 上提供服务（已通过 MODELING_DASHBOARD_ALLOW_REMOTE 明确开放）。"
        "任何能访问该地址的人都能使用本仪表盘；请置于认证之后。",
    },
    "sidebar.hardware_implausible": {
        "en": "Hardware profile {name}: {warning}",
        "zh": "硬件配置 {name}：数值超出真实加速器的范围，请检查数值与单位（{warning}）",
    },
    "security.all_interfaces": {"en": "all interfaces", "zh": "所有网络接口"},
}
