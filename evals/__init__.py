"""Dataset readers, scorers, the evaluation runner and its report."""
