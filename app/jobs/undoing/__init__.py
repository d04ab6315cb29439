"""The undo job kind: take back what an import, a cleanup or an undo did (see job.py and reversal.py)."""
