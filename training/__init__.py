"""Training scripts of LifeCert's learned parameters (run from the repo root; never at run time)."""
