"""Impact: recommendations, their inputs, country follow-up reports and reporting rounds."""
