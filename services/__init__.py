"""EcomInsight services: one package each."""
