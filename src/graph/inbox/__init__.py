"""Tags, pages, merge mode and the merged inbox: queries and mutations (SPEC T1–T4, C1–C13)."""
