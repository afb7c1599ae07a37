"""The CRM metrics report behind ``crm-metrics`` (optional extra ``crm_metrics[report]``).

- :mod:`~crm_metrics.report.config`: the pydantic configuration (TOML or flags);
- :mod:`~crm_metrics.report.load`: CSV/Parquet files to typed numpy columns;
- :mod:`~crm_metrics.report.compute`: the registry of report metrics;
- :mod:`~crm_metrics.report.schema`: the pydantic model of ``report.json``;
- :mod:`~crm_metrics.report.html`, :mod:`~crm_metrics.report.terminal`: the outputs.

Not imported by ``import crm_metrics``.
"""
