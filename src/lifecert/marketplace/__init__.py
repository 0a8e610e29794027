"""A services marketplace built to be the safest place for an elder to buy."""
