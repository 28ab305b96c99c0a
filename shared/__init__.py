"""Code every EcomInsight service shares: settings, events, Kafka helpers, prompts."""
