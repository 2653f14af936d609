"""Knowledge-base questions: retrieval, answer composition, citations and abstention."""
