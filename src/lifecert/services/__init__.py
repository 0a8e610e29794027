"""Public services per region (directory, search, elder-readable) and online applications
with a community review workflow and allowance payments for the paying agency."""
