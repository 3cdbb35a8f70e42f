"""One module per file format, each holding both its writer and its reader (DESIGN.md, "Layout").

`formats` knows nothing of `review`: the review logic asks a format for its entries.
"""
