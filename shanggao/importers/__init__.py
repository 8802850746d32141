"""Getting the office's material into the store: articles, manuscripts, claims."""
