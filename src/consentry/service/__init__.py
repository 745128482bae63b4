"""The composition root: builds the app from every domain's routers, runs every
domain's periodic jobs, and registers every table for migrations. The one package
that imports all the others; none imports it (except the CLI, which starts it)."""
