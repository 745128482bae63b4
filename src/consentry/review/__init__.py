"""Human review of cases: claims with leases (the console's pages build on this)."""
