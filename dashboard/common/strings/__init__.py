"""String modules of the i18n catalogue (one per area; see ``dashboard.common.i18n``)."""
