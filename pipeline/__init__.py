"""Ingestion, embeddings, vector store, drafting engines, schemas and grounding."""
