"""Dashboards for community workers and bureau officers: exact figures per region, fast at 1M."""
