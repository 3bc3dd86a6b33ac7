"""Set-based bulk upserts of partner batches, keyed by external ids."""
