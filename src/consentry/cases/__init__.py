"""Notice and removal: notices, cases as projections of events, clocks, decisions,
copies found, statements of reasons, appeals, withdrawal."""
