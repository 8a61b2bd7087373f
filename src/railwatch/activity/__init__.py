"""Activity analytics: daily count series, robust baselines, surge alerts, change points and the lag
from outside events to the changes that followed them."""

from railwatch.activity.analyze import ActivityResult, Params, SiteActivity, analyze
from railwatch.activity.series import Look, Series, from_observations, read_csv

__all__ = ["ActivityResult", "Look", "Params", "Series", "SiteActivity", "analyze", "from_observations",
           "read_csv"]
