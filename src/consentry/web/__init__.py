"""Server-rendered pages (Jinja2, autoescaped) with small ES modules and a strict CSP."""
