"""The shared kernel: what every package agrees on about records.

Ids and canonical hashing (`ids`), column helpers (`columns`), the tables several
packages share (`tables`: clients, sources, chunks, jobs, drafts, users), the session
scope and the writers' lock (`session`), and the error families (`errors`). It imports
no other clientloop package; everything else may import it.
"""
