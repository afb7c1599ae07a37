"""Render the charts of the "Diagnostics and charts" page into docs/assets/diagnostics/.

Run from the repository root: ``.venv/bin/python scripts/diagnostic_charts.py``. Uses the
CDNOW sample shipped with the package, calibrated to 1997-09-30 as on the CLV page.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from crm_metrics import clv, datasets

OUT = Path(__file__).resolve().parent.parent / "docs" / "assets" / "diagnostics"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    log = datasets.load_cdnow("sample")
    ch = clv.calibration_holdout(
        log.customer_id, log.ts, calibration_end="1997-09-30", freq="D", freq_multiplier=7
    )
    bg = clv.fit_bgnbd(ch)
    charts = {
        "period-transactions.png": lambda ax: clv.plot_period_transactions(
            clv.period_transactions_data(bg, ch.calibration()), ax=ax
        ),
        "calibration-holdout.png": lambda ax: clv.plot_calibration_holdout(
            clv.calibration_holdout_data(bg, ch), ax=ax
        ),
        "frequency-recency-expected.png": lambda ax: clv.plot_frequency_recency_matrix(
            clv.frequency_recency_matrix_data(bg, 39.0, max_frequency=30, t=39.0), ax=ax
        ),
        "frequency-recency-p-alive.png": lambda ax: clv.plot_frequency_recency_matrix(
            clv.frequency_recency_matrix_data(bg, 39.0, max_frequency=30, what="p_alive"), ax=ax
        ),
        "p-alive-history.png": lambda ax: clv.plot_p_alive_history(
            clv.p_alive_history_data(
                bg,
                log.ts[log.customer_id == 1],
                freq="D",
                freq_multiplier=7,
                end="1998-06-30",
            ),
            ax=ax,
        ),
    }
    for name, draw in charts.items():
        fig, ax = plt.subplots(figsize=(7.0, 4.5), dpi=100)
        draw(ax)
        fig.tight_layout()
        fig.savefig(OUT / name, metadata={"Software": None})
        plt.close(fig)
        print(OUT / name)


if __name__ == "__main__":
    main()
