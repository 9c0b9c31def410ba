"""The build engines. They render any book of this layout and know no chart of this report.

``builtin``: qmd -> Jupyter execution (nbclient) -> pandoc Markdown -> HTML site (pandoc) and PDF (pandoc ->
Typst). ``quarto``: hands the same sources to the Quarto CLI.
"""
