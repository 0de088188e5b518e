//! Report rendering: figures (SVG/PNG), tables, self-contained HTML report.
