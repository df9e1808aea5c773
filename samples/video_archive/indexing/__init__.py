"""Gold layer: search documents, embeddings into the semantic index, search."""
